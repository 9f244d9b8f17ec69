"""A snapshot of the case sheet and the writes a backend applies to it."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter

from sheets.columns import ID_HEADER

FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class Table:
    """The header row and data rows as read; rows are found by case ID.

    ``numbers`` gives each row's sheet row number when only some rows were read; by default the
    rows are the whole sheet, consecutive from the first data row.
    """

    headers: tuple[object, ...]
    rows: tuple[tuple[object, ...], ...]
    numbers: tuple[int, ...] | None = None

    def index(self, header: str) -> int | None:
        """The 0-based position of ``header`` (first match), or None."""
        for position, text in enumerate(self.headers):
            if isinstance(text, str) and text.strip() == header:
                return position
        return None

    def records(self) -> Iterator[tuple[int, dict[str, object]]]:
        """``(sheet row number, values by header)`` for every row that holds a case ID."""
        id_index = self.index(ID_HEADER)
        if id_index is None:
            return
        pick = _picker(self.headers)
        for number, row in self._numbered():
            if id_index < len(row) and str(row[id_index] or "").strip():
                yield number, pick(row)

    def case_ids(self) -> set[str]:
        """The case ID of every row that holds one."""
        return self.texts(ID_HEADER)

    def texts(self, header: str) -> set[str]:
        """Every non-empty value of the column ``header``, as trimmed text."""
        index = self.index(header)
        if index is None:
            return set()
        found = (str(row[index] or "").strip() for row in self.rows if index < len(row))
        return {text for text in found if text}

    def find(self, case_id: str) -> tuple[int, dict[str, object]] | None:
        """The sheet row number and values of ``case_id``, or None."""
        id_index = self.index(ID_HEADER)
        if id_index is None:
            return None
        for number, row in self._numbered():
            if id_index < len(row) and str(row[id_index] or "").strip() == case_id:
                return next(Table(self.headers, (row,), (number,)).records())
        return None

    def _numbered(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        numbers = self.numbers or range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(self.rows))
        return zip(numbers, self.rows, strict=True)

    @property
    def next_row(self) -> int:
        """The sheet row number just below the last non-empty row."""
        return FIRST_DATA_ROW + len(self.rows)


def _picker(headers: tuple[object, ...]) -> Callable[[tuple[object, ...]], dict[str, object]]:
    """A row's values by header (the first of equal headers; None past the row's end)."""
    positions = {h.strip(): i for i, h in reversed(list(enumerate(headers))) if isinstance(h, str)}
    names, picked = tuple(positions), tuple(positions.values())
    every, widest = itemgetter(*picked), max(picked, default=-1) + 1

    def pick(row: tuple[object, ...]) -> dict[str, object]:
        if len(picked) > 1 and len(row) >= widest:  # the common case, at C speed
            return dict(zip(names, every(row), strict=True))
        return {h: row[i] if i < len(row) else None for h, i in positions.items()}

    return pick


@dataclass(frozen=True)
class Append:
    """Add rows below the table, in order; ``present`` are rows of the same batch the sheet
    already holds (an earlier try whose answer was lost), with the ID they hold there."""

    rows: tuple[Mapping[str, object], ...]
    present: tuple[Mapping[str, object], ...] = ()


@dataclass(frozen=True)
class Update:
    """Overwrite only these cells of one row; ``before`` is the row as read for the write."""

    row: int
    values: Mapping[str, object]
    before: Mapping[str, object] = field(default_factory=dict)


Write = Append | Update
