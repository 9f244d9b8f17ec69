"""The cases' worksheet part kept compressed in independent segments, so that a save
recompresses only the segments holding the rows it writes.

Each segment is raw deflate data ending at a full flush (byte-aligned, no reference to what came
before), so the segments one after the other, closed by an empty final block, are the part's
one deflate stream as the zip holds it; its CRC-32 is combined from theirs. The head (up to the
first row: ``<dimension>``, ``<cols>``...) is a segment, the rows are cut into segments of about
``SEGMENT_SIZE`` bytes at row boundaries, and the tail (``</sheetData>`` onwards) is the last.
"""

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sheets.xlsx_cells import Cell
from sheets.xlsx_package import COMPRESS_LEVEL, Deflated
from sheets.xlsx_rows import StyleOf, layout, patch_span, rows_in, with_dimension, writer_for

SEGMENT_SIZE = 256 * 1024
_FINAL = b"\x03\x00"  # an empty final block (fixed Huffman): closes the stream
_POLY = 0xEDB88320


@dataclass(frozen=True)
class Segment:
    """Raw deflate data of ``size`` bytes with CRC-32 ``crc``; rows ``first`` to ``last``."""

    data: bytes
    size: int
    crc: int
    first: int = 0
    last: int = 0


@dataclass(frozen=True)
class Segmented:
    """A worksheet part as its head, its rows and its tail, each compressed on its own."""

    head: Segment
    rows: tuple[Segment, ...]
    tail: Segment

    def deflated(self) -> Deflated:
        """The part as the zip entry's deflate stream, its CRC-32 and size."""
        parts = (self.head, *self.rows, self.tail)
        crc, size = 0, 0
        for part in parts:
            crc, size = _crc_combine(crc, part.crc, part.size), size + part.size
        return Deflated(b"".join(part.data for part in parts) + _FINAL, crc, size)


def segmented(xml: bytes) -> Segmented | None:
    """The worksheet ``xml`` in segments; None if its rows are not all numbered, in order."""
    xml, start, end, spans = layout(xml)
    numbers = [number for number, _a, _b in spans]
    unnumbered = any(xml.find(b" r=", a, xml.index(b">", a)) < 0 for _n, a, _b in spans)
    if unnumbered or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        return None
    shifted = [(number, a - start, b - start) for number, a, b in spans]
    rows = _row_segments(xml[start:end], shifted)
    return Segmented(_segment(xml[:start]), rows, _segment(xml[end:]))


def patched(
    part: Segmented, rows: Mapping[int, Mapping[int, Cell]], style_of: StyleOf, date1904: bool
) -> Segmented:
    """``part`` with these cells written; only the segments they fall in are recompressed."""
    head = _inflated(part.head)
    writer = writer_for(head, style_of, date1904)
    homes: dict[int, dict[int, Mapping[int, Cell]]] = {}
    for number, cells in rows.items():
        homes.setdefault(_home(part.rows, number), {})[number] = cells
    groups = [[segment] for segment in part.rows]
    for index, chosen in homes.items():
        xml = _inflated(part.rows[index]) if index >= 0 else b""
        xml = patch_span(xml, 0, len(xml), chosen, writer, len(xml))
        segments = list(_row_segments(xml, rows_in(xml, writer)))
        if index >= 0:
            groups[index] = segments
        else:
            groups.append(segments)
    flat = tuple(segment for group in groups for segment in group)
    return Segmented(_segment(with_dimension(head, rows, writer)), flat, part.tail)


def _home(segments: tuple[Segment, ...], number: int) -> int:
    """The segment row ``number`` belongs in (-1: none holds rows yet)."""
    for index, segment in enumerate(segments):
        if number <= segment.last:
            return index
    return len(segments) - 1


def _row_segments(xml: bytes, spans: list[tuple[int, int, int]]) -> tuple[Segment, ...]:
    """Row elements (at ``spans``) cut into segments of about ``SEGMENT_SIZE`` bytes."""
    segments, start, first = [], 0, 0
    for index, (number, _a, end) in enumerate(spans):
        first = first or number
        if index == len(spans) - 1:
            end = len(xml)
        elif end - start < SEGMENT_SIZE:
            continue
        segments.append(replace(_segment(xml[start:end]), first=first, last=number))
        start, first = end, 0
    if start < len(xml):
        segments.append(_segment(xml[start:]))
    return tuple(segments)


def _segment(xml: bytes) -> Segment:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    data = compressor.compress(xml) + compressor.flush(zlib.Z_FULL_FLUSH)
    return Segment(data, len(xml), zlib.crc32(xml))


def _inflated(segment: Segment) -> bytes:
    return zlib.decompressobj(-15).decompress(segment.data)


def _crc_combine(first: int, second: int, length: int) -> int:
    """The CRC-32 of two byte strings joined, from theirs and the second's length (as zlib's
    crc32_combine, which Python's zlib does not offer)."""
    power, bit = 1 << 31, 3  # x^0; the length in bits is length * 2^3
    while length:
        if length & 1:
            power = _times(_X_TO_THE_2_TO_THE[bit % 64], power)
        length >>= 1
        bit += 1
    return _times(power, first) ^ second


def _times(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial (bits reflected, as zlib keeps them)."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    """x to the 2^k modulo the polynomial, for k from 0 to 63."""
    powers = [1 << 30]  # x^1
    for _ in range(63):
        powers.append(_times(powers[-1], powers[-1]))
    return powers


_X_TO_THE_2_TO_THE = _powers()
