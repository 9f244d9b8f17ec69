"""The embedded default backend: a local .xlsx workbook, one case per row.

Writes happen under a file lock (two threads or two worker processes never lose a row) and
replace the file atomically. The parsed workbook is cached and re-read when the file's
modification stamp changes, i.e. when someone else saved it.
"""

import os
import threading
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl
from filelock import FileLock, Timeout
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sheets.backend import Plan
from sheets.columns import BY_HEADER, COLUMNS, HEADERS, Column, Kind
from sheets.edit_log import Probe
from sheets.errors import SheetUnavailable, SheetUnreadable
from sheets.table import FIRST_DATA_ROW, Append, Table, Write

Stamp = tuple[int, int, int]
_LIST_FORMULA_LIMIT = 255  # Excel's cap on an inline list validation


@dataclass
class _Loaded:
    stamp: Stamp
    workbook: Workbook
    table: Table | None = None


class WorkbookBackend:
    """Cases in one worksheet of a local .xlsx file, created with its header row on first use."""

    def __init__(self, path: Path, worksheet: str = "Casos", lock_timeout: float = 10.0):
        self.path = Path(path)
        self.worksheet = worksheet
        self.description = f"planilha local {self.path}"
        self._file_lock = FileLock(f"{self.path}.lock", timeout=lock_timeout, thread_local=False)
        self._mutex = threading.RLock()
        self._loaded: _Loaded | None = None

    def read(self) -> Table:
        """The whole table, parsed again only if the file changed since the last read."""
        with self._mutex:
            if not self.path.exists():
                self.write(lambda _table: None)
            loaded = self._load()
            if loaded.table is None:
                loaded.table = _table_of(self._sheet(loaded.workbook))
            return loaded.table

    def probe(self, since: object) -> Probe:
        """The file's modification stamp (None before the file exists): exact, and free."""
        return Probe(self._stamp() if self.path.exists() else None, watched=True, complete=True)

    def read_rows(self, numbers: Sequence[int]) -> Table:
        """The header row and these rows, from the whole table."""
        table = self.read()
        rows = tuple(table.rows[n - FIRST_DATA_ROW] if n < table.next_row else () for n in numbers)
        return Table(table.headers, rows, tuple(numbers))

    def write(self, plan: Plan, case_id: str | None = None) -> Write | None:
        """Apply ``plan`` to a fresh read of the file, under the lock, and save atomically;
        what was written. The whole table is at hand, so ``case_id`` needs no special read."""
        with self._opened() as loaded:
            sheet = self._sheet(loaded.workbook)
            if loaded.table is None:
                loaded.table = _table_of(sheet)
            operation = plan(loaded.table)
            if operation is None:
                return None
            try:
                if isinstance(operation, Append):
                    first = loaded.table.next_row
                    cells = [(first + n, values) for n, values in enumerate(operation.rows)]
                else:
                    cells = [(operation.row, operation.values)]
                headers = dict.fromkeys(header for _row, values in cells for header in values)
                positions = _ensure_headers(sheet, headers)
                for row, values in cells:
                    for header, value in values.items():
                        cell = sheet.cell(row=row, column=positions[header])
                        _put(cell, BY_HEADER[header], value)
                self._save(loaded.workbook)
            except BaseException:
                self._loaded = None  # the cached workbook holds a half-applied write
                raise
            return operation

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Add ``rows`` below the last row of the tab ``tab``, created with ``headers``."""
        with self._opened() as loaded:
            workbook = loaded.workbook
            try:
                if tab not in workbook.sheetnames:
                    _new_log(workbook, tab, headers)
                sheet = workbook[tab]
                first = sheet.max_row + 1
                for number, values in enumerate(rows):
                    for position, value in enumerate(values, start=1):
                        _put_plain(sheet.cell(row=first + number, column=position), value)
                self._save(workbook)
            except BaseException:
                self._loaded = None  # the cached workbook holds a half-applied write
                raise

    @contextmanager
    def _opened(self) -> Iterator[_Loaded]:
        """The workbook as on disk (created if missing), held under the lock for one write."""
        with self._mutex, self._locked():
            self._refuse_if_open_elsewhere()
            if not self.path.exists():
                self._save(_new_workbook(self.worksheet))
            yield self._load()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self._file_lock.acquire()
        except Timeout:
            raise SheetUnavailable(
                "A planilha local está ocupada por outra gravação; o envio será tentado de novo"
                " em instantes."
            ) from None
        try:
            yield
        finally:
            self._file_lock.release()

    def _refuse_if_open_elsewhere(self) -> None:
        for name in (f"~${self.path.name}", f".~lock.{self.path.name}#"):
            if (self.path.parent / name).exists():
                raise SheetUnavailable(
                    f"A planilha {self.path.name} está aberta no Excel ou LibreOffice. Feche-a"
                    " e salve de novo: gravar agora faria uma das versões se perder. Seus"
                    " dados continuam no formulário."
                )

    def _stamp(self) -> Stamp:
        info = self.path.stat()
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def _load(self) -> _Loaded:
        try:
            stamp = self._stamp()
            if self._loaded is None or self._loaded.stamp != stamp:
                self._loaded = _Loaded(stamp, openpyxl.load_workbook(self.path))
        except PermissionError:
            raise SheetUnavailable(
                f"Sem permissão para ler {self.path}. Verifique as permissões do arquivo."
            ) from None
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise SheetUnreadable(
                f"Não foi possível ler a planilha {self.path}: o arquivo não é um .xlsx válido."
                " Restaure uma cópia ou mova-o e um novo será criado."
            ) from None
        return self._loaded

    def _sheet(self, workbook: Workbook) -> Worksheet:
        if self.worksheet not in workbook.sheetnames:
            raise SheetUnreadable(
                f'A aba "{self.worksheet}" não existe em {self.path}. Renomeie a aba de volta'
                " ou ajuste RETENCAO_WORKSHEET."
            )
        return workbook[self.worksheet]

    def _save(self, workbook: Workbook) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            workbook.save(temporary)
            with open(temporary, "rb") as saved:
                os.fsync(saved.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise SheetUnavailable(
                f"Não foi possível gravar {self.path} ({error.strerror}). Seus dados continuam"
                " no formulário; tente de novo."
            ) from None
        self._loaded = _Loaded(self._stamp(), workbook)


def _new_workbook(title: str) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for position, column in enumerate(COLUMNS, start=1):
        _set_header(sheet, position, column)
    sheet.freeze_panes = "B2"
    return workbook


def _new_log(workbook: Workbook, tab: str, headers: Sequence[str]) -> None:
    sheet = workbook.create_sheet(tab)
    for position, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=position, value=header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(position)].width = 20
    sheet.freeze_panes = "A2"


def _set_header(sheet: Worksheet, position: int, column: Column) -> None:
    cell = sheet.cell(row=1, column=position, value=column.header)
    cell.font = Font(bold=True)
    letter = get_column_letter(position)
    sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) + 4))
    if column.kind is Kind.CHOICE:
        options = ",".join(column.choices)
        if len(options) + 2 <= _LIST_FORMULA_LIMIT:
            validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(validation)


def _ensure_headers(sheet: Worksheet, headers: Iterable[str]) -> dict[str, int]:
    """1-based column of each header, adding the missing ones after the last column."""
    positions: dict[str, int] = {}
    last = 0
    for cell in sheet[1]:
        if isinstance(cell.value, str) and cell.value.strip():
            positions.setdefault(cell.value.strip(), cell.column)
        if cell.value is not None:
            last = cell.column
    for header in headers:
        if header not in positions:
            last += 1
            _set_header(sheet, last, BY_HEADER[header])
            positions[header] = last
    return positions


def _table_of(sheet: Worksheet) -> Table:
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    if not rows:
        return Table(HEADERS, ())
    body = rows[1:]
    while body and all(value is None or value == "" for value in body[-1]):
        body.pop()
    return Table(tuple(rows[0]), tuple(body))


def _put(cell, column: Column, value: object) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)"
    cell.number_format = column.number_format


def _put_plain(cell, value: object) -> None:
    """A history cell: text stays text, a time shows as dd/mm/aaaa hh:mm."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.number_format = "dd/mm/yyyy hh:mm"
