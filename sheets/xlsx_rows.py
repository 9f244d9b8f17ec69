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
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, to_excel

from sheets.xlsx_package import XlsxError

StyleOf = Callable[[int, str], int]  # (the cell's style now, number format) -> style to write
_ATTR = r"""\s{}=["']([^"']*)["']"""
_R = re.compile(_ATTR.format("r").encode())
_S = re.compile(_ATTR.format("s").encode())
_SPANS = re.compile(_ATTR.format("spans").encode())
_REF = re.compile(_ATTR.format("ref").encode())
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


@dataclass(frozen=True)
class Cell:
    """A value to write; ``number_format`` None keeps the style; ``like`` takes the style of that
    column's cell in the same row instead of this cell's own."""

    value: object
    number_format: str | None = None
    like: int | None = None


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


def patch_rows(
    xml: bytes, rows: Mapping[int, Mapping[int, Cell]], style_of: StyleOf, date1904: bool
) -> bytes:
    """The worksheet ``xml`` with these cells (row -> column -> cell, 1-based) written."""
    tags = _tags_of(xml)
    xml = _opened_sheet_data(xml, tags)
    start, end = _sheet_data(xml, tags)
    found = {number: (a, b) for number, a, b in _row_spans(xml, start, end, tags)}
    after = sorted(found.items(), key=lambda item: item[1][0])
    column_styles = _column_styles(xml, tags)
    edits: list[tuple[int, int, bytes]] = []
    for number in sorted(rows):
        writer = _RowWriter(number, tags, style_of, date1904, column_styles)
        if number in found:
            a, b = found[number]
            edits.append((a, b, writer.patched(xml[a:b], rows[number])))
        else:
            at = next((a for n, (a, _b) in after if n > number), end)
            edits.append((at, at, writer.patched(b"", rows[number])))
    return _with_dimension(_spliced(xml, sorted(edits, key=lambda edit: edit[0])), rows, tags)


def last_row(xml: bytes) -> int:
    """The number of the last row element of the worksheet (0 if it has none)."""
    tags = _tags_of(xml)
    start, end = _sheet_data(xml, tags)
    return max((number for number, _a, _b in _row_spans(xml, start, end, tags)), default=0)


def row_styles(xml: bytes, number: int) -> dict[int, int]:
    """The style of each cell of row ``number``, by column."""
    tags = _tags_of(xml)
    start, end = _sheet_data(xml, tags)
    for found, a, b in _row_spans(xml, start, end, tags):
        if found == number:
            return {column: _style(cell) for column, cell in _cells(xml[a:b], tags)[0].items()}
    return {}


def text_xml(text: str) -> bytes:
    """``text`` as the content of a ``<t>`` element: escaped as Excel reads it back."""
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = _NOT_IN_XML.sub(lambda found: f"_x{ord(found.group()):04X}_", text)
    return text.translate(_XML_TEXT).encode()


def cell_xml(ref: str, value: object, style: int, date1904: bool) -> bytes | None:
    """The ``<c>`` element of ``value`` (None: an empty cell, kept only for its style)."""
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{styled}/>'.encode() if style else None
    if isinstance(value, str):
        head = f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">'.encode()
        return head + text_xml(value) + b"</t></is></c>"
    if isinstance(value, bool):
        return f'<c r="{ref}"{styled} t="b"><v>{int(value)}</v></c>'.encode()
    return f'<c r="{ref}"{styled}><v>{_number(value, date1904)}</v></c>'.encode()


def _number(value: object, date1904: bool) -> str:
    if isinstance(value, datetime | date):
        value = to_excel(value, (date(1904, 1, 1) if date1904 else CALENDAR_WINDOWS_1900))
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return repr(value)
    raise XlsxError(f"o valor {value!r} não cabe numa célula")


class _RowWriter:
    """Writes cells into one row element, keeping its other cells and attributes."""

    def __init__(self, number, tags: _Tags, style_of: StyleOf, date1904: bool, columns) -> None:
        self.number, self.tags, self.style_of = number, tags, style_of
        self.date1904, self.column_styles = date1904, columns

    def patched(self, element: bytes, cells: Mapping[int, Cell]) -> bytes:
        """The row ``element`` (empty: a new row) with ``cells`` written."""
        p = self.tags.prefix
        head, body = _split_row(element, self.number, p)
        kept, tail = _cells(body, self.tags)
        for column, cell in cells.items():
            source = kept.get(cell.like if cell.like is not None else column)
            base = _style(source) if source else self._column_style(column)
            style = self.style_of(base, cell.number_format) if cell.number_format else base
            ref = f"{get_column_letter(column)}{self.number}"
            written = cell_xml(ref, cell.value, style, self.date1904)
            if written is None:
                kept.pop(column, None)
            else:
                kept[column] = written if not p else _prefixed(written, p)
        ordered = [kept[column] for column in sorted(kept)]
        return _with_spans(head, kept) + b"".join(ordered) + tail + b"</" + p + b"row>"

    def _column_style(self, column: int) -> int:
        return next((s for low, high, s in self.column_styles if low <= column <= high), 0)


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
    if end < 0 or b"<!--" in xml[found.end() : end] or b"<![CDATA[" in xml[found.end() : end]:
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


def _with_dimension(xml: bytes, rows: Mapping[int, Mapping[int, Cell]], tags: _Tags) -> bytes:
    """``<dimension ref>`` grown to hold the written cells (left alone if missing)."""
    found = tags.dimension.search(xml)
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
