"""A snapshot of the case sheet and the writes a backend applies to it."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sheets.columns import ID_HEADER

FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class Table:
    """The header row and the data rows, as read in one go; rows are found by case ID."""

    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

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
        for offset, row in enumerate(self.rows):
            if id_index < len(row) and str(row[id_index] or "").strip():
                values = {h: row[i] if i < len(row) else None for h, i in positions.items()}
                yield FIRST_DATA_ROW + offset, values

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
    """Overwrite only these cells of one row."""

    row: int
    values: Mapping[str, object]


Write = Append | Update
