"""One cell of a worksheet as XML: text as an inline string, numbers, booleans, dates.

Text is written as an inline string (``t="inlineStr"``), never a formula, escaped as Excel
reads it back (``_xHHHH_`` for characters XML cannot hold); dates are serial numbers (the
workbook's 1900 or 1904 system) whose style gives them a date format; booleans are ``t="b"``.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, to_excel

from sheets.xlsx_package import XlsxError

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
