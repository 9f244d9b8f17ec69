"""A model of sheets/apps_script.gs: what its simple triggers change in a stand-in spreadsheet.

SheetsStandIn.install_script runs it; tests/test_apps_script.py holds it and the script itself
(under node) to the same scenarios.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.standin.a1 import Span
from tests.standin.batch_requests import add_sheet
from tests.standin.cells import SERIAL_EPOCH, as_number
from tests.standin.grid import Book, Sheet, Value
from tests.standin.values import put_values

CASES_TAB = "Casos"
LOG_TAB = "_retencao"
ID_HEADER = "ID do caso"
SCRIPT_VERSION = 1
RING = 50
MAX_ROWS = 50

LABELS = ["Revisão", "Primeira linha", "Última linha", "IDs", "Quando"]
FIRST_SLOT = 3  # 0-based row of revision 1's slot
TIME_ZONE = ZoneInfo("America/Sao_Paulo")  # the timeZone of the stand-in's spreadsheets
DATE_TIME = {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm:ss"}


class AppsScript:
    """The script as pasted into one spreadsheet, whose cases live in the tab `cases_tab`."""

    def __init__(self, cases_tab: str = CASES_TAB) -> None:
        self.cases_tab = cases_tab

    def on_edit(self, book: Book, edited: Span, now: datetime) -> bool:
        """onEdit after a person changed the cells of `edited`; whether it wrote anything."""
        if edited.sheet.title != self.cases_tab:
            return False
        r0, r1, _, _ = edited.bounds()
        log = log_tab(book)
        revision = last_revision(log) + 1
        slot = FIRST_SLOT + (revision - 1) % RING
        put_values(log, slot, 0, [[revision, r0 + 1, r1, edited_ids(edited)]], "USER_ENTERED")
        put_moment(log, slot, 4, now)
        put_values(log, 0, 1, [[revision], [SCRIPT_VERSION]], "USER_ENTERED")
        return True

    def on_open(self, book: Book) -> bool:
        """onOpen: the log tab exists and says the script is installed; always writes."""
        put_values(log_tab(book), 1, 1, [[SCRIPT_VERSION]], "USER_ENTERED")
        return True


def log_tab(book: Book) -> Sheet:
    """The log tab; a missing one is created with its labels and hidden."""
    log = book.titled(LOG_TAB)
    if log is None:
        reply = add_sheet(book, {"properties": {"title": LOG_TAB, "hidden": True}})
        log = book.by_id(reply["addSheet"]["properties"]["sheetId"])
        put_values(log, 0, 0, [["Revisão", 0], ["Versão do script"], LABELS], "USER_ENTERED")
    return log


def last_revision(log: Sheet) -> int:
    """B1 as the script's Number() reads it: empty is 0."""
    value = log.cell(0, 1).value
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"{LOG_TAB}!B1 holds {value!r}: the script would find no slot row for it")


def edited_ids(edited: Span) -> str:
    """The IDs in the edited rows, one per line; "*" when the app must re-read the whole tab."""
    r0, r1, c0, c1 = edited.bounds()
    if r0 == 0 or r1 - r0 > MAX_ROWS:
        return "*"
    column = id_column(edited.sheet)
    if column is None or c0 <= column < c1:
        return "*"
    return "\n".join(js_string(edited.sheet.cell(r, column).value).strip() for r in range(r0, r1))


def id_column(sheet: Sheet) -> int | None:
    """The 0-based column whose header is ID_HEADER, the leftmost if several."""
    headers = ((c, cell.value) for (r, c), cell in sheet.cells.items() if r == 0)
    return min((c for c, value in headers if js_string(value).strip() == ID_HEADER), default=None)


def js_string(value: Value) -> str:
    """A cell's value as JavaScript's String() writes what getValues() returns for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def put_moment(sheet: Sheet, row: int, col: int, moment: datetime) -> None:
    """Write a Date as setValues does: a serial number in the spreadsheet's time zone."""
    local = moment.astimezone(TIME_ZONE).replace(tzinfo=None)
    serial = as_number((local - SERIAL_EPOCH) / timedelta(days=1))
    cell = sheet.cell(row, col)
    number_format = cell.number_format or DATE_TIME
    sheet.put(row, col, replace(cell, value=serial, formula=None, number_format=number_format))
