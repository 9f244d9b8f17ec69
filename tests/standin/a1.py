"""A1 notation and ranges of a sheet, and the checks that a range fits the grid."""

import re
from dataclasses import dataclass

from tests.standin.errors import ApiError
from tests.standin.grid import Book, Sheet


def column_letters(index: int) -> str:
    """A 0-based column index as letters: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters to a 0-based index: "A" -> 0, "AA" -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def sheet_ref(title: str, quoted: bool = False) -> str:
    """The title as Google writes it before "!": quoted unless a plain name."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(
        r"[A-Za-z]{1,3}\d+", title
    )
    if plain and not quoted:
        return title
    return "'" + title.replace("'", "''") + "'"


def cells_a1(r0: int, r1: int, c0: int, c1: int) -> str:
    """Bounded 0-based [r0, r1) x [c0, c1) as "B2:D5", or "B2" for one cell."""
    start = f"{column_letters(c0)}{r0 + 1}"
    end = f"{column_letters(c1 - 1)}{r1}"
    return start if start == end else f"{start}:{end}"


@dataclass(frozen=True)
class Span:
    """A range on one sheet: 0-based, end exclusive; None ends run to the grid's edge."""

    sheet: Sheet
    r0: int = 0
    r1: int | None = None
    c0: int = 0
    c1: int | None = None
    quoted: bool = False  # the request quoted the sheet name (error messages echo that)
    single: bool = False  # written as one cell, which value writes take as an anchor only

    def bounds(self) -> tuple[int, int, int, int]:
        """The span clamped to the grid."""
        rows, cols = self.sheet.rows, self.sheet.cols
        r1 = rows if self.r1 is None else min(self.r1, rows)
        c1 = cols if self.c1 is None else min(self.c1, cols)
        return self.r0, r1, self.c0, c1

    def text(self) -> str:
        """The clamped span as Google reports it, e.g. "Casos!A1:Z1000"."""
        return f"{sheet_ref(self.sheet.title)}!{cells_a1(*self.bounds())}"

    def check_start(self) -> None:
        """Refuse a span that starts outside the grid."""
        if self.r0 >= self.sheet.rows or self.c0 >= self.sheet.cols:
            r1 = self.r0 + 1 if self.r1 is None else self.r1
            c1 = self.c0 + 1 if self.c1 is None else self.c1
            raise exceeds(self.sheet, self.r0, r1, self.c0, c1, self.quoted)


_A1_CELLS = re.compile(r"([A-Za-z]{0,3})(\d*)(?::([A-Za-z]{0,3})(\d*))?")


def parse_a1(book: Book, text: str) -> Span:
    """A range such as 'My Sheet'!A:C, Casos!5:7, Casos or B2:D5 (first sheet)."""
    quoted = re.fullmatch(r"'((?:[^']|'')*)'(?:!(.*))?", text, re.DOTALL)
    if quoted:
        title, cells = quoted[1].replace("''", "'"), quoted[2]
    elif "!" in text:
        title, cells = text.split("!", 1)
    elif book.titled(text):
        title, cells = text, None
    else:
        title, cells = book.sheets[0].title, text
    sheet = book.titled(title)
    bounds = (0, None, 0, None, False) if cells is None else _a1_bounds(cells)
    if sheet is None or bounds is None:
        raise ApiError(400, f"Unable to parse range: {text}")
    r0, r1, c0, c1, single = bounds
    return Span(sheet, r0, r1, c0, c1, quoted=bool(quoted), single=single)


def _a1_bounds(cells: str) -> tuple[int, int | None, int, int | None, bool] | None:
    match = _A1_CELLS.fullmatch(cells)
    if not match:
        return None
    col0, row0, col1, row1 = match.groups()
    single = col1 is None
    if single:
        if not (col0 and row0):
            return None
        col1, row1 = col0, row0
    if not (col0 or row0) or not (col1 or row1) or any(r and int(r) < 1 for r in (row0, row1)):
        return None
    r0, c0 = int(row0 or 1) - 1, column_index(col0) if col0 else 0
    r1 = int(row1) if row1 else None
    c1 = column_index(col1) + 1 if col1 else None
    if (r1 is not None and r1 <= r0) or (c1 is not None and c1 <= c0):
        return None
    return r0, r1, c0, c1, single


def exceeds(sheet: Sheet, r0: int, r1: int, c0: int, c1: int, quoted: bool) -> ApiError:
    """Google's complaint about a range outside the grid."""
    return ApiError(
        400,
        f"Range ({sheet_ref(sheet.title, quoted)}!{cells_a1(r0, r1, c0, c1)}) exceeds grid "
        f"limits. Max rows: {sheet.rows}, max columns: {sheet.cols}",
    )


def check_grid(sheet: Sheet, r0: int, r1: int, c0: int, c1: int, quoted: bool) -> None:
    """Refuse a write that reaches past the grid."""
    if r1 > sheet.rows or c1 > sheet.cols:
        raise exceeds(sheet, r0, r1, c0, c1, quoted)


def cell_index(cell: str) -> tuple[int, int]:
    """A single cell such as "B2" as 0-based (row, column)."""
    bounds = _a1_bounds(cell)
    if bounds is None or not bounds[4]:
        raise ValueError(f"Not a single cell: {cell!r}")
    return bounds[0], bounds[2]
