"""The requests of spreadsheets.batchUpdate: sheets, dimensions, sorting, protection and cells."""

import copy
import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace

from tests.standin.a1 import Span, check_grid, exceeds
from tests.standin.cells import cell_fields, cell_from_data, mask_paths
from tests.standin.dimensions import (
    delete_dimension,
    insert_dimension,
    move_dimension,
    set_size,
    sort_rows,
)
from tests.standin.errors import ApiError
from tests.standin.grid import GRID_COLS, GRID_ROWS, Book, Sheet, check_cap, new_sheet_id

_AXES = {"ROWS": 0, "COLUMNS": 1}


def grid_span(book: Book, grid_range: dict) -> Span:
    """A GridRange as a span, refused if it reaches past the grid."""
    sheet = book.by_id(grid_range.get("sheetId", 0))
    r0, c0 = grid_range.get("startRowIndex", 0), grid_range.get("startColumnIndex", 0)
    r1 = grid_range.get("endRowIndex", sheet.rows)
    c1 = grid_range.get("endColumnIndex", sheet.cols)
    if not (0 <= r0 <= r1 and 0 <= c0 <= c1):
        raise ApiError(400, "The range's start must not come after its end.")
    check_grid(sheet, r0, r1, c0, c1, quoted=True)
    return Span(sheet, r0, r1, c0, c1, quoted=True)


def _dimension(
    book: Book, dimension_range: dict, inserting: bool = False
) -> tuple[Sheet, int, int, int]:
    sheet = book.by_id(dimension_range.get("sheetId", 0))
    axis = _AXES.get(dimension_range.get("dimension", ""))
    if axis is None:
        raise ApiError(400, "dimension must be ROWS or COLUMNS.")
    start = dimension_range.get("startIndex", 0)
    end = dimension_range.get("endIndex", sheet.size(axis))
    if not 0 <= start < end:
        raise ApiError(400, "startIndex must be less than endIndex.")
    if (start if inserting else end) > sheet.size(axis):
        rows = (start, end, 0, sheet.cols) if axis == 0 else (0, sheet.rows, start, end)
        raise exceeds(sheet, *rows, quoted=True)
    return sheet, axis, start, end


def _each_cell(span: Span) -> Iterable[tuple[int, int]]:
    r0, r1, c0, c1 = span.bounds()
    return ((r, c) for r in range(r0, r1) for c in range(c0, c1))


def _free_title(book: Book, title: str, renamed: Sheet | None = None) -> str:
    if book.titled(title) not in (None, renamed):
        raise ApiError(
            400, f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    return title


def add_sheet(book: Book, body: dict) -> dict:
    """addSheet."""
    properties = body.get("properties", {})
    grid = properties.get("gridProperties", {})
    sheet_id = properties.get("sheetId", new_sheet_id(book))
    if any(sheet.sheet_id == sheet_id for sheet in book.sheets):
        raise ApiError(400, f"A sheet with id {sheet_id} already exists.")
    default_title = next(
        f"Página{n}" for n in range(len(book.sheets) + 1, 10**6) if not book.titled(f"Página{n}")
    )
    sheet = Sheet(
        sheet_id,
        _free_title(book, properties.get("title") or default_title),
        grid.get("rowCount", GRID_ROWS),
        grid.get("columnCount", GRID_COLS),
        grid.get("frozenRowCount", 0),
        grid.get("frozenColumnCount", 0),
        bool(properties.get("hidden", False)),
    )
    index = properties.get("index", len(book.sheets))
    book.sheets.insert(index, sheet)
    return {"addSheet": {"properties": sheet.metadata(book.sheets.index(sheet))["properties"]}}


_SHEET_FIELDS = (
    "title",
    "index",
    "hidden",
    "gridProperties.rowCount",
    "gridProperties.columnCount",
    "gridProperties.frozenRowCount",
    "gridProperties.frozenColumnCount",
)


def update_sheet_properties(book: Book, body: dict) -> dict:
    """updateSheetProperties, for the fields in _SHEET_FIELDS."""
    properties = body.get("properties", {})
    grid = properties.get("gridProperties", {})
    sheet = book.by_id(properties.get("sheetId", 0))
    for name in _sheet_fields(body.get("fields")):
        if name == "title":
            sheet.title = _free_title(book, properties.get("title", ""), renamed=sheet)
        elif name == "index":
            book.sheets.remove(sheet)
            book.sheets.insert(properties.get("index", 0), sheet)
        elif name == "hidden":
            sheet.hidden = bool(properties.get("hidden", False))
        elif name == "gridProperties.frozenRowCount":
            sheet.frozen_rows = grid.get("frozenRowCount", 0)
        elif name == "gridProperties.frozenColumnCount":
            sheet.frozen_cols = grid.get("frozenColumnCount", 0)
        else:
            axis = int(name == "gridProperties.columnCount")
            set_size(sheet, axis, grid.get(name.split(".")[1], 0))
    return {}


def _sheet_fields(mask: str | None) -> list[str]:
    names = []
    for name in mask_paths(mask):
        if name in ("*", "gridProperties"):
            names += [f for f in _SHEET_FIELDS if name == "*" or f.startswith(name)]
        elif name in _SHEET_FIELDS:
            names.append(name)
        else:
            raise ApiError(400, f"The stand-in does not model the field '{name}'.")
    return names


def append_dimension(book: Book, body: dict) -> dict:
    """appendDimension."""
    sheet = book.by_id(body.get("sheetId", 0))
    axis = _AXES.get(body.get("dimension", ""))
    length = body.get("length", 0)
    if axis is None or length < 1:
        raise ApiError(400, "appendDimension needs dimension ROWS or COLUMNS and length >= 1.")
    sheet.resize(axis, sheet.size(axis) + length)
    return {}


def insert_dimension_request(book: Book, body: dict) -> dict:
    """insertDimension."""
    sheet, axis, start, end = _dimension(book, body.get("range", {}), inserting=True)
    insert_dimension(sheet, axis, start, end - start, body.get("inheritFromBefore", False))
    return {}


def delete_dimension_request(book: Book, body: dict) -> dict:
    """deleteDimension."""
    sheet, axis, start, end = _dimension(book, body.get("range", {}))
    if end - start >= sheet.size(axis):
        raise ApiError(400, f"You can't delete all the {('rows', 'columns')[axis]} on the sheet.")
    delete_dimension(sheet, axis, start, end)
    return {}


def move_dimension_request(book: Book, body: dict) -> dict:
    """moveDimension."""
    sheet, axis, start, end = _dimension(book, body.get("source", {}))
    destination = body.get("destinationIndex", 0)
    if not 0 <= destination <= sheet.size(axis):
        raise ApiError(400, f"destinationIndex {destination} is outside the grid.")
    move_dimension(sheet, axis, start, end, destination)
    return {}


def sort_range(book: Book, body: dict) -> dict:
    """sortRange."""
    span = grid_span(book, body.get("range", {}))
    specs = [
        (spec.get("dimensionIndex", 0), spec.get("sortOrder", "ASCENDING") == "DESCENDING")
        for spec in body.get("sortSpecs", [])
    ]
    _, _, c0, c1 = span.bounds()
    if not specs or any(not c0 <= column < c1 for column, _ in specs):
        raise ApiError(400, "Each sortSpecs[].dimensionIndex must be a column of the range.")
    sort_rows(span.sheet, span.bounds(), specs)
    return {}


def add_protected_range(book: Book, body: dict) -> dict:
    """addProtectedRange."""
    # Google leaves unset fields out, and gspread sends them as nulls.
    protected = {
        k: copy.deepcopy(v) for k, v in body.get("protectedRange", {}).items() if v is not None
    }
    sheet = grid_span(book, protected.get("range", {})).sheet
    protected["protectedRangeId"] = protected.get("protectedRangeId") or secrets.randbelow(2**31)
    protected["requestingUserCanEdit"] = True
    sheet.protected.append(protected)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(protected)}}


def delete_protected_range(book: Book, body: dict) -> dict:
    """deleteProtectedRange."""
    wanted = body.get("protectedRangeId")
    for sheet in book.sheets:
        kept = [p for p in sheet.protected if p["protectedRangeId"] != wanted]
        if len(kept) < len(sheet.protected):
            sheet.protected = kept
            return {}
    raise ApiError(400, f"No protected range with id: {wanted}")


def set_data_validation(book: Book, body: dict) -> dict:
    """setDataValidation; no rule clears validation."""
    span = grid_span(book, body.get("range", {}))
    rule = body.get("rule")
    for r, c in _each_cell(span):
        span.sheet.put(r, c, replace(span.sheet.cell(r, c), validation=rule))
    return {}


def repeat_cell(book: Book, body: dict) -> dict:
    """repeatCell."""
    span = grid_span(book, body.get("range", {}))
    fields, data = cell_fields(body.get("fields")), body.get("cell", {})
    for r, c in _each_cell(span):
        span.sheet.put(r, c, cell_from_data(span.sheet.cell(r, c), data, fields))
    return {}


def update_cells(book: Book, body: dict) -> dict:
    """updateCells, from `start` (only the given cells) or over `range` (the rest cleared)."""
    fields = cell_fields(body.get("fields"))
    rows = [row.get("values", []) for row in body.get("rows", [])]
    if "start" in body:
        start = body["start"]
        sheet = book.by_id(start.get("sheetId", 0))
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        width = max(map(len, rows), default=0)
        check_grid(sheet, r0, r0 + len(rows), c0, c0 + width, quoted=True)
        targets = [(r0 + i, c0 + j) for i, row in enumerate(rows) for j in range(len(row))]
    else:
        span = grid_span(book, body.get("range", {}))
        sheet, r0, c0 = span.sheet, span.r0, span.c0
        targets = list(_each_cell(span))
    for r, c in targets:
        row = rows[r - r0] if r - r0 < len(rows) else []
        data = row[c - c0] if c - c0 < len(row) else {}
        sheet.put(r, c, cell_from_data(sheet.cell(r, c), data, fields))
    return {}


REQUESTS: dict[str, Callable[[Book, dict], dict]] = {
    "addSheet": add_sheet,
    "updateSheetProperties": update_sheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension_request,
    "deleteDimension": delete_dimension_request,
    "moveDimension": move_dimension_request,
    "sortRange": sort_range,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "setDataValidation": set_data_validation,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
}


def apply_requests(book: Book, requests: list[dict]) -> list[dict]:
    """Apply batchUpdate requests in order to a draft book; the replies, or the first error."""
    if not requests:
        raise ApiError(400, "Must specify at least one request.")
    replies = []
    for i, request in enumerate(requests):
        kind = next(iter(request), "") if isinstance(request, dict) else ""
        try:
            if len(request) != 1 or kind not in REQUESTS:
                raise ApiError(400, "the stand-in does not model this request.")
            replies.append(REQUESTS[kind](book, request[kind]))
            check_cap(book)
        except ApiError as error:
            raise ApiError(400, f"Invalid requests[{i}].{kind}: {error.message}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ApiError(400, f"Invalid requests[{i}].{kind}: malformed ({error!r}).") from None
    return replies
