"""Where a write's values go in the workbook, and the table as a read of the saved file gives it."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal

from sheets.table import FIRST_DATA_ROW, Append, Table, Write
from sheets.xlsx_cells import Cell

HEADER_ROW = 1
LOG_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0">'
    b'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    b'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
    b'<cols><col min="1" max="6" width="20" customWidth="1"/></cols><sheetData/></worksheet>'
)


def placed(operation: Write, table: Table) -> dict[int, Mapping[str, object]]:
    """The values of ``operation`` by the sheet row they go to."""
    if isinstance(operation, Append):
        return {table.next_row + n: values for n, values in enumerate(operation.rows)}
    return {operation.row: operation.values}


def positions(
    headers: tuple[object, ...], wanted: Iterable[str]
) -> tuple[dict[str, int], dict[int, Cell]]:
    """The 1-based column of each header, and the header cells to add after the last column
    for those the sheet lacks (styled like the last header)."""
    where: dict[str, int] = {}
    last = 0
    for column, text in enumerate(headers, start=1):
        if isinstance(text, str) and text.strip():
            where.setdefault(text.strip(), column)
        if text not in (None, ""):
            last = column
    like = last or None
    added: dict[int, Cell] = {}
    for header in wanted:
        if header not in where:
            last += 1
            where[header] = last
            added[last] = Cell(header, like=like)
    return where, added


def updated(table: Table, cells: Mapping[int, Mapping[int, Cell]]) -> Table:
    """``table`` with ``cells`` written, each value as a read of the saved file gives it."""
    headers, body = table.headers, list(table.rows)
    for number, row in cells.items():
        if number == HEADER_ROW:
            headers = _with(headers, row)
            continue
        index = number - FIRST_DATA_ROW
        body.extend(() for _ in range(index + 1 - len(body)))
        body[index] = _with(body[index], row)
    while body and all(value == "" for value in body[-1]):
        body.pop()
    return Table(headers, tuple(body))


def as_read(value: object) -> object:
    """``value`` as python-calamine reads it back: numbers as floats, a midnight as a date,
    an empty cell as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value
    if isinstance(value, bool | str | float | date):
        return value
    if isinstance(value, int | Decimal):
        return float(value)
    return value


def _with(row: tuple[object, ...], cells: Mapping[int, Cell]) -> tuple[object, ...]:
    values = list(row) + [""] * (max(cells) - len(row))
    for column, cell in cells.items():
        values[column - 1] = as_read(cell.value)
    return tuple(values)
