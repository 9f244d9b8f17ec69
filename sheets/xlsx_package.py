"""An .xlsx file as its zip of parts: where a tab's worksheet is, and saving a few parts anew.

Saving copies every part it is not given as it is in the file, still compressed, byte for byte
(charts, images, drawings, comments, slicers, shared strings, styles, ...), and compresses only
the parts given. Only adding a tab (the history) adds parts: its worksheet part, and one entry
in each of ``xl/workbook.xml`` (``<sheet>``), ``xl/_rels/workbook.xml.rels`` (its relationship)
and ``[Content_Types].xml`` (its content type).
"""

import copy
import html
import os
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from xml.etree import ElementTree

RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET = f"{RELATIONSHIPS}/worksheet"
TABLE = f"{RELATIONSHIPS}/table"
STYLES = f"{RELATIONSHIPS}/styles"
OFFICE_DOCUMENT = f"{RELATIONSHIPS}/officeDocument"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CONTENT_TYPES = "[Content_Types].xml"
COMPRESS_LEVEL = 1  # the one part rewritten per save: speed matters more than bytes
_DATA_DESCRIPTOR = 0x08  # sizes after the data: not needed, they go in the local header
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Deflated:
    """A part already compressed: raw deflate data, the CRC-32 and size of what it holds."""

    data: bytes
    crc: int
    size: int


Part = bytes | Deflated


class XlsxError(ValueError):
    """The file is not an .xlsx the app can read or patch; the message says why, in pt-BR."""


class Package:
    """The parts of an .xlsx file open for reading (``file`` stays open while it is used)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        try:
            self.zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError):
            raise XlsxError("o arquivo não é um .xlsx válido") from None
        targets = self.related("", OFFICE_DOCUMENT)
        if not targets:
            raise XlsxError("o arquivo não tem a pasta de trabalho (workbook.xml)")
        self.workbook = targets[0]
        root = _parsed(self.part(self.workbook))
        self.sheets = {
            element.get("name", ""): element.get(f"{{{RELATIONSHIPS}}}id", "")
            for element in root.iter()
            if element.tag.endswith("}sheet")
        }
        properties = next((e for e in root.iter() if e.tag.endswith("}workbookPr")), None)
        date1904 = properties.get("date1904", "0") if properties is not None else "0"
        self.date1904 = date1904.lower() in ("1", "true")

    def part(self, name: str) -> bytes:
        """The bytes of the part ``name``."""
        try:
            return self.zip.read(name)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            raise XlsxError(f"a parte {name} do arquivo falta ou está danificada") from None

    def sheet(self, name: str) -> str | None:
        """The worksheet part of the tab ``name``, or None if there is no such tab."""
        if name not in self.sheets:
            return None
        targets = self._relationships(self.workbook)
        found = targets.get(self.sheets[name])
        return found[1] if found and found[0] == WORKSHEET else None

    def related(self, part: str, kind: str) -> list[str]:
        """The parts ``part`` (``""``: the package) relates to with relationships of ``kind``."""
        return [target for k, target in self._relationships(part).values() if k == kind]

    def added_sheet(self, name: str, xml: bytes) -> tuple[str, dict[str, Part]]:
        """A new tab ``name`` holding ``xml``: its part name, and the parts to save for it."""
        names = set(self.zip.namelist())
        folder = posixpath.dirname(self.workbook)
        number = 1 + max(
            (int(n) for n in re.findall(r"sheet(\d+)\.xml$", " ".join(names))), default=0
        )
        while posixpath.join(folder, f"worksheets/sheet{number}.xml") in names:
            number += 1
        part = posixpath.join(folder, f"worksheets/sheet{number}.xml")
        rels = _rels_name(self.workbook)
        ids = set(self._relationships(self.workbook))
        rid = next(f"rId{n}" for n in range(len(ids) + 1, len(ids) + 1000) if f"rId{n}" not in ids)
        target = posixpath.relpath(part, folder)
        relationship = f'<Relationship Id="{rid}" Type="{WORKSHEET}" Target="{target}"/>'
        override = f'<Override PartName="/{part}" ContentType="{WORKSHEET_TYPE}"/>'
        return part, {
            part: xml,
            self.workbook: self._with_sheet_entry(name, rid),
            rels: _inserted(self.part(rels), "Relationships", relationship),
            CONTENT_TYPES: _inserted(self.part(CONTENT_TYPES), "Types", override),
        }

    def save(self, target: str | os.PathLike[str], parts: Mapping[str, Part]) -> None:
        """Write the package to ``target`` with ``parts`` replaced or added."""
        with open(target, "wb") as raw:
            with zipfile.ZipFile(raw, "w") as out:
                for info in self.zip.infolist():
                    if info.filename in parts:
                        _write(out, info.filename, parts[info.filename])
                    else:
                        _copy_raw(self.file, info, out)
                for name in parts.keys() - set(self.zip.namelist()):
                    _write(out, name, parts[name])

    def _with_sheet_entry(self, name: str, rid: str) -> bytes:
        xml = self.part(self.workbook)
        declared = re.search(rb'xmlns:(\w+)="' + re.escape(RELATIONSHIPS.encode()) + b'"', xml)
        prefix = declared.group(1).decode() if declared else "r"
        namespace = "" if declared else f' xmlns:r="{RELATIONSHIPS}"'
        numbers = [int(n) for n in re.findall(rb"""sheetId=["'](\d+)["']""", xml)]
        entry = (
            f'<sheet name="{html.escape(name, quote=True)}" sheetId="{max(numbers, default=0) + 1}"'
            f'{namespace} {prefix}:id="{rid}"/>'
        )
        return _inserted(xml, "sheets", entry)

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Each relationship of ``part`` by id: (type, the part it points to)."""
        name = _rels_name(part)
        if name not in self.zip.namelist():
            return {}
        found = {}
        for element in _parsed(self.part(name)).iter():
            if element.tag.endswith("}Relationship") and element.get("TargetMode") != "External":
                target = element.get("Target", "")
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
                found[element.get("Id", "")] = (element.get("Type", ""), resolved)
        return found


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _parsed(xml: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise XlsxError("uma parte do arquivo não é XML válido") from None


def _inserted(xml: bytes, parent: str, element: str) -> bytes:
    """``element`` added as the last child of the first ``parent`` element of ``xml``."""
    found = re.search(rb"</(\w+:)?" + parent.encode() + rb">", xml)
    if found is None:
        raise XlsxError(f"o arquivo não tem a lista {parent}")
    prefix = found.group(1) or b""
    tagged = re.sub(rb"^<(\w)", b"<" + prefix + rb"\1", element.encode())
    return xml[: found.start()] + tagged + xml[found.start() :]


def _write(out: zipfile.ZipFile, name: str, part: Part) -> None:
    info = zipfile.ZipInfo(name, date_time=_now())
    info.compress_type = zipfile.ZIP_DEFLATED
    if isinstance(part, bytes):
        out.writestr(info, part, compresslevel=COMPRESS_LEVEL)
        return
    info.CRC, info.file_size, info.compress_size = part.crc, part.size, len(part.data)
    _append(out, info, [part.data])


def _now() -> tuple[int, int, int, int, int, int]:
    moment = datetime.now()
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _copy_raw(source: BinaryIO, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one entry's compressed bytes as they are."""
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise XlsxError(f"a parte {info.filename} do arquivo está danificada")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    source.seek(info.header_offset + 30 + name_length + extra_length)
    entry = copy.copy(info)
    entry.flag_bits &= ~_DATA_DESCRIPTOR
    _append(out, entry, _chunks(source, info))


def _chunks(source: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    remaining = info.compress_size
    while remaining:
        chunk = source.read(min(_CHUNK, remaining))
        if not chunk:
            raise XlsxError(f"a parte {info.filename} do arquivo está incompleta")
        remaining -= len(chunk)
        yield chunk


def _append(out: zipfile.ZipFile, info: zipfile.ZipInfo, chunks: Iterable[bytes]) -> None:
    """Add an entry whose data is already compressed: zipfile has no public way to, so this
    writes the local header and the data itself and registers the entry as writestr does."""
    info.header_offset = out.fp.tell()  # type: ignore[union-attr]
    out.fp.write(info.FileHeader())  # type: ignore[union-attr]
    for chunk in chunks:
        out.fp.write(chunk)  # type: ignore[union-attr]
    out.filelist.append(info)
    out.NameToInfo[info.filename] = info
    out.start_dir = out.fp.tell()  # type: ignore[union-attr]


def grown_table(xml: bytes, first: int, last: int) -> bytes | None:
    """An Excel Table part (``xl/tables/tableN.xml``) whose range ends just above row ``first``,
    grown down to row ``last``; None if the rows do not continue it (or it has a totals row)."""
    root = re.search(rb"<(\w+:)?table\b[^>]*>", xml)
    ref = (
        re.search(rb"""\sref=["']([A-Z]+\d+):([A-Z]+)(\d+)["']""", root.group(0)) if root else None
    )
    totals = re.search(rb"""\stotalsRowCount=["']([1-9])""", root.group(0)) if root else None
    if ref is None or totals is not None or int(ref.group(3)) != first - 1:
        return None
    old = ref.group(1) + b":" + ref.group(2) + ref.group(3)
    new = ref.group(1) + b":" + ref.group(2) + str(last).encode()
    return re.sub(
        rb"""(\sref=["'])""" + re.escape(old) + rb"""(["'])""", rb"\g<1>" + new + rb"\2", xml
    )
