"""``flask sheet init`` for Google: prepare the tab from the column list in one batchUpdate.

Creates the cases tab (and the history tab, and the hidden ``_retencao`` tab where the sheet's
Apps Script logs people's edits) if missing, writes the headers it lacks after its
last column, freezes and protects the header row (warning only, so supervisors can still
edit), and sets dropdowns, checkboxes and number formats on the app's columns wherever they
are. Running it again adds only what is missing; it never moves or deletes a column or a row.
"""

import random
from dataclasses import dataclass

from sheets.book import HISTORY_HEADERS
from sheets.columns import COLUMNS, Column, Kind
from sheets.edit_log import FIRST_SLOT, HEAD_ROWS, LOG_TAB, RING
from sheets.google import GoogleSheetBackend
from sheets.google_client import append_columns, header_cells, log_tab_requests

PROTECTION = "Cabeçalho do Retenção: renomear estas colunas desliga o app delas."
NEW_TAB_ROWS = 1000
_FORMAT_TYPES = {
    Kind.TEXT: "TEXT",
    Kind.CHOICE: "TEXT",
    Kind.MULTI: "TEXT",
    Kind.INT: "NUMBER",
    Kind.DECIMAL: "NUMBER",
    Kind.MONEY: "CURRENCY",
    Kind.DATE: "DATE",
    Kind.DATETIME: "DATE_TIME",
}


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` did."""

    created_tab: bool
    added_headers: tuple[str, ...]


def prepare(backend: GoogleSheetBackend, history_tab: str = "Histórico") -> Prepared:
    """Bring the tab up to the column list: three Sheets calls, the last one a batchUpdate."""
    http, key = backend.http, backend.key
    metadata = backend.retrying(lambda: http.fetch_sheet_metadata(key))
    titles = {s["properties"]["title"] for s in metadata.get("sheets", [])}
    sheet = next(
        (s for s in metadata.get("sheets", []) if s["properties"]["title"] == backend.worksheet),
        None,
    )
    requests: list[dict] = []
    if sheet is None:
        sheet_id, headers, columns = random.randint(1, 2**31 - 1), [], 0
        requests.append(_add_tab(sheet_id, backend.worksheet))
        protected = []
    else:
        properties = sheet["properties"]
        sheet_id, columns = properties["sheetId"], properties["gridProperties"]["columnCount"]
        headers = list(backend.read().headers)
        protected = sheet.get("protectedRanges", [])
    missing = [c for c in COLUMNS if c.header not in {str(h).strip() for h in headers}]
    requests += _column_requests(sheet_id, headers, missing, columns, protected)
    if history_tab not in titles:
        requests.extend(log_tab_requests(history_tab, HISTORY_HEADERS))
    if LOG_TAB not in titles:
        requests.extend(_edit_log_tab())
    backend.retrying(lambda: http.batch_update(key, {"requests": requests}))
    return Prepared(sheet is None, tuple(c.header for c in missing))


def _column_requests(
    sheet_id: int, headers: list, missing: list[Column], columns: int, protected: list[dict]
) -> list[dict]:
    """The missing headers after the last column, the header row frozen and protected, and
    every app column's rules wherever it stands."""
    positions = {str(h).strip(): i for i, h in reversed(list(enumerate(headers)))}
    for offset, column in enumerate(missing):
        positions[column.header] = len(headers) + offset
    requests = []
    width = len(headers) + len(missing)
    if width > columns:
        requests.append(append_columns(sheet_id, width - columns))
    if missing:
        requests.append(header_cells(sheet_id, len(headers), [c.header for c in missing]))
    requests.append(_freeze_header(sheet_id))
    if not any(p.get("description") == PROTECTION for p in protected):
        requests.append(_protect_header(sheet_id))
    for column in COLUMNS:
        requests.extend(_column_rules(sheet_id, positions[column.header], column))
    return requests


def _add_tab(sheet_id: int, title: str) -> dict:
    grid = {"rowCount": NEW_TAB_ROWS, "columnCount": len(COLUMNS)}
    return {
        "addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": grid}}
    }


def _edit_log_tab() -> list[dict]:
    """The hidden tab the sheet's Apps Script logs people's edits in, revision 0."""
    sheet_id = random.randint(1, 2**31 - 1)
    grid = {"rowCount": FIRST_SLOT + RING - 1, "columnCount": len(HEAD_ROWS[-1])}
    properties = {"sheetId": sheet_id, "title": LOG_TAB, "hidden": True, "gridProperties": grid}
    rows = [{"values": [_entered(value) for value in row]} for row in HEAD_ROWS]
    return [
        {"addSheet": {"properties": properties}},
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": rows,
                "fields": "userEnteredValue",
            }
        },
    ]


def _entered(value: object) -> dict:
    kind = "numberValue" if isinstance(value, int) else "stringValue"
    return {"userEnteredValue": {kind: value}}


def _freeze_header(sheet_id: int) -> dict:
    return {
        "updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount",
        }
    }


def _protect_header(sheet_id: int) -> dict:
    header_row = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1}
    return {
        "addProtectedRange": {
            "protectedRange": {"range": header_row, "description": PROTECTION, "warningOnly": True}
        }
    }


def _column_rules(sheet_id: int, index: int, column: Column) -> list[dict]:
    cells = {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "startColumnIndex": index,
        "endColumnIndex": index + 1,
    }
    rules = []
    if column.kind in _FORMAT_TYPES:
        number_format = {"type": _FORMAT_TYPES[column.kind], "pattern": column.number_format}
        rules.append(
            {
                "repeatCell": {
                    "range": cells,
                    "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    if column.kind is Kind.CHOICE:
        options = [{"userEnteredValue": choice} for choice in column.choices]
        condition = {"type": "ONE_OF_LIST", "values": options}
        rules.append(_validation(cells, condition, strict=True))
    if column.kind is Kind.BOOL:
        rules.append(_validation(cells, {"type": "BOOLEAN"}, strict=True))
    return rules


def _validation(cells: dict, condition: dict, strict: bool) -> dict:
    rule = {"condition": condition, "strict": strict, "showCustomUi": True}
    return {"setDataValidation": {"range": cells, "rule": rule}}
