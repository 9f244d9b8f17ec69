"""Number formats of the styles part (``xl/styles.xml``), added once where a cell needs one.

A cell written with a number format (``dd/mm/yyyy`` for a date) gets the style it had with that
format: its ``<xf>`` in ``<cellXfs>`` copied with another ``numFmtId``, the format added to
``<numFmts>`` if the workbook lacks it. Nothing else of the part changes, and nothing at all
when every style needed is there already.
"""

import html
import re

from openpyxl.styles.numbers import BUILTIN_FORMATS

from sheets.xlsx_package import XlsxError

FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in formats
_BUILTIN = {code: number for number, code in BUILTIN_FORMATS.items()}
_ATTRS = re.compile(rb"""(\w+)=["']([^"']*)["']""")


class Styles:
    """The styles part, and the formats and cell styles added to it while writing."""

    def __init__(self, xml: bytes) -> None:
        root = re.search(rb"<(\w+:)?styleSheet\b[^>]*>", xml)
        if root is None:
            raise XlsxError("a lista de estilos (styles.xml) não é válida")
        self.prefix = root.group(1) or b""
        self.changed = False
        self._derived: dict[tuple[int, str], int] = {}
        self._xml, self._root_end = xml, root.end()
        self._formats = _section(xml, self.prefix + b"numFmts", self.prefix + b"numFmt")
        self._cells = _section(xml, self.prefix + b"cellXfs", self.prefix + b"xf")
        self._codes = dict(_format_entry(element) for element in self._formats.elements)

    def with_format(self, base: int, code: str) -> int:
        """The style ``base`` with number format ``code`` (added if missing)."""
        if (base, code) not in self._derived:
            self._derived[base, code] = self._derive(base, code)
        return self._derived[base, code]

    def _derive(self, base: int, code: str) -> int:
        xfs = self._cells.elements
        if not xfs:
            raise XlsxError("a lista de estilos não tem estilos de célula (cellXfs)")
        base = base if 0 <= base < len(xfs) else 0
        element = xfs[base]
        number = self._format_id(code)
        if _attr(element, b"numFmtId") == str(number).encode():
            return base
        derived = _set_attrs(element, numFmtId=str(number), applyNumberFormat="1")
        if derived not in xfs:
            xfs.append(derived)
            self.changed = True
        return xfs.index(derived)

    def xml(self) -> bytes:
        """The styles part with what was added."""
        xml = self._cells.written(self._xml)
        if self._formats.found:
            return self._formats.written(xml)
        if not self._formats.elements:
            return xml
        return xml[: self._root_end] + self._formats.as_new() + xml[self._root_end :]

    def _format_id(self, code: str) -> int:
        if code in _BUILTIN:
            return _BUILTIN[code]
        if code not in self._codes:
            self._codes[code] = max([FIRST_CUSTOM_FORMAT - 1, *self._codes.values()]) + 1
            attribute = html.escape(code, quote=True).encode()
            tag = self.prefix + b"numFmt"
            number = str(self._codes[code]).encode()
            element = b"<" + tag + b' numFmtId="' + number + b'" formatCode="' + attribute + b'"/>'
            self._formats.elements.append(element)
            self.changed = True
        return self._codes[code]


class _Section:
    """A list element of the styles part (``numFmts``, ``cellXfs``) and its items."""

    def __init__(self, tag: bytes, found: re.Match[bytes] | None, elements: list[bytes]) -> None:
        self.tag, self.found, self.elements = tag, found, elements
        self.count = len(elements)

    def written(self, xml: bytes) -> bytes:
        """``xml`` with this section holding the items added (as it was if none were)."""
        if self.found is None or len(self.elements) == self.count:
            return xml
        opening = self.found.group(1).rstrip(b"/").rstrip() + b">"
        head = _set_attrs(opening, count=str(len(self.elements)))
        body = (self.found.group(2) or b"") + b"".join(self.elements[self.count :])
        closing = b"</" + self.tag + b">"
        return xml[: self.found.start()] + head + body + closing + xml[self.found.end() :]

    def as_new(self) -> bytes:
        """The section as a new element holding its items."""
        count = str(len(self.elements)).encode()
        opening = b"<" + self.tag + b' count="' + count + b'">'
        return opening + b"".join(self.elements) + b"</" + self.tag + b">"


def _section(xml: bytes, tag: bytes, item: bytes) -> _Section:
    """The section ``tag`` of the styles part (its start tag and content) and its items."""
    t = re.escape(tag)
    pattern = rb"(<" + t + rb"\b[^>]*?)(?:/>|>(.*?)</" + t + rb">)"
    found = re.search(pattern, xml, re.S)
    if found is None:
        return _Section(tag, None, [])
    i = re.escape(item)
    items = rb"<" + i + rb"\b[^>]*?(?:/>|>.*?</" + i + rb">)"
    return _Section(tag, found, re.findall(items, found.group(2) or b"", re.S))


def _format_entry(element: bytes) -> tuple[str, int]:
    """A ``<numFmt>``'s format code and id."""
    attrs = dict(_ATTRS.findall(element))
    number = attrs.get(b"numFmtId", b"")
    if not number.isdigit():
        raise XlsxError("a lista de estilos tem um formato de número sem número")
    return html.unescape(attrs.get(b"formatCode", b"").decode()), int(number)


def _attr(element: bytes, name: bytes) -> bytes | None:
    return dict(_ATTRS.findall(element[: element.index(b">")])).get(name)


def _set_attrs(element: bytes, **values: str) -> bytes:
    """``element`` with these attributes of its start tag set (added if missing)."""
    close = element.index(b">")
    head = element[:close].rstrip(b"/").rstrip()
    for name, value in values.items():
        pattern = rb"""(\s""" + name.encode() + rb"""=)["'][^"']*["']"""
        new, replaced = re.subn(pattern, rb'\1"' + value.encode() + b'"', head, count=1)
        head = new if replaced else head + b" " + name.encode() + b'="' + value.encode() + b'"'
    return head + (b"/>" if element[close - 1 : close] == b"/" else b">") + element[close + 1 :]
