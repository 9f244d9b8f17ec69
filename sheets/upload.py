"""An uploaded spreadsheet of past cases (.xlsx or .csv) read into a header row and data rows."""

import csv
import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import openpyxl
from openpyxl.xml import functions as openpyxl_xml

from retention import ptbr
from sheets.export import unguard_formula
from sheets.upload_limits import INVALID_XLSX, UnreadableFile, UploadLimits, check_csv, check_xlsx

MAX_ROWS = 2_000
MAX_COLUMNS = 300

_CSV_ENCODINGS = ("utf-8-sig", "cp1252")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other Office binary files
_ACCEPTED = "envie uma planilha .xlsx ou um arquivo .csv"


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


def read_upload(filename: str, data: bytes, worksheet: str, limits: UploadLimits) -> Upload:
    """Read an uploaded .xlsx or .csv within ``limits``; UnreadableFile says what is wrong."""
    kind = file_kind(filename, data)
    if kind == "xlsx":
        return _read_xlsx(data, worksheet, limits)
    return _read_csv(data, limits)


def unprotected_xml() -> str | None:
    """Why openpyxl would parse uploaded XML without defusedxml, in pt-BR; None if it would not."""
    if openpyxl.DEFUSEDXML and openpyxl_xml.iterparse.__module__.startswith("defusedxml"):
        return None
    return (
        "O openpyxl leria o XML das planilhas enviadas sem o defusedxml (pacote não instalado,"
        " ou OPENPYXL_DEFUSEDXML diferente de True): uma planilha com uma bomba de XML poderia"
        " travar o servidor. Instale as dependências com .venv/bin/pip install -r"
        " requirements.txt. O app não foi iniciado."
    )


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


def _read_xlsx(data: bytes, worksheet: str, limits: UploadLimits) -> Upload:
    try:
        check_xlsx(data, limits)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles and extensions openpyxl does not know
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook[worksheet] if worksheet in workbook.sheetnames else None
                sheet = sheet or workbook.worksheets[0]
                sheet.reset_dimensions()  # the size the tab declares is not trusted
                upload = _upload("xlsx", sheet.iter_rows(values_only=True), f"aba {sheet.title}")
            finally:
                workbook.close()
    except UnreadableFile:
        raise
    except Exception as error:  # a damaged or foreign file fails in many ways inside openpyxl
        raise UnreadableFile(INVALID_XLSX) from error
    return upload


def _read_csv(data: bytes, limits: UploadLimits) -> Upload:
    if b"\x00" in data[:4096] or data.startswith(_ZIP_MAGIC):
        raise UnreadableFile(f"O arquivo não parece um CSV (texto): {_ACCEPTED}.")
    check_csv(data, limits)
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
    header, body = _filled_rows(kind, rows)
    width = max(_width(header), *(_width(row) for _number, row in body))
    if width > MAX_COLUMNS:
        raise UnreadableFile(
            f"O arquivo tem mais de {MAX_COLUMNS} colunas. Confira se a primeira linha"
            " preenchida é a dos títulos das colunas."
        )
    headers = tuple("" if cell is None else str(cell).strip() for cell in header)
    headers += ("",) * (width - len(headers))
    return Upload(kind, headers[:width], tuple(body), source)


def _filled_rows(
    kind: str, rows: Iterable[Sequence[object]]
) -> tuple[tuple[object, ...], list[tuple[int, tuple[object, ...]]]]:
    """The first row with anything in it, and the numbered rows with anything in them below it."""
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
    return header, body


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
