"""Case lists as files people open in Excel, and spreadsheets of past cases read back.

Both directions use the column list: exports write every column of ``COLUMNS`` in order under
its header; imports find columns by their header text, folded for accents and case.

The CSV is written the way Excel in Portuguese opens it with a double click: UTF-8 with a BOM,
``;`` between cells, CRLF line ends, dates ``dd/mm/aaaa``, numbers with a decimal comma and no
thousands dots (``1234,56``), ticked items as ``VERDADEIRO``/``FALSO`` (what Excel pt-BR shows
for the sheet's checkboxes, and turns back into checkbox values), several options in one cell
separated by ``; ``. CPF and CNPJ go out with their punctuation (``012.345.678-90``) so that
Excel keeps them as text with their leading zeros. A text that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets an apostrophe in front (``'=HYPERLINK(...)``), so no
spreadsheet program runs it as a formula; the import takes that apostrophe off again.

The XLSX holds typed cells like the case sheet: date cells, number cells, text cells that are
never formulas.
"""

import csv
import io
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from babel.numbers import format_decimal
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from retention import documents, ptbr
from retention.case import Case
from sheets import codec
from sheets.book import fingerprint
from sheets.columns import COLUMNS, HEADERS, Column

CSV_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
TRUE_TEXT, FALSE_TEXT = "VERDADEIRO", "FALSO"
MAX_ROWS = 2_000
MAX_COLUMNS = 300
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"

_DOCUMENTS = {"cpf": documents.format_cpf, "cnpj": documents.format_cnpj}
_CSV_ENCODINGS = ("utf-8-sig", "cp1252")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other Office binary files
_ACCEPTED = "envie uma planilha .xlsx ou um arquivo .csv"


class UnreadableFile(ValueError):
    """An uploaded file that is not a spreadsheet the import can read; the message is pt-BR."""


# Export


def guard_formula(text: str) -> str:
    """``text`` with an apostrophe in front if a spreadsheet would take it for a formula."""
    return FORMULA_GUARD + text if text.startswith(FORMULA_STARTS) else text


def unguard_formula(text: str) -> str:
    """``text`` without the apostrophe ``guard_formula`` put in front of it."""
    if text.startswith(FORMULA_GUARD) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_text(column: Column, value: object) -> str:
    """One cell of the CSV: an encoded value (``codec.encode_value``) as Excel pt-BR reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if isinstance(value, datetime):
        return ptbr.format_datetime(value)
    if isinstance(value, date):
        return ptbr.format_date(value)
    if isinstance(value, Decimal):
        return format_decimal(value, format="0.00##", locale=ptbr.LOCALE)
    if isinstance(value, int):
        return str(value)
    text = _DOCUMENTS.get(column.field, str)(str(value))
    return guard_formula(text)


def to_csv(cases: Iterable[Case]) -> bytes:
    """Every column of ``cases`` as CSV for Excel pt-BR, header row first."""
    rows = (codec.encode(case) for case in cases)
    return excel_csv(
        [HEADERS, *([csv_text(col, values[col.header]) for col in COLUMNS] for values in rows)]
    )


def excel_csv(rows: Iterable[Iterable[str]]) -> bytes:
    """``rows`` as a CSV file that Excel in Portuguese opens as columns: UTF-8 with a BOM,
    ``;`` between cells, CRLF between rows."""
    out = io.StringIO()
    csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(cases: Iterable[Case], title: str = "Casos") -> bytes:
    """Every column of ``cases`` as a workbook of typed cells, header row first."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "B2"
    for position, column in enumerate(COLUMNS, start=1):
        width = max(12, min(40, len(column.header) + 4))
        sheet.column_dimensions[get_column_letter(position)].width = width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in HEADERS])
    for case in cases:
        values = codec.encode(case)
        sheet.append(
            [_cell(sheet, values[c.header], number_format=c.number_format) for c in COLUMNS]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: object, **style: object) -> WriteOnlyCell:
    """A cell that shows ``value`` typed: a text is never taken for a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


# Import


@dataclass(frozen=True)
class Upload:
    """A spreadsheet as read from a file: its header row and its data rows.

    ``rows`` pairs each row with its number as the file shows it (the header is row 1);
    rows with no value at all are left out.
    """

    kind: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    source: str

    def example(self, position: int) -> object:
        """The first value found in column ``position``, to show what the column holds."""
        for _number, cells in self.rows:
            if position < len(cells) and not _blank(cells[position]):
                return cells[position]
        return None


def read_upload(filename: str, data: bytes, worksheet: str = "Casos") -> Upload:
    """Read an uploaded .xlsx or .csv; UnreadableFile says in pt-BR what is wrong with it."""
    kind = file_kind(filename, data)
    if kind == "xlsx":
        return _read_xlsx(data, worksheet)
    return _read_csv(data)


def file_kind(filename: str, data: bytes) -> str:
    """``"xlsx"`` or ``"csv"``, judged by the name and the first bytes."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data:
        raise UnreadableFile("O arquivo está vazio.")
    if suffix == "xls" or data.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            "Arquivo do Excel 97-2003 (.xls) não é aceito: abra-o no Excel e use Salvar como"
            " > Pasta de Trabalho do Excel (.xlsx) ou CSV UTF-8."
        )
    if suffix in ("xlsx", "xlsm") or (not suffix and data.startswith(_ZIP_MAGIC)):
        return "xlsx"
    if suffix in ("csv", "txt") or not suffix:
        return "csv"
    raise UnreadableFile(f"Tipo de arquivo não aceito (.{suffix}): {_ACCEPTED}.")


def _read_xlsx(data: bytes, worksheet: str) -> Upload:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles and extensions openpyxl does not know
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook[worksheet] if worksheet in workbook.sheetnames else None
                sheet = sheet or workbook.worksheets[0]
                upload = _upload("xlsx", sheet.iter_rows(values_only=True), f"aba {sheet.title}")
            finally:
                workbook.close()
    except UnreadableFile:
        raise
    except Exception as error:  # a damaged or foreign file fails in many ways inside openpyxl
        raise UnreadableFile(
            f"O arquivo não é uma planilha .xlsx válida: {_ACCEPTED}. Se ele abre no Excel, use"
            " Salvar como > Pasta de Trabalho do Excel (.xlsx)."
        ) from error
    return upload


def _read_csv(data: bytes) -> Upload:
    if b"\x00" in data[:4096] or data.startswith(_ZIP_MAGIC):
        raise UnreadableFile(f"O arquivo não parece um CSV (texto): {_ACCEPTED}.")
    for encoding in _CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(
            "Não foi possível ler o texto do CSV: salve-o como CSV UTF-8 (no Excel: Salvar como"
            " > CSV UTF-8)."
        )
    separator = _separator(text)
    try:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        label = "ponto e vírgula" if separator == ";" else "vírgula"
        name = "UTF-8" if encoding.startswith("utf") else "Windows-1252"
        return _upload("csv", records, f"CSV separado por {label}, texto {name}")
    except csv.Error as error:
        raise UnreadableFile(f"O CSV está malformado ({error}): confira o arquivo.") from error


def _separator(text: str) -> str:
    """``;`` or ``,``: whichever splits the header line into more cells."""
    line = text.split("\n", 1)[0]
    cells = {sep: len(next(csv.reader([line], delimiter=sep), [])) for sep in (";", ",")}
    return "," if cells[","] > cells[";"] else ";"


def _upload(kind: str, rows: Iterable[Sequence[object]], source: str) -> Upload:
    """The header row (the first row with anything in it) and the numbered rows below it.

    Columns run up to the last one with a title or a value in any row.
    """
    header: tuple[object, ...] | None = None
    body: list[tuple[int, tuple[object, ...]]] = []
    for number, cells in enumerate(rows, start=1):
        row = _cells(kind, tuple(cells[: MAX_COLUMNS + 1]))
        if all(cell is None for cell in row):
            continue
        if header is None:
            header = row
            continue
        if len(body) == MAX_ROWS:
            raise UnreadableFile(
                f"O arquivo tem mais de {ptbr.format_int(MAX_ROWS)} linhas de casos: divida-o"
                " em partes e importe uma de cada vez."
            )
        body.append((number, row))
    if header is None:
        raise UnreadableFile("O arquivo não tem nenhuma linha preenchida.")
    width = max(_width(header), *(_width(row) for _number, row in body))
    if width > MAX_COLUMNS:
        raise UnreadableFile(
            f"O arquivo tem mais de {MAX_COLUMNS} colunas. Confira se a primeira linha"
            " preenchida é a dos títulos das colunas."
        )
    headers = tuple("" if cell is None else str(cell).strip() for cell in header)
    headers += ("",) * (width - len(headers))
    return Upload(kind, headers[:width], tuple(body), source)


def _width(row: tuple[object, ...]) -> int:
    """How many cells of ``row`` there are up to its last value."""
    return max((position + 1 for position, cell in enumerate(row) if cell is not None), default=0)


def _cells(kind: str, cells: tuple[object, ...]) -> tuple[object, ...]:
    """Cell values as the import reads them: CSV text without the formula guard, blanks None."""
    if kind == "csv":
        return tuple(None if _blank(c) else unguard_formula(str(c)) for c in cells)
    return tuple(None if _blank(c) else c for c in cells)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position: 0 -> A, 27 -> AB."""
    return get_column_letter(position + 1)


def header_key(text: str) -> str:
    """A header as compared when guessing: no accents, case, punctuation or extra blanks."""
    folded = ptbr.fold(text).replace("°", "o")
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def guess_mapping(headers: Sequence[str], columns: Sequence[Column]) -> list[Column | None]:
    """For each file header, the column whose header reads the same (each column once)."""
    by_key = {header_key(col.header): col for col in reversed(columns)}
    taken: set[str] = set()
    guessed: list[Column | None] = []
    for header in headers:
        column = by_key.get(header_key(header))
        if column is None or column.header in taken:
            guessed.append(None)
        else:
            taken.add(column.header)
            guessed.append(column)
    return guessed


# Identity of an imported case

Key = tuple[object, ...]
KEY_REASONS = {
    "id": "mesmo ID do caso e mesmo CRO",
    "protocolo": "mesmo Nº do protocolo",
    "cro": "mesmos CRO, UF do CRO e Data início",
    "conteúdo": "todos os campos iguais",
}


def identity_keys(case: Case) -> set[Key]:
    """What tells that two cases are the same case, one key per kind of ``KEY_REASONS``.

    The ID counts together with the CRO (an ID from another sheet may name another case);
    the Nº do protocolo counts when it holds a digit (``-`` or ``N/A`` say nothing).
    """
    cro = documents.normalize(case.cro)
    keys: set[Key] = {("conteúdo", tuple(sorted(fingerprint(case).items())))}
    if case.case_id:
        keys.add(("id", case.case_id.strip().upper(), cro))
    if protocol := _protocol(case):
        keys.add(("protocolo", protocol))
    if cro and case.start_date:
        keys.add(("cro", cro, case.cro_uf, case.start_date))
    return keys


def _protocol(case: Case) -> str:
    protocol = re.sub(r"\s", "", case.protocol).upper()
    return protocol if re.search(r"\d", protocol) else ""


class KnownCases:
    """Cases already there, found again by any of their identity keys."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self._keys: dict[Key, tuple[str, str]] = {}
        for case in cases:
            self.add(case, case.case_id)

    def add(self, case: Case, label: str) -> None:
        """Know ``case`` from now on, shown as ``label`` (its ID, or its row in the file)."""
        for key in identity_keys(case):
            self._keys.setdefault(key, (label, _protocol(case)))

    def find(self, case: Case) -> tuple[str, str] | None:
        """``(label, why)`` of the known case that ``case`` is, or None if it is a new one.

        Two cases with different protocol numbers are different cases, whatever their ID,
        CRO, UF and Data início.
        """
        keys = identity_keys(case)
        mine = _protocol(case)
        for kind, reason in KEY_REASONS.items():
            for key in keys:
                if key[0] != kind or key not in self._keys:
                    continue
                label, theirs = self._keys[key]
                if mine and theirs and mine != theirs:
                    continue
                return label, reason
        return None


def iter_mapped(
    upload: Upload, mapping: Sequence[Column | None]
) -> Iterator[tuple[int, dict[Column, object]]]:
    """Each row's non-blank values under the column it is mapped to; rows left empty skipped."""
    for number, cells in upload.rows:
        values = {
            column: cells[position]
            for position, column in enumerate(mapping)
            if column is not None and position < len(cells) and cells[position] is not None
        }
        if values:
            yield number, values
