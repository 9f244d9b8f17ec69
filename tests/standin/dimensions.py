"""Rows and columns of a sheet: inserted, deleted, moved, resized and sorted, formats following."""

from collections.abc import Callable

from tests.standin.errors import ApiError
from tests.standin.grid import Cell, Sheet

_BOUND_KEYS = (("startRowIndex", "endRowIndex"), ("startColumnIndex", "endColumnIndex"))


def _move_protected(sheet: Sheet, axis: int, start: Callable, end: Callable) -> None:
    low, high = _BOUND_KEYS[axis]
    for protected in sheet.protected:
        grid = protected.get("range", {})
        if low in grid:
            grid[low] = start(grid[low])
        if high in grid:
            grid[high] = end(grid[high])


def grow_to(sheet: Sheet, axis: int, size: int) -> None:
    """Make the grid at least `size` rows (axis 0) or columns (axis 1)."""
    sheet.resize(axis, max(sheet.size(axis), size))


def insert_dimension(
    sheet: Sheet, axis: int, start: int, count: int, from_before: bool = True
) -> None:
    """Insert `count` rows/columns before index `start`, formatted like their neighbour."""
    sheet.reindex(axis, lambda i: i + count if i >= start else i)
    _move_protected(
        sheet,
        axis,
        lambda b: b + count if b >= start else b,
        lambda b: b + count if b > start else b,
    )
    sheet.resize(axis, sheet.size(axis) + count)
    after = start + count if start + count < sheet.size(axis) else None
    before = start - 1 if start > 0 else None
    neighbour = before if before is not None and (from_before or after is None) else after
    if neighbour is not None:
        _copy_formats(sheet, axis, neighbour, range(start, start + count))


def _copy_formats(sheet: Sheet, axis: int, source: int, targets: range) -> None:
    line = [(key, cell) for key, cell in sheet.cells.items() if key[axis] == source]
    for (r, c), cell in line:
        if cell.number_format or cell.validation:
            formats = Cell(number_format=cell.number_format, validation=cell.validation)
            for target in targets:
                sheet.put(*((r, target) if axis else (target, c)), formats)


def delete_dimension(sheet: Sheet, axis: int, start: int, end: int) -> None:
    """Delete rows/columns [start, end)."""
    count = end - start

    def shift(bound: int) -> int:
        return bound - min(max(bound - start, 0), count)

    sheet.reindex(axis, lambda i: i if i < start else None if i < end else i - count)
    _move_protected(sheet, axis, shift, shift)
    sheet.resize(axis, sheet.size(axis) - count)


def move_dimension(sheet: Sheet, axis: int, start: int, end: int, destination: int) -> None:
    """Move rows/columns [start, end) to `destination`, counted before they are removed."""
    order = list(range(sheet.size(axis)))
    block = order[start:end]
    del order[start:end]
    at = destination if destination <= start else destination - len(block)
    order[at:at] = block
    sheet.reindex(axis, {old: new for new, old in enumerate(order)}.get)


def set_size(sheet: Sheet, axis: int, size: int) -> None:
    """Set the row/column count, dropping cells past it."""
    if size < 1:
        raise ApiError(400, "A sheet needs at least one row and one column.")
    sheet.reindex(axis, lambda i: i if i < size else None)
    sheet.resize(axis, size)


def sort_rows(
    sheet: Sheet, bounds: tuple[int, int, int, int], specs: list[tuple[int, bool]]
) -> None:
    """Sort rows r0..r1 of columns c0..c1 by (column, descending) specs; blanks go last."""
    r0, r1, c0, c1 = bounds
    rows = [[sheet.cell(r, c) for c in range(c0, c1)] for r in range(r0, r1)]
    for column, descending in reversed(specs):
        rows.sort(key=lambda row: _sort_key(row[column - c0], descending), reverse=descending)
    for r, row in enumerate(rows, r0):
        for c, cell in enumerate(row, c0):
            sheet.put(r, c, cell)


def _sort_key(cell: Cell, descending: bool) -> tuple:
    value = cell.value
    # Sheets orders numbers, then text, then booleans; blanks stay last either way.
    if value is None:
        rank, key = 0, 0
    elif isinstance(value, bool):
        rank, key = 2, value
    elif isinstance(value, str):
        rank, key = 1, value.casefold()
    else:
        rank, key = 0, value
    blank_last = value is not None if descending else value is None
    return blank_last, rank, key
