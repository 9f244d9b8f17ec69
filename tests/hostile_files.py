"""Spreadsheets made to hurt a server that reads them, built in memory for the tests and for
``bench/uploads.py``."""

import io
import itertools
import struct
import zipfile
import zlib
from collections.abc import Iterable

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["Colaborador", "Nome dentista", "CRO", "UF do CRO", "Tipo", "CPF"]
_MIB = 1 << 20


def workbook() -> bytes:
    """A small, honest .xlsx: a tab ``Casos`` with a header and one case."""
    book = openpyxl.Workbook()
    book.active.title = "Casos"
    book.active.append(HEADER)
    book.active.append(["Ana", "CÉLIA", "3333", "SP", "F"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replaced(data: bytes, parts: dict[str, Iterable[bytes]]) -> bytes:
    """``data`` (a zip) with some parts' content replaced, written chunk by chunk."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            with archive.open(name, "w") as part:
                for chunk in parts.get(name, [source.read(name)]):
                    part.write(chunk)
    return out.getvalue()


def _sheet_with_text(size: int) -> Iterable[bytes]:
    """A tab whose cell A1 holds ``size`` bytes of text."""
    yield f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'.encode()
    yield b'<c r="A1" t="inlineStr"><is><t>'
    for _ in range(size // _MIB):
        yield b"A" * _MIB
    yield b"</t></is></c></row></sheetData></worksheet>"


def zip_bomb(size: int = 1 << 30) -> bytes:
    """An .xlsx whose tab unpacks to ``size`` bytes (1 GiB: about 1 MB packed)."""
    return replaced(workbook(), {SHEET: _sheet_with_text(size)})


def lying_zip_bomb(size: int = 1 << 30, declared: int = 1000) -> bytes:
    """An .xlsx whose workbook part says it holds ``declared`` bytes but unpacks to ``size``.

    Its CRC is that of the first ``declared`` bytes, so a reader that stops at the declared
    size finds nothing wrong; ``ZipFile.read`` inflates up to 1 GiB before it stops.
    """
    name = "xl/workbook.xml"  # read whole by openpyxl before any tab
    data = bytearray(replaced(workbook(), {name: _sheet_with_text(size)}))
    crc = zlib.crc32(b"".join(itertools.islice(_sheet_with_text(size), 3))[:declared])
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    central = data.rindex(name.encode()) - 46
    struct.pack_into("<L", data, local + 14, crc)
    struct.pack_into("<L", data, local + 22, declared)
    struct.pack_into("<L", data, central + 16, crc)
    struct.pack_into("<L", data, central + 24, declared)
    return bytes(data)


def billion_laughs(levels: int = 10) -> bytes:
    """An .xlsx whose tab declares entities that expand tenfold per level (10**levels laughs)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)
    )
    sheet = (
        f"<!DOCTYPE worksheet [{entities}]>"
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        f'<c r="A1" t="inlineStr"><is><t>&lol{levels};</t></is></c></row></sheetData></worksheet>'
    )
    return replaced(workbook(), {SHEET: [sheet.encode()]})


def far_cell(reference: str = "XFD1048576") -> bytes:
    """An .xlsx whose tab has one value in the header row and one at ``reference``."""
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nome dentista</t></is></c></row>'
        f'<row r="{reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
        f'<c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return replaced(workbook(), {SHEET: [sheet.encode()]})


def declared_dimension(ref: str = "A1:XFD1048576") -> bytes:
    """An .xlsx whose tab says it spans ``ref`` but holds a header and one case."""
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="{ref}"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nome dentista</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>CÉLIA</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return replaced(workbook(), {SHEET: [sheet.encode()]})


def csv_of_rows(count: int = 100_000) -> bytes:
    """A CSV with a header and ``count`` short rows of cases."""
    lines = [";".join(HEADER)] + [f"Ana;DENTISTA {n};{n};SP;F;" for n in range(count)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
