"""The Sheets UI: what people change and see in the stand-in's spreadsheets, and their script."""

import copy
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.standin.a1 import Span, cell_index, check_grid
from tests.standin.apps_script import AppsScript
from tests.standin.cells import enter, rows_of
from tests.standin.dimensions import delete_dimension, insert_dimension, move_dimension, sort_rows
from tests.standin.grid import Book, Cell, Sheet, Value, check_cap, new_sheet_id, rfc3339
from tests.standin.values import put_values

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class SheetsUI:
    """The spreadsheets as people change and see them in the browser; SheetsStandIn adds the API."""

    def __init__(self) -> None:
        self.clock: Callable[[], float] = time.monotonic
        self.script_lock_refused = False  # the script's LockService.tryLock fails
        self._lock = threading.RLock()
        self._books: dict[str, Book] = {}
        self._scripts: dict[str, AppsScript] = {}

    def create_spreadsheet(
        self,
        title: str = "Planilha sem título",
        worksheets: Iterable[str] = ("Página1",),
        shared_with: Iterable[str] = (),
    ) -> str:
        """Create a spreadsheet of empty 1000x26 worksheets; its 44-character id."""
        key = "1" + "".join(secrets.choice(ID_ALPHABET) for _ in range(43))
        book = Book(key, title, frozenset(shared_with), [], _now(), _now())
        for title_of_sheet in worksheets:
            sheet_id = new_sheet_id(book) if book.sheets else 0
            book.sheets.append(Sheet(sheet_id, title_of_sheet))
        with self._lock:
            self._books[key] = book
        return key

    def copy_spreadsheet(self, source: "SheetsUI", key: str, title: str | None = None) -> str:
        """File → Make a copy: the spreadsheet ``key`` of ``source`` (possibly another stand-in),
        with its sharing and its bound script (a copy takes both along), as a new file here;
        its id."""
        with source._lock:
            original, script = source._books[key].copy(), source._scripts.get(key)
        new_key = "1" + "".join(secrets.choice(ID_ALPHABET) for _ in range(43))
        now = _now()
        book = replace(original, key=new_key, title=title or f"Cópia de {original.title}")
        book = replace(book, created=now, modified=now, unpublished=(), published=None)
        with self._lock:
            self._books[new_key] = book
            if script is not None:
                self._scripts[new_key] = script
        return new_key

    # -- what a person does in the Sheets UI

    def person_type(self, key: str, worksheet: str, cell: str, text: str) -> None:
        """Type `text` into a cell, as USER_ENTERED."""
        self._person_enters(key, worksheet, cell, [[text]])

    def person_paste(self, key: str, worksheet: str, top_left: str, rows: list[list[str]]) -> None:
        """Paste rows of text from the cell `top_left` on, as USER_ENTERED: one edit."""
        self._person_enters(key, worksheet, top_left, rows)

    def person_tick(self, key: str, worksheet: str, cell: str, checked: bool) -> None:
        """Tick or untick a checkbox: the cell becomes TRUE or FALSE."""
        self._person_enters(key, worksheet, cell, [[checked]])

    def person_insert_rows(self, key: str, worksheet: str, before_row: int, count: int = 1) -> None:
        """Insert empty rows above 1-based `before_row`."""
        self._person(key, worksheet, lambda s: insert_dimension(s, 0, before_row - 1, count))

    def person_delete_rows(self, key: str, worksheet: str, row: int, count: int = 1) -> None:
        """Delete `count` rows from 1-based `row`."""
        self._person(key, worksheet, lambda s: delete_dimension(s, 0, row - 1, row - 1 + count))

    def person_move_column(self, key: str, worksheet: str, from_col: int, to_col: int) -> None:
        """Drag the 1-based column `from_col` so that it becomes column `to_col`."""
        destination = to_col - 1 if to_col < from_col else to_col
        self._person(
            key, worksheet, lambda s: move_dimension(s, 1, from_col - 1, from_col, destination)
        )

    def person_insert_column(self, key: str, worksheet: str, before_col: int, header: str) -> None:
        """Insert an empty column before 1-based `before_col`, then type `header` in row 1."""

        def change(sheet: Sheet) -> None:
            insert_dimension(sheet, 1, before_col - 1, 1)
            header_cell = sheet.cell(0, before_col - 1)
            sheet.put(0, before_col - 1, enter(header_cell, header, "USER_ENTERED"))

        self._person_edits(key, worksheet, (0, 1, before_col - 1, before_col), change)

    def person_sort(self, key: str, worksheet: str, by_col: int, descending: bool = False) -> None:
        """Sort rows 2..last non-empty row by the 1-based column `by_col`."""

        def change(sheet: Sheet) -> None:
            bounds = (1, sheet.last_data_row() + 1, 0, sheet.cols)
            sort_rows(sheet, bounds, [(by_col - 1, descending)])

        self._person(key, worksheet, change)

    def person_open(self, key: str) -> None:
        """Open the spreadsheet in the browser, which runs the installed script's onOpen."""
        self._run_script(key, lambda script, book: script.on_open(book))

    # -- the Apps Script of sheets/apps_script.gs

    def install_script(self, key: str, cases_tab: str = "Casos") -> None:
        """Paste sheets/apps_script.gs into the spreadsheet: people's cell edits run its onEdit."""
        with self._lock:
            self._scripts[key] = AppsScript(cases_tab)

    # -- inspection

    def grid(self, key: str, worksheet: str) -> list[list[Value]]:
        """Effective values, trailing empties trimmed, inner empties as ""."""
        sheet = self._sheet(key, worksheet)
        return rows_of(sheet, (0, sheet.rows, 0, sheet.cols), lambda cell: cell.value)

    def cell(self, key: str, worksheet: str, cell: str) -> Value:
        """A cell's effective value, None if empty."""
        return self._cell(key, worksheet, cell).value

    def is_formula(self, key: str, worksheet: str, cell: str) -> bool:
        """Whether the cell holds a formula."""
        return self._cell(key, worksheet, cell).formula is not None

    def number_format(self, key: str, worksheet: str, cell: str) -> dict | None:
        """The cell's userEnteredFormat.numberFormat."""
        return copy.deepcopy(self._cell(key, worksheet, cell).number_format)

    def validation(self, key: str, worksheet: str, cell: str) -> dict | None:
        """The data validation rule covering the cell."""
        return copy.deepcopy(self._cell(key, worksheet, cell).validation)

    def protected_ranges(self, key: str, worksheet: str) -> list[dict]:
        """The worksheet's protected ranges as spreadsheets.get lists them."""
        return copy.deepcopy(self._sheet(key, worksheet).protected)

    def titles(self, key: str) -> list[str]:
        """The worksheets' titles, in order."""
        with self._lock:
            return [sheet.title for sheet in self._books[key].sheets]

    def hidden(self, key: str, worksheet: str) -> bool:
        """Whether the worksheet is hidden."""
        return self._sheet(key, worksheet).hidden

    def frozen_rows(self, key: str, worksheet: str) -> int:
        """How many rows are frozen."""
        return self._sheet(key, worksheet).frozen_rows

    def grid_size(self, key: str, worksheet: str) -> tuple[int, int]:
        """(rows, columns) of the grid."""
        sheet = self._sheet(key, worksheet)
        return sheet.rows, sheet.cols

    def modified_time(self, key: str) -> str:
        """The file's true last change, which Drive's modifiedTime reports only after a lag."""
        with self._lock:
            return rfc3339(self._books[key].modified)

    # -- changes and lookups

    def _commit(self, draft: Book) -> None:
        # modifiedTime must move on every write, even two in the same millisecond.
        draft.modified = max(_now(), draft.modified + timedelta(milliseconds=1))
        draft.unpublished = (*draft.unpublished, (self.clock(), draft.modified))
        self._books[draft.key] = draft

    def _person(self, key: str, worksheet: str, change: Callable[[Sheet], None]) -> None:
        with self._lock:
            draft = self._books[key].copy()
            change(_worksheet(draft, worksheet))
            check_cap(draft)
            self._commit(draft)

    def _person_edits(
        self,
        key: str,
        worksheet: str,
        bounds: tuple[int, int, int, int],
        change: Callable[[Sheet], None],
    ) -> None:
        """A person's change of the cells in `bounds`, then the script's onEdit for them."""

        def on_edit(script: AppsScript, book: Book) -> bool:
            return script.on_edit(book, Span(_worksheet(book, worksheet), *bounds), _now())

        self._person(key, worksheet, change)
        self._run_script(key, on_edit)

    def _person_enters(self, key: str, worksheet: str, top_left: str, rows: list[list]) -> None:
        r0, c0 = cell_index(top_left)
        bounds = (r0, r0 + len(rows), c0, c0 + max(map(len, rows), default=0))
        if bounds[0] == bounds[1] or bounds[2] == bounds[3]:
            raise ValueError("Nothing to enter")

        def change(sheet: Sheet) -> None:
            check_grid(sheet, *bounds, quoted=True)
            put_values(sheet, r0, c0, rows, "USER_ENTERED")

        self._person_edits(key, worksheet, bounds, change)

    def _run_script(self, key: str, trigger: Callable[[AppsScript, Book], bool]) -> None:
        # Its own change right after the person's, as Google runs the trigger a moment later;
        # without the document lock the script gives up.
        with self._lock:
            script = self._scripts.get(key)
            if script is None or self.script_lock_refused:
                return
            draft = self._books[key].copy()
            if trigger(script, draft):
                check_cap(draft)
                self._commit(draft)

    def _sheet(self, key: str, worksheet: str) -> Sheet:
        with self._lock:
            return _worksheet(self._books[key], worksheet)

    def _cell(self, key: str, worksheet: str, cell: str) -> Cell:
        return self._sheet(key, worksheet).cell(*cell_index(cell))


def _now() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _worksheet(book: Book, title: str) -> Sheet:
    sheet = book.titled(title)
    if sheet is None:
        raise KeyError(f"No worksheet titled {title!r}")
    return sheet
