"""A snapshot of the case sheet and the writes a backend applies to it."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

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
        positions = {
            h.strip(): i for i, h in reversed(list(enumerate(self.headers))) if isinstance(h, str)
        }
        numbers = self.numbers or range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(self.rows))
        for number, row in zip(numbers, self.rows, strict=True):
            if id_index < len(row) and str(row[id_index] or "").strip():
                values = {h: row[i] if i < len(row) else None for h, i in positions.items()}
                yield number, values

    def find(self, case_id: str) -> tuple[int, dict[str, object]] | None:
        """The sheet row number and values of ``case_id``, or None."""
        for row_number, values in self.records():
            if str(values[ID_HEADER]).strip() == case_id:
                return row_number, values
        return None

    @property
    def next_row(self) -> int:
        """The sheet row number just below the last non-empty row."""
        return FIRST_DATA_ROW + len(self.rows)


@dataclass(frozen=True)
class Append:
    """Add rows below the table, in order."""

    rows: tuple[Mapping[str, object], ...]


@dataclass(frozen=True)
class Update:
    """Overwrite only these cells of one row; ``before`` is the row as read for the write."""

    row: int
    values: Mapping[str, object]
    before: Mapping[str, object] = field(default_factory=dict)


Write = Append | Update
