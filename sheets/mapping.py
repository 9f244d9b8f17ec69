"""Which case column each column of an uploaded file goes to, guessed from the file's headers."""

import re
from collections.abc import Iterator, Sequence

from openpyxl.utils import get_column_letter

from retention import ptbr
from sheets.columns import Column
from sheets.upload import Upload


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position: 0 -> A, 27 -> AB."""
    return get_column_letter(position + 1)


def header_key(text: str) -> str:
    """A header as compared when guessing: no accents, case, punctuation or extra blanks."""
    folded = ptbr.fold(text).replace("°", "o")
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def guess_mapping(headers: Sequence[str], columns: Sequence[Column]) -> list[Column | None]:
    """For each file header, the column whose header reads the same (each column once)."""
    by_key = {header_key(col.header): col for col in reversed(columns)}
    taken: set[str] = set()
    guessed: list[Column | None] = []
    for header in headers:
        column = by_key.get(header_key(header))
        if column is None or column.header in taken:
            guessed.append(None)
        else:
            taken.add(column.header)
            guessed.append(column)
    return guessed


def iter_mapped(
    upload: Upload, mapping: Sequence[Column | None]
) -> Iterator[tuple[int, dict[Column, object]]]:
    """Each row's non-blank values under the column it is mapped to; rows left empty skipped."""
    for number, cells in upload.rows:
        values = {
            column: cells[position]
            for position, column in enumerate(mapping)
            if column is not None and position < len(cells) and cells[position] is not None
        }
        if values:
            yield number, values
