"""The spreadsheet model: cells, sheets and books, with Google's limits and Drive's stamps."""

import copy
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from tests.standin.errors import ApiError

GRID_ROWS, GRID_COLS = 1000, 26
DRIVE_LAG = 180.0  # seconds between Drive's refreshes of a Sheets file's modifiedTime
MAX_CELLS = 10_000_000
MAX_CELL_CHARS = 50_000

CAP_MESSAGE = (
    f"This action would increase the number of cells in the workbook above the limit of "
    f"{MAX_CELLS} cells."
)
LENGTH_MESSAGE = (
    f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell."
)

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Cell:
    """One cell; immutable, so copying a sheet only copies its dict."""

    value: Value = None
    formula: str | None = None
    number_format: dict | None = None
    validation: dict | None = None

    @property
    def has_data(self) -> bool:
        """Whether the cell holds a value (formulas count), as opposed to format only."""
        return self.value is not None


EMPTY = Cell()


@dataclass
class Sheet:
    """One worksheet: a sparse grid of cells keyed by 0-based (row, column)."""

    sheet_id: int
    title: str
    rows: int = GRID_ROWS
    cols: int = GRID_COLS
    frozen_rows: int = 0
    frozen_cols: int = 0
    hidden: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    protected: list[dict] = field(default_factory=list)
    # How many cells of each row hold a value: finds the last row without scanning every
    # format-only cell (a prepared tab formats every row).
    data_rows: dict[int, int] = field(default_factory=dict)

    def copy(self) -> "Sheet":
        """A copy whose changes do not reach this sheet."""
        return replace(
            self,
            cells=dict(self.cells),
            protected=copy.deepcopy(self.protected),
            data_rows=dict(self.data_rows),
        )

    def cell(self, row: int, col: int) -> Cell:
        """The cell at (row, col), empty if never written."""
        return self.cells.get((row, col), EMPTY)

    def put(self, row: int, col: int, cell: Cell) -> None:
        """Store a cell, forgetting it when it becomes empty."""
        old = self.cells.get((row, col), EMPTY)
        if cell == EMPTY:
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = cell
        self._count(row, cell.has_data - old.has_data)

    def reindex(self, axis: int, where: Callable[[int], int | None]) -> None:
        """Move every row (axis 0) or column (axis 1) ``i`` to ``where(i)``; None drops it."""
        new = {i: where(i) for i in {key[axis] for key in self.cells}}
        if axis:
            dropped = [(r, c) for (r, c) in self.cells if new[c] is None]
            for r, c in dropped:
                self.put(r, c, EMPTY)
            self.cells = {(r, new[c]): cell for (r, c), cell in self.cells.items()}
            return
        self.cells = {
            (new[r], c): cell for (r, c), cell in self.cells.items() if new[r] is not None
        }
        rows = {r: count for r, count in self.data_rows.items() if new.get(r) is not None}
        self.data_rows = {new[r]: count for r, count in rows.items()}

    def last_data_row(self) -> int:
        """0-based index of the last row holding a value, -1 if none."""
        return max(self.data_rows, default=-1)

    def _count(self, row: int, change: int) -> None:
        if change:
            count = self.data_rows.get(row, 0) + change
            if count:
                self.data_rows[row] = count
            else:
                self.data_rows.pop(row, None)

    def size(self, axis: int) -> int:
        """Row count (axis 0) or column count (axis 1)."""
        return self.cols if axis else self.rows

    def resize(self, axis: int, size: int) -> None:
        """Set the row count (axis 0) or column count (axis 1)."""
        if axis:
            self.cols = size
        else:
            self.rows = size

    def metadata(self, index: int) -> dict:
        """The sheet as spreadsheets.get describes it."""
        grid = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_cols:
            grid["frozenColumnCount"] = self.frozen_cols
        properties = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            properties["hidden"] = True
        result: dict[str, object] = {"properties": properties}
        if self.protected:
            result["protectedRanges"] = copy.deepcopy(self.protected)
        return result


@dataclass
class Book:
    """One spreadsheet file."""

    key: str
    title: str
    shared_with: frozenset[str]
    sheets: list[Sheet]
    created: datetime
    modified: datetime
    # (stand-in clock, modifiedTime) of each change Drive has not published yet, oldest first.
    unpublished: tuple[tuple[float, datetime], ...] = ()
    published: datetime | None = None

    def copy(self) -> "Book":
        """A draft to change; committed by replacing this book."""
        return replace(self, sheets=[sheet.copy() for sheet in self.sheets])

    def titled(self, title: str) -> Sheet | None:
        """The sheet with that title."""
        return next((sheet for sheet in self.sheets if sheet.title == title), None)

    def by_id(self, sheet_id: int) -> Sheet:
        """The sheet with that sheetId, or Google's complaint."""
        sheet = next((s for s in self.sheets if s.sheet_id == sheet_id), None)
        if sheet is None:
            raise ApiError(400, f"No grid with id: {sheet_id}")
        return sheet

    def metadata(self) -> dict:
        """The spreadsheet as spreadsheets.get (without grid data) describes it."""
        return {
            "spreadsheetId": self.key,
            "properties": {
                "title": self.title,
                "locale": "pt_BR",
                "autoRecalc": "ON_CHANGE",
                "timeZone": "America/Sao_Paulo",
            },
            "sheets": [sheet.metadata(index) for index, sheet in enumerate(self.sheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }

    def publish(self, now: float, lag: float) -> None:
        """Drive's stamp as of its last refresh: changes made before that boundary show."""
        boundary = math.floor(now / lag) * lag if lag > 0 else math.inf
        due = [stamp for moment, stamp in self.unpublished if moment <= boundary]
        if due:
            self.published = due[-1]
        self.unpublished = tuple((m, s) for m, s in self.unpublished if m > boundary)

    def drive_metadata(self, fields: str | None) -> dict:
        """The file as Drive's files.get describes it, limited to `fields`."""
        everything = {
            "kind": "drive#file",
            "id": self.key,
            "name": self.title,
            "mimeType": "application/vnd.google-apps.spreadsheet",
            "createdTime": rfc3339(self.created),
            "modifiedTime": rfc3339(self.published or self.created),
        }
        wanted = [name.strip() for name in (fields or "kind,id,name,mimeType").split(",")]
        return {name: value for name, value in everything.items() if name in wanted}


def check_cap(book: Book) -> None:
    """Refuse a workbook above Google's cell limit."""
    if sum(sheet.rows * sheet.cols for sheet in book.sheets) > MAX_CELLS:
        raise ApiError(400, CAP_MESSAGE)


def new_sheet_id(book: Book) -> int:
    """A random sheetId that no sheet of the book has."""
    taken = {sheet.sheet_id for sheet in book.sheets}
    while True:
        candidate = secrets.randbelow(2**31 - 1) + 1
        if candidate not in taken:
            return candidate


def rfc3339(moment: datetime) -> str:
    """2025-06-17T12:03:04.567Z."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
