"""spreadsheets.values: get, batchGet, update, batchUpdate, append, clear and batchClear."""

import re
from collections.abc import Callable
from dataclasses import replace

from werkzeug.datastructures import MultiDict

from tests.standin.a1 import Span, cells_a1, check_grid, column_letters, parse_a1, sheet_ref
from tests.standin.cells import enter, render, rows_of
from tests.standin.dimensions import grow_to, insert_dimension
from tests.standin.errors import ApiError
from tests.standin.grid import Book, Sheet

# What an endpoint does with the spreadsheet once its request is checked: the answer's body.
Action = Callable[[Book], dict]

_VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
_DATE_TIME_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")


def render_options(args: dict) -> tuple[str, str]:
    """(valueRenderOption, dateTimeRenderOption) of a values read."""
    check_rows(args.get("majorDimension"))
    value = _enum(args, "valueRenderOption", _VALUE_RENDER)
    return value, _enum(args, "dateTimeRenderOption", _DATE_TIME_RENDER)


def response_options(args: dict) -> tuple[str, str] | None:
    """The render options of a write's updatedData, None unless includeValuesInResponse."""
    if str(args.get("includeValuesInResponse", "")).lower() != "true":
        return None
    value = _enum(args, "responseValueRenderOption", _VALUE_RENDER)
    return value, _enum(args, "responseDateTimeRenderOption", _DATE_TIME_RENDER)


def input_option(value: str | None) -> str:
    """A checked valueInputOption."""
    if value is None:
        raise ApiError(400, "'valueInputOption' is required but not specified")
    return _enum({"valueInputOption": value}, "valueInputOption", ("RAW", "USER_ENTERED"))


def _enum(args: dict, name: str, allowed: tuple[str, ...]) -> str:
    value = args.get(name, allowed[0])
    if value not in allowed:
        snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
        type_name = name[0].upper() + name[1:]
        raise ApiError(
            400,
            f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4.{type_name}), "
            f'"{value}"',
        )
    return value


def values_get(args: MultiDict, rng: str) -> Action:
    """values.get."""
    options = render_options(args)
    return lambda book: value_range(parse_a1(book, rng), options)


def values_batch_get(args: MultiDict) -> Action:
    """values.batchGet."""
    options = render_options(args)

    def read(book: Book) -> dict:
        ranges = [value_range(parse_a1(book, r), options) for r in args.getlist("ranges")]
        return {"spreadsheetId": book.key, **({"valueRanges": ranges} if ranges else {})}

    return read


def values_update(args: MultiDict, body: dict | None, rng: str) -> Action:
    """values.update."""
    option = input_option(args.get("valueInputOption"))
    values, options = values_of(body), response_options(args)

    def change(book: Book) -> dict:
        written = update_values(parse_a1(book, rng), values, option)
        return {"spreadsheetId": book.key, **with_data(book, written, options)}

    return change


def values_append(args: MultiDict, body: dict | None, rng: str) -> Action:
    """values.append."""
    option = input_option(args.get("valueInputOption"))
    insert = _enum(args, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"))
    values, options = values_of(body), response_options(args)

    def change(book: Book) -> dict:
        result = append_values(parse_a1(book, rng), values, option, insert == "INSERT_ROWS")
        with_data(book, result["updates"], options)
        result["updates"] = {"spreadsheetId": book.key, **result["updates"]}
        return {"spreadsheetId": book.key, **result}

    return change


def values_batch_update(body: dict | None) -> Action:
    """values.batchUpdate."""
    body = body or {}
    option, options = input_option(body.get("valueInputOption")), response_options(body)
    data = [(item.get("range", ""), values_of(item)) for item in body.get("data", [])]

    def change(book: Book) -> dict:
        spans = [(parse_a1(book, text), values) for text, values in data]
        written = [update_values(span, values, option) for span, values in spans]
        responses = [with_data(book, response, options) for response in written]
        totals = {
            "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
            "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
            "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
            "totalUpdatedSheets": len({span.sheet.sheet_id for span, _ in spans}),
        }
        return {
            "spreadsheetId": book.key,
            **{name: total for name, total in totals.items() if total},
            "responses": [{"spreadsheetId": book.key, **response} for response in responses],
        }

    return change


def values_batch_clear(body: dict | None) -> Action:
    """values.batchClear."""
    ranges = (body or {}).get("ranges", [])

    def change(book: Book) -> dict:
        cleared = [clear_values(parse_a1(book, text))["clearedRange"] for text in ranges]
        return {"spreadsheetId": book.key, **({"clearedRanges": cleared} if cleared else {})}

    return change


def values_clear(rng: str) -> Action:
    """values.clear."""
    return lambda book: {"spreadsheetId": book.key, **clear_values(parse_a1(book, rng))}


def value_range(span: Span, options: tuple[str, str]) -> dict:
    """A ValueRange as values.get answers it."""
    span.check_start()
    result: dict[str, object] = {"range": span.text(), "majorDimension": "ROWS"}
    values = rows_of(span.sheet, span.bounds(), lambda cell: render(cell, *options))
    if values:
        result["values"] = values
    return result


def check_rows(major_dimension: str | None) -> None:
    """Refuse a majorDimension other than ROWS (the default)."""
    if major_dimension not in (None, "ROWS", "DIMENSION_UNSPECIFIED"):
        raise ApiError(400, "The stand-in serves majorDimension=ROWS only.")


def values_of(body: dict | None) -> list[list]:
    """The `values` of a ValueRange body, checked to be rows."""
    body = body or {}
    values = body.get("values", [])
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise ApiError(400, "Invalid value at 'values': expected a list of rows.")
    check_rows(body.get("majorDimension"))
    return values


def put_values(sheet: Sheet, r0: int, c0: int, values: list[list], option: str) -> None:
    """Write rows of values from (r0, c0); None leaves a cell as it is."""
    for r, row in enumerate(values, r0):
        for c, value in enumerate(row, c0):
            if value is not None:
                sheet.put(r, c, enter(sheet.cell(r, c), value, option))


def updated(sheet: Sheet, r0: int, c0: int, values: list[list]) -> dict:
    """The updated* counts of a values write."""
    width = max(map(len, values), default=0)
    if not width:
        return {}
    written = cells_a1(r0, r0 + len(values), c0, c0 + width)
    return {
        "updatedRange": f"{sheet_ref(sheet.title)}!{written}",
        "updatedRows": len(values),
        "updatedColumns": width,
        "updatedCells": sum(map(len, values)),
    }


def update_values(span: Span, values: list[list], option: str) -> dict:
    """values.update: write from the span's first cell, inside the span unless it is one cell."""
    height, width = len(values), max(map(len, values), default=0)
    if not span.single:
        _check_inside(span, height, width)
    check_grid(span.sheet, span.r0, span.r0 + height, span.c0, span.c0 + width, span.quoted)
    put_values(span.sheet, span.r0, span.c0, values, option)
    return {"updatedRange": span.text(), **updated(span.sheet, span.r0, span.c0, values)}


def _check_inside(span: Span, height: int, width: int) -> None:
    where = f"{sheet_ref(span.sheet.title, span.quoted)}!{cells_a1(*span.bounds())}"
    if span.r1 is not None and span.r0 + height > span.r1:
        raise ApiError(
            400,
            f"Requested writing within range [{where}], but tried writing to row [{span.r1 + 1}]",
        )
    if span.c1 is not None and span.c0 + width > span.c1:
        raise ApiError(
            400,
            f"Requested writing within range [{where}], but tried writing to column "
            f"[{column_letters(span.c1)}]",
        )


def append_values(span: Span, values: list[list], option: str, insert_rows: bool) -> dict:
    """values.append: write after the table's last row, growing the grid as needed."""
    sheet = span.sheet
    last = sheet.last_data_row()
    width = max(map(len, values), default=0)
    result: dict[str, object] = {}
    start = span.r0
    # An empty first row means no table: the values go right there (gspread's insert_rows
    # relies on that after inserting a blank row).
    data = [(r, c) for (r, c), cell in sheet.cells.items() if cell.has_data and c >= span.c0]
    if any(r == span.r0 for r, _ in data):
        right = max(c for r, c in data if span.r0 <= r <= last)
        table = cells_a1(span.r0, last + 1, span.c0, right + 1)
        result["tableRange"] = f"{sheet_ref(sheet.title)}!{table}"
        start = last + 1
    grow_to(sheet, 0, start)
    if insert_rows:
        insert_dimension(sheet, 0, start, len(values))
    grow_to(sheet, 0, start + len(values))
    grow_to(sheet, 1, span.c0 + width)
    put_values(sheet, start, span.c0, values, option)
    result["updates"] = updated(sheet, start, span.c0, values)
    return result


def clear_values(span: Span) -> dict:
    """values.clear: drop values and formulas in the span, keeping formats."""
    span.check_start()
    r0, r1, c0, c1 = span.bounds()
    for (r, c), cell in list(span.sheet.cells.items()):
        if r0 <= r < r1 and c0 <= c < c1:
            span.sheet.put(r, c, replace(cell, value=None, formula=None))
    return {"clearedRange": span.text()}


def with_data(book: Book, updates: dict, options: tuple[str, str] | None) -> dict:
    """Write results, with the written values as updatedData when they were asked for."""
    if options and "updatedRange" in updates:
        updates["updatedData"] = value_range(parse_a1(book, updates["updatedRange"]), options)
    return updates
