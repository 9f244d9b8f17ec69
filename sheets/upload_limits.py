"""What an uploaded spreadsheet may hold, checked before it is parsed.

A zip bomb, an XML entity bomb, a tab of millions of cells or a CSV of endless lines is refused
with a pt-BR message in time and memory bounded by the limits, which are settings (``SETTINGS``).
"""

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from xml.parsers import expat

from openpyxl.utils import column_index_from_string, get_column_letter

from retention import ptbr

SETTINGS = {
    "unzipped_bytes": "RETENCAO_IMPORT_MAX_UNZIPPED_BYTES",
    "zip_ratio": "RETENCAO_IMPORT_MAX_ZIP_RATIO",
    "zip_members": "RETENCAO_IMPORT_MAX_ZIP_MEMBERS",
    "cells": "RETENCAO_IMPORT_MAX_CELLS",
    "csv_lines": "RETENCAO_IMPORT_CSV_MAX_LINES",
    "csv_line_bytes": "RETENCAO_IMPORT_CSV_MAX_LINE_BYTES",
}
RATIO_GRACE_BYTES = 1_000_000  # small parts (styles, themes) may compress well: no ratio check
EXCEL_COLUMNS = 16_384  # a row with more cells than Excel has columns is no workbook's
INVALID_XLSX = (
    "O arquivo não é uma planilha .xlsx válida: envie uma planilha .xlsx ou um arquivo .csv. Se"
    " ele abre no Excel, use Salvar como > Pasta de Trabalho do Excel (.xlsx)."
)
_PACKED_CHUNK = 1024  # deflate inflates at most ~1.032 times: ~1 MB out per step
_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")  # as openpyxl reads it
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class UnreadableFile(ValueError):
    """An uploaded file that is not a spreadsheet the import can read; the message is pt-BR."""


@dataclass(frozen=True)
class UploadLimits:
    """How much an uploaded file may hold; each limit is the setting named in ``SETTINGS``."""

    unzipped_bytes: int
    zip_ratio: int
    zip_members: int
    cells: int
    csv_lines: int
    csv_line_bytes: int

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> "UploadLimits":
        """The limits as the app's settings give them."""
        return cls(**{name: int(str(config[key])) for name, key in SETTINGS.items()})


def check_xlsx(data: bytes, limits: UploadLimits) -> None:
    """Refuse a zip too big once unpacked, or whose XML declares a DTD or too many cells.

    Errors of the libraries (a damaged zip, zlib) are left for the caller to report.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    _check_directory(members, limits)
    for member in members:
        _check_member(data, member, limits.cells)


def _check_directory(members: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    """The sizes the zip declares: how many parts, how big unpacked, how compressed."""
    if len(members) > limits.zip_members:
        raise UnreadableFile(
            f"O arquivo .xlsx tem {ptbr.format_int(len(members))} partes internas (o limite é"
            f" {ptbr.format_int(limits.zip_members)}): não parece uma planilha comum e não foi"
            " lido."
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unzipped_bytes:
        raise UnreadableFile(
            f"A planilha descompactada teria {ptbr.format_int(unpacked)} bytes (o limite é"
            f" {ptbr.format_int(limits.unzipped_bytes)}): divida-a em partes menores e importe"
            " uma de cada vez."
        )
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(INVALID_XLSX)  # Excel never uses them; bzip2 unpacks unbounded
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > RATIO_GRACE_BYTES and ratio > limits.zip_ratio:
            raise UnreadableFile(
                f"Uma parte do arquivo .xlsx se expande {ptbr.format_int(ratio)} vezes ao ser"
                f" descompactada (o limite é {ptbr.format_int(limits.zip_ratio)}): não parece"
                " uma planilha comum e não foi lido."
            )


def _check_member(data: bytes, member: zipfile.ZipInfo, cell_limit: int) -> None:
    """Unpack one part in small steps, parsing it as XML if it is XML, and keep none of it."""
    cells = _Cells(cell_limit)
    parser: expat.XMLParserType | None = _parser(cells)
    for chunk in _unpacked(data, member):
        if parser is not None:
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError:
                parser = None  # not XML (an image), or broken: openpyxl cannot read past it either
    if parser is not None:
        try:
            parser.Parse(b"", True)
        except expat.ExpatError:
            pass  # truncated XML: openpyxl stops at the same place


def _unpacked(data: bytes, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, refused as soon as they overrun the size it declares.

    zipfile checks that size only after inflating up to 1 GiB in one ``read()``, which is how
    openpyxl reads every part but the tabs.
    """
    name_length, extra_length = struct.unpack_from("<HH", data, member.header_offset + 26)
    start = member.header_offset + 30 + name_length + extra_length
    packed = memoryview(data)[start : start + member.compress_size]
    stored = member.compress_type == zipfile.ZIP_STORED
    inflater = None if stored else zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    for offset in range(0, len(packed), _PACKED_CHUNK):
        piece = packed[offset : offset + _PACKED_CHUNK]
        chunk = bytes(piece) if inflater is None else inflater.decompress(piece)
        produced += len(chunk)
        if produced > member.file_size:
            raise UnreadableFile(_OVERRUN)
        yield chunk
    if produced != member.file_size or (inflater is not None and not inflater.eof):
        raise UnreadableFile(_OVERRUN)


_OVERRUN = (
    "Uma parte do arquivo .xlsx não tem o tamanho que declara: o arquivo está danificado ou foi"
    " montado para travar o servidor, e não foi lido."
)
_DTD = (
    "A planilha contém uma declaração DTD (<!DOCTYPE ...>), que o Excel nunca grava e que pode"
    " esconder uma bomba de XML: o arquivo não foi lido. Abra-o no Excel e salve de novo como"
    " Pasta de Trabalho do Excel (.xlsx)."
)


def _parser(cells: "_Cells") -> expat.XMLParserType:
    """An expat parser as ElementTree makes it, which refuses any DTD and counts cells."""
    parser = expat.ParserCreate(None, "}")

    def refuse_dtd(*_declaration: object) -> None:
        raise UnreadableFile(_DTD)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.StartElementHandler = cells.start
    parser.EndElementHandler = cells.end
    return parser


class _Cells:
    """Counts the cells of a part as openpyxl would read them in a tab: each child of a row."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = self.row_depth = 0
        self.row = self.column = self.in_row = self.count = 0
        self.last_row = self.last_column = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        """An element opens: a cell if its parent is a row."""
        self.depth += 1
        if self.row_depth and self.depth == self.row_depth + 1:
            self._cell(attributes.get("r"))
        elif name.rpartition("}")[2] == "row":
            self.row_depth = self.depth
            self.row = _row_number(attributes["r"]) if "r" in attributes else self.row + 1
            self.column = self.in_row = 0
            self._reach(self.row, 1)

    def end(self, _name: str) -> None:
        """An element closes."""
        if self.depth == self.row_depth:
            self.row_depth = 0
        self.depth -= 1

    def _cell(self, reference: str | None) -> None:
        row, self.column = self.row, self.column + 1
        if reference is not None:
            match = _CELL_REFERENCE.fullmatch(reference)
            if match is None:
                raise UnreadableFile(INVALID_XLSX)
            row, self.column = int(match[2]), column_index_from_string(match[1].upper())
        self.count += 1
        self.in_row += 1
        if self.in_row > EXCEL_COLUMNS:
            raise UnreadableFile(INVALID_XLSX)
        self._reach(row, self.column)

    def _reach(self, row: int, column: int) -> None:
        """Refuse the tab once its cells, or the rectangle up to its last one, pass the limit."""
        self.last_row, self.last_column = max(self.last_row, row), max(self.last_column, column)
        if self.count > self.limit or self.last_row * self.last_column > self.limit:
            last = f"{get_column_letter(self.last_column)}{self.last_row}"
            raise UnreadableFile(
                f"Uma aba da planilha tem mais de {ptbr.format_int(self.limit)} células, contando"
                f" as vazias até a última usada ({last}): deixe no arquivo só a aba dos casos e"
                " apague as linhas e colunas que sobram depois dos dados."
            )


def _row_number(text: str) -> int:
    """A row's ``r`` as openpyxl reads it: ``7`` or ``7.0``."""
    number = float(text)
    if not number.is_integer():
        raise UnreadableFile(INVALID_XLSX)
    return int(number)


def check_csv(data: bytes, limits: UploadLimits) -> None:
    """Refuse a CSV of too many lines, or with a line too long, before it is decoded."""
    breaks = max(data.count(b"\n"), data.count(b"\r"))
    lines = breaks + (not data.endswith((b"\n", b"\r")))
    if lines > limits.csv_lines:
        raise UnreadableFile(
            f"O CSV tem mais de {ptbr.format_int(limits.csv_lines)} linhas: divida-o em partes e"
            " importe uma de cada vez."
        )
    for number, line in enumerate(_LINE_BREAK.split(data), start=1):
        if len(line) > limits.csv_line_bytes:
            raise UnreadableFile(
                f"A linha {ptbr.format_int(number)} do CSV tem {ptbr.format_int(len(line))}"
                f" bytes (o limite é {ptbr.format_int(limits.csv_line_bytes)}): confira se o"
                " arquivo é mesmo uma planilha de casos salva como CSV."
            )
