"""Rows of one worksheet part (``xl/worksheets/sheetN.xml``) patched as bytes.

Only the ``<row>`` elements that get cells and the ``<dimension ref>`` change; every other byte of
the part (columns, views, merged cells, conditional formats, validations, extensions...) stays
as it was, and so do the untouched cells of a patched row. Text is written as an inline string
(``t="inlineStr"``), never a formula, so the shared strings part is never touched; dates are
numbers with a date style, booleans ``t="b"``. Reads a worksheet as spreadsheet programs write
it: no comments or CDATA inside ``<sheetData>``.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from sheets.xlsx_cells import Cell, cell_xml
from sheets.xlsx_package import XlsxError

StyleOf = Callable[[int, str], int]  # (the cell's style now, number format) -> style to write
_ATTR = r"""\s{}=["']([^"']*)["']"""
_R = re.compile(_ATTR.format("r").encode())
_S = re.compile(_ATTR.format("s").encode())
_SPANS = re.compile(_ATTR.format("spans").encode())
_REF = re.compile(_ATTR.format("ref").encode())


@dataclass(frozen=True)
class _Tags:
    row: re.Pattern[bytes]
    row_end: bytes
    cell: re.Pattern[bytes]
    sheet_data: re.Pattern[bytes]
    sheet_data_end: bytes
    dimension: re.Pattern[bytes]
    col: re.Pattern[bytes]
    prefix: bytes


@dataclass(frozen=True)
class Writer:
    """How cells go into one worksheet: its tags, its columns' styles, the styles, dates."""

    tags: _Tags
    column_styles: list[tuple[int, int, int]]
    style_of: StyleOf
    date1904: bool


def writer_for(head: bytes, style_of: StyleOf, date1904: bool) -> Writer:
    """The writer of the worksheet whose part starts with ``head`` (up to its rows)."""
    tags = _tags_of(head)
    return Writer(tags, _column_styles(head, tags), style_of, date1904)


def layout(xml: bytes) -> tuple[bytes, int, int, list[tuple[int, int, int]]]:
    """The worksheet (an empty ``<sheetData/>`` opened), where its rows start and end, and
    each row element's (number, start, end)."""
    tags = _tags_of(xml)
    xml = _opened_sheet_data(xml, tags)
    start, end = _sheet_data(xml, tags)
    return xml, start, end, _row_spans(xml, start, end, tags)


def patch_rows(
    xml: bytes, rows: Mapping[int, Mapping[int, Cell]], style_of: StyleOf, date1904: bool
) -> bytes:
    """The worksheet ``xml`` with these cells (row -> column -> cell, 1-based) written."""
    xml, start, end, _spans = layout(xml)
    writer = writer_for(xml[:start], style_of, date1904)
    return with_dimension(patch_span(xml, start, end, rows, writer, end), rows, writer)


def patch_span(
    xml: bytes,
    start: int,
    end: int,
    rows: Mapping[int, Mapping[int, Cell]],
    writer: Writer,
    insert_at: int,
) -> bytes:
    """``xml`` with ``rows`` written into the row elements between ``start`` and ``end``; a
    new row goes before the first row numbered above it, else at ``insert_at``."""
    found = {number: (a, b) for number, a, b in _row_spans(xml, start, end, writer.tags)}
    after = sorted(found.items(), key=lambda item: item[1][0])
    edits: list[tuple[int, int, bytes]] = []
    for number in sorted(rows):
        row = _RowWriter(number, writer)
        if number in found:
            a, b = found[number]
            edits.append((a, b, row.patched(xml[a:b], rows[number])))
        else:
            at = next((a for n, (a, _b) in after if n > number), insert_at)
            edits.append((at, at, row.patched(b"", rows[number])))
    return _spliced(xml, sorted(edits, key=lambda edit: edit[0]))


def rows_in(xml: bytes, writer: Writer) -> list[tuple[int, int, int]]:
    """(number, start, end) of each row element of a run of rows ``xml``."""
    return _row_spans(xml, 0, len(xml), writer.tags)


def last_row(xml: bytes) -> int:
    """The number of the last row element of the worksheet (0 if it has none)."""
    return max((number for number, _a, _b in layout(xml)[3]), default=0)


class _RowWriter:
    """Writes cells into one row element, keeping its other cells and attributes."""

    def __init__(self, number: int, writer: Writer) -> None:
        self.number, self.writer, self.tags = number, writer, writer.tags

    def patched(self, element: bytes, cells: Mapping[int, Cell]) -> bytes:
        """The row ``element`` (empty: a new row) with ``cells`` written."""
        p = self.tags.prefix
        head, body = _split_row(element, self.number, p)
        kept, tail = _cells(body, self.tags)
        for column, cell in cells.items():
            source = kept.get(cell.like if cell.like is not None else column)
            base = _style(source) if source else self._column_style(column)
            fmt = cell.number_format
            style = self.writer.style_of(base, fmt) if fmt else base
            ref = f"{get_column_letter(column)}{self.number}"
            written = cell_xml(ref, cell.value, style, self.writer.date1904)
            if written is None:
                kept.pop(column, None)
            else:
                kept[column] = written if not p else _prefixed(written, p)
        ordered = [kept[column] for column in sorted(kept)]
        return _with_spans(head, kept) + b"".join(ordered) + tail + b"</" + p + b"row>"

    def _column_style(self, column: int) -> int:
        styles = self.writer.column_styles
        return next((s for low, high, s in styles if low <= column <= high), 0)


def _split_row(element: bytes, number: int, prefix: bytes) -> tuple[bytes, bytes]:
    """The row's start tag (never self-closing) and its content."""
    if not element:
        return b"<" + prefix + b'row r="' + str(number).encode() + b'">', b""
    close = element.index(b">") + 1
    head = element[:close]
    if head.endswith(b"/>"):
        return head[:-2].rstrip() + b">", b""
    return head, element[close : -len(b"</" + prefix + b"row>")]


def _cells(body: bytes, tags: _Tags) -> tuple[dict[int, bytes], bytes]:
    """Each ``<c>`` element of a row's content by column, and what follows the last one."""
    cells: dict[int, bytes] = {}
    column, end = 0, 0
    for found in tags.cell.finditer(body):
        ref = _R.search(found.group(0)[: found.group(0).index(b">")])
        column = column_index_from_string(_letters(ref.group(1))) if ref else column + 1
        cells[column], end = found.group(0), found.end()
    return cells, body[end:]


def _letters(ref: bytes) -> str:
    return ref.rstrip(b"0123456789").decode()


def _with_spans(head: bytes, cells: Mapping[int, bytes]) -> bytes:
    """The row's start tag with its ``spans`` hint (if it has one) covering its cells."""
    found = _SPANS.search(head)
    if not found or not cells:
        return head
    first, _sep, last = found.group(1).partition(b":")
    try:
        low, high = min(int(first), min(cells)), max(int(last or first), max(cells))
    except ValueError:
        return head
    return head[: found.start(1)] + f"{low}:{high}".encode() + head[found.end(1) :]


def _style(cell: bytes) -> int:
    found = _S.search(cell[: cell.index(b">")])
    return int(found.group(1)) if found and found.group(1).isdigit() else 0


def _prefixed(cell: bytes, prefix: bytes) -> bytes:
    """A cell written without a prefix, in a worksheet whose elements use ``prefix``."""
    return re.sub(rb"<(/?)(c|is|t|v)\b", rb"<\1" + prefix + rb"\2", cell)


def _row_spans(xml: bytes, start: int, end: int, tags: _Tags) -> list[tuple[int, int, int]]:
    """(number, start, end) of every row element between ``start`` and ``end``."""
    spans, number = [], 0
    for found in tags.row.finditer(xml, start, end):
        ref = _R.search(found.group(0))
        number = int(ref.group(1)) if ref else number + 1
        close = found.end() if found.group(1) else xml.index(tags.row_end, found.end())
        spans.append((number, found.start(), close + (0 if found.group(1) else len(tags.row_end))))
    return spans


def _opened_sheet_data(xml: bytes, tags: _Tags) -> bytes:
    """``xml`` with an empty ``<sheetData/>`` written as an open and a close tag."""
    found = tags.sheet_data.search(xml)
    if found is None or not found.group(1):
        return xml
    opening = found.group(0)[:-2].rstrip() + b">"
    return xml[: found.start()] + opening + tags.sheet_data_end + xml[found.end() :]


def _sheet_data(xml: bytes, tags: _Tags) -> tuple[int, int]:
    """Where ``<sheetData>``'s content starts and ends."""
    found = tags.sheet_data.search(xml)
    if found is None:
        raise XlsxError("a aba não tem a lista de linhas (sheetData)")
    if found.group(1):
        return found.end(), found.end()
    end = xml.find(tags.sheet_data_end, found.end())
    odd = (xml.find(mark, found.end(), end) >= 0 for mark in (b"<!--", b"<![CDATA["))
    if end < 0 or any(odd):
        raise XlsxError("a aba tem linhas num formato que o app não lê")
    return found.end(), end


def _column_styles(xml: bytes, tags: _Tags) -> list[tuple[int, int, int]]:
    """The style people gave whole columns (``<col min max style>``)."""
    styles = []
    for found in tags.col.finditer(xml):
        attrs = dict(re.findall(rb"""(\w+)=["']([^"']*)["']""", found.group(0)))
        numbers = [attrs.get(name, b"") for name in (b"min", b"max", b"style")]
        if all(number.isdigit() for number in numbers):
            low, high, style = (int(number) for number in numbers)
            styles.append((low, high, style))
    return styles


def with_dimension(xml: bytes, rows: Mapping[int, Mapping[int, Cell]], writer: Writer) -> bytes:
    """``<dimension ref>`` grown to hold the written cells (left alone if missing)."""
    found = writer.tags.dimension.search(xml)
    ref = _REF.search(found.group(0)) if found else None
    columns = [column for cells in rows.values() for column in cells]
    if found is None or ref is None or not columns:
        return xml
    try:
        bounds = range_boundaries(ref.group(1).decode())
    except ValueError:
        return xml
    low_col, low_row, high_col, high_row = (bound or 1 for bound in bounds)
    low_col, high_col = min(low_col, *columns), max(high_col, *columns)
    low_row, high_row = min(low_row, *rows), max(high_row, *rows)
    new = f"{get_column_letter(low_col)}{low_row}:{get_column_letter(high_col)}{high_row}"
    tag = found.group(0)[: ref.start(1)] + new.encode() + found.group(0)[ref.end(1) :]
    return xml[: found.start()] + tag + xml[found.end() :]


def _spliced(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    pieces, position = [], 0
    for start, end, replacement in edits:
        pieces += [xml[position:start], replacement]
        position = end
    pieces.append(xml[position:])
    return b"".join(pieces)


def _tags_of(xml: bytes) -> _Tags:
    root = re.search(rb"<(\w+:)?worksheet[\s>/]", xml)
    if root is None:
        raise XlsxError("a aba não é uma planilha de dados (worksheet)")
    return _tags(root.group(1) or b"")


@lru_cache
def _tags(prefix: bytes) -> _Tags:
    p = re.escape(prefix)
    return _Tags(
        row=re.compile(rb"<" + p + rb"row\b[^>]*?(/?)>"),
        row_end=b"</" + prefix + b"row>",
        cell=re.compile(rb"<" + p + rb"c\b[^>]*?(?:/>|>.*?</" + p + rb"c>)", re.S),
        sheet_data=re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>"),
        sheet_data_end=b"</" + prefix + b"sheetData>",
        dimension=re.compile(rb"<" + p + rb"dimension\b[^>]*>"),
        col=re.compile(rb"<" + p + rb"col\b[^>]*>"),
        prefix=prefix,
    )
