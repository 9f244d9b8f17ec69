"""The embedded default backend: a local .xlsx workbook, one case per row.

Reading: python-calamine parses the file into a ``Table``, kept until the file's stamp changes
(someone else saved it); no spreadsheet object stays in memory. Writing, under a file lock and
never while Excel or LibreOffice has the file open: only the rows written change in the cases'
worksheet part (``sheets/xlsx_rows.py``); a number format is added to ``xl/styles.xml`` the
first time one is missing (``sheets/xlsx_styles.py``); an Excel Table over the cases grows by
the rows appended; every other part is copied byte for byte (``sheets/xlsx_package.py``). The
new file is fsynced and replaces the old one atomically, and the table kept is updated with what
was written, so this process's next write reads nothing. Only a new file is made by openpyxl.
"""

import glob
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import python_calamine
from filelock import FileLock, Timeout

from sheets.backend import Plan
from sheets.columns import BY_HEADER, HEADERS
from sheets.edit_log import Probe
from sheets.errors import SheetUnavailable, SheetUnreadable
from sheets.table import Append, Table, Write
from sheets.workbook_cells import LOG_SHEET, placed, positions, updated
from sheets.workbook_new import new_workbook
from sheets.xlsx_cells import Cell
from sheets.xlsx_package import STYLES, TABLE, Package, Part, XlsxError, grown_table
from sheets.xlsx_rows import last_row, patch_rows
from sheets.xlsx_segments import Segmented, patched, segmented
from sheets.xlsx_styles import Styles

Stamp = tuple[int, int, int]
Rows = dict[int, dict[int, Cell]]
LOG_TIME_FORMAT = "dd/mm/yyyy hh:mm"


@dataclass(frozen=True)
class _Kept:
    """The cases' table as read from the file with this stamp (headers as in the file)."""

    stamp: Stamp
    table: Table
    segments: Segmented | None = None  # the cases' worksheet part, compressed in segments


class WorkbookBackend:
    """Cases in one worksheet of a local .xlsx file, created with its header row on first use."""

    def __init__(self, path: Path, worksheet: str = "Casos", lock_timeout: float = 10.0):
        self.path = Path(path)
        self.worksheet = worksheet
        self.description = f"planilha local {self.path}"
        self._file_lock = FileLock(f"{self.path}.lock", timeout=lock_timeout, thread_local=False)
        self._mutex = threading.RLock()
        self._kept: _Kept | None = None
        self._remove_leftovers_if_idle()

    @property
    def public_description(self) -> str:
        """The workbook by its file name, without the server's folders."""
        return f"planilha local {self.path.name}"

    def read(self) -> Table:
        """The whole table, parsed again only if the file changed since the last read."""
        with self._mutex:
            if not self.path.exists():
                self.write(lambda _table: None)
            with self._open() as file:
                return _shown(self._current(file).table)

    def probe(self, since: object) -> Probe:
        """The file's modification stamp (None before the file exists): exact, and free."""
        return Probe(self._stamp() if self.path.exists() else None, watched=True, complete=True)

    def read_rows(self, numbers: Sequence[int]) -> Table:
        """The header row and these rows, from the whole table."""
        table = self.read()
        rows = tuple(table.rows[n - 2] if n < table.next_row else () for n in numbers)
        return Table(table.headers, rows, tuple(numbers))

    def write(self, plan: Plan, case_id: str | None = None) -> Write | None:
        """Apply ``plan`` to a fresh read of the file, under the lock, and save atomically;
        what was written. The whole table is at hand, so ``case_id`` needs no special read."""
        with self._opened() as (package, file):
            kept = self._current(file)
            operation = plan(_shown(kept.table))
            if operation is None or isinstance(operation, Append) and not operation.rows:
                return operation  # nothing to write (every row is there already)
            rows = placed(operation, _shown(kept.table))
            where, added = positions(kept.table.headers, [h for v in rows.values() for h in v])
            cells: Rows = {1: added} if added else {}
            for number, values in rows.items():
                cells[number] = {where[h]: _cell(h, value) for h, value in values.items()}
            self._save_cases(package, kept, cells, operation)
            return operation

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Add ``rows`` below the last row of the tab ``tab``, created with ``headers``; the
        last of ``headers`` is the records' key, and a row whose key the tab holds already (a
        save that ended before its records were marked as sent) is not added again."""
        with self._opened() as (package, file):
            kept = self._kept if self._kept and self._kept.stamp == self._stamp(file) else None
            part, parts = package.sheet(tab), dict[str, Part]()
            if part is None:
                part, parts = package.added_sheet(tab, LOG_SHEET)
                cells: Rows = {1: {n: Cell(h) for n, h in enumerate(headers, start=1)}}
                logged: set[object] = set()
            else:
                logged, column = self._log_keys(file, tab, headers[-1])
                cells = {1: {len(headers): Cell(headers[-1])}} if column is None else {}
            rows = [row for row in rows if row[-1] not in logged]
            if not rows:
                return
            xml = LOG_SHEET if parts else package.part(part)
            first = max(last_row(xml), 1) + 1
            for number, values in enumerate(rows, start=first):
                cells[number] = {n: _log_cell(value) for n, value in enumerate(values, start=1)}
            parts.update(self._patched(package, part, cells, xml))
            if kept is None:  # someone else saved: the cases are read again at the next use
                self._save(package, parts, None, None)
            else:
                self._save(package, parts, kept.table, kept.segments)

    def _log_keys(self, file: BinaryIO, tab: str, header: str) -> tuple[set[object], int | None]:
        """The values in the column ``header`` of the tab ``tab``, and its 0-based position
        (None if the tab has no such column)."""
        try:
            file.seek(0)
            book = python_calamine.CalamineWorkbook.from_filelike(file)
            try:
                grid = book.get_sheet_by_name(tab).to_python()
            finally:
                book.close()
        except (python_calamine.CalamineError, OSError, ValueError):
            raise self._unreadable("o arquivo não é um .xlsx válido") from None
        column = Table(tuple(grid[0]) if grid else (), ()).index(header)
        if column is None:
            return set(), None
        return {row[column] for row in grid[1:] if column < len(row) and row[column] != ""}, column

    def _save_cases(self, package: Package, kept: _Kept, cells: Rows, operation: Write) -> None:
        part = package.sheet(self.worksheet)
        if part is None:
            raise self._missing_tab()
        segments = kept.segments or segmented(package.part(part))
        if segments is None:  # rows without numbers: the part is patched whole
            parts = self._patched(package, part, cells)
        else:
            styles_part, styles = _styles(package)
            segments = patched(segments, cells, styles.with_format, package.date1904)
            parts = {part: segments.deflated()}
            parts.update({styles_part: styles.xml()} if styles.changed else {})
        if isinstance(operation, Append):
            parts.update(_grown_tables(package, part, cells))
        self._save(package, parts, updated(kept.table, cells), segments)

    def _patched(
        self, package: Package, part: str, cells: Rows, xml: bytes | None = None
    ) -> dict[str, Part]:
        """The worksheet ``part`` with ``cells`` written, and the styles part if it grew."""
        styles_part, styles = _styles(package)
        source = package.part(part) if xml is None else xml
        parts: dict[str, Part] = {
            part: patch_rows(source, cells, styles.with_format, package.date1904)
        }
        if styles.changed:
            parts[styles_part] = styles.xml()
        return parts

    @contextmanager
    def _opened(self) -> Iterator[tuple[Package, BinaryIO]]:
        """The file as on disk (created if missing), open, under the lock."""
        with self._mutex, self._locked():
            self._remove_leftovers()
            self._refuse_if_open_elsewhere()
            if not self.path.exists():
                self._replace(lambda temporary: new_workbook(self.worksheet).save(temporary))
            with self._open() as file:
                try:
                    yield Package(file), file
                except XlsxError as error:
                    raise self._unreadable(str(error)) from None

    @contextmanager
    def _open(self) -> Iterator[BinaryIO]:
        try:
            with open(self.path, "rb") as file:
                yield file
        except PermissionError:
            raise SheetUnavailable(
                f"Sem permissão para ler {self.path}. Verifique as permissões do arquivo."
            ) from None

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

    def _remove_leftovers_if_idle(self) -> None:
        """At start: remove what killed saves left, unless a save runs now (it will)."""
        if not self.path.parent.is_dir():
            return  # no save ever ran here
        try:
            self._file_lock.acquire(timeout=0)
        except (Timeout, OSError):  # busy, or a folder this process may not write to
            return
        try:
            self._remove_leftovers()
        finally:
            self._file_lock.release()

    def _remove_leftovers(self) -> None:
        """Remove the temporary files of saves killed before they replaced the file; under the
        lock, which every save holds while it writes one, so no living save is writing these."""
        for leftover in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.tmp"):
            leftover.unlink(missing_ok=True)

    def _refuse_if_open_elsewhere(self) -> None:
        for name in (f"~${self.path.name}", f".~lock.{self.path.name}#"):
            if (self.path.parent / name).exists():
                raise SheetUnavailable(
                    f"A planilha {self.path.name} está aberta no Excel ou LibreOffice. Feche-a"
                    " e salve de novo: gravar agora faria uma das versões se perder. Seus"
                    " dados continuam no formulário."
                )

    def _stamp(self, file: BinaryIO | None = None) -> Stamp:
        info = os.fstat(file.fileno()) if file else self.path.stat()
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def _current(self, file: BinaryIO) -> _Kept:
        """The table of the open ``file``, read again only if it is not the one kept."""
        stamp = self._stamp(file)
        with self._mutex:
            if self._kept is None or self._kept.stamp != stamp:
                self._kept = _Kept(stamp, self._parsed(file))
            return self._kept

    def _parsed(self, file: BinaryIO) -> Table:
        try:
            file.seek(0)
            book = python_calamine.CalamineWorkbook.from_filelike(file)
            try:
                grid = book.get_sheet_by_name(self.worksheet).to_python(skip_empty_area=False)
            finally:
                book.close()
        except python_calamine.WorksheetNotFound:
            raise self._missing_tab() from None
        except (python_calamine.CalamineError, OSError, ValueError):
            raise self._unreadable("o arquivo não é um .xlsx válido") from None
        rows = [tuple(row) for row in grid]
        while len(rows) > 1 and all(value == "" for value in rows[-1]):
            rows.pop()
        return Table(rows[0] if rows else (), tuple(rows[1:]))

    def _save(
        self,
        package: Package,
        parts: Mapping[str, Part],
        table: Table | None,
        segments: Segmented | None,
    ) -> None:
        """Save ``package`` with ``parts``; keep ``table`` (None: read it at the next use)."""
        self._replace(lambda temporary: package.save(temporary, parts))
        self._kept = _Kept(self._stamp(), table, segments) if table is not None else None

    def _replace(self, save: Callable[[Path], object]) -> None:
        """Write the file with ``save(temporary path)`` and put it in place atomically."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save(temporary)
            with open(temporary, "rb") as saved:
                os.fsync(saved.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise SheetUnavailable(
                f"Não foi possível gravar {self.path} ({error.strerror}). Seus dados continuam"
                " no formulário; tente de novo."
            ) from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def _missing_tab(self) -> SheetUnreadable:
        return SheetUnreadable(
            f'A aba "{self.worksheet}" não existe em {self.path}. Renomeie a aba de volta'
            " ou ajuste RETENCAO_WORKSHEET."
        )

    def _unreadable(self, reason: str) -> SheetUnreadable:
        return SheetUnreadable(
            f"Não foi possível ler a planilha {self.path}: {reason}. Restaure uma cópia ou"
            " mova-o e um novo será criado."
        )


def _shown(table: Table) -> Table:
    """The table as the book sees it: an empty sheet has the app's headers."""
    return table if any(value != "" for value in table.headers) else Table(HEADERS, ())


def _styles(package: Package) -> tuple[str, Styles]:
    """The styles part's name and its styles."""
    found = package.related(package.workbook, STYLES)
    if not found:
        raise XlsxError("o arquivo não tem a lista de estilos (styles.xml)")
    return found[0], Styles(package.part(found[0]))


def _grown_tables(package: Package, part: str, cells: Rows) -> dict[str, Part]:
    """The Excel Tables of the worksheet ``part`` that the rows appended continue, grown."""
    first, last = min(cells.keys() - {1}), max(cells)
    grown: dict[str, Part] = {}
    for table in package.related(part, TABLE):
        xml = grown_table(package.part(table), first, last)
        if xml is not None:
            grown[table] = xml
    return grown


def _cell(header: str, value: object) -> Cell:
    """A case's value with its column's number format (an emptied cell keeps its style)."""
    empty = value is None or value == ""
    return Cell(value, None if empty else BY_HEADER[header].number_format)


def _log_cell(value: object) -> Cell:
    """A history value: text stays text, a time shows as dd/mm/aaaa hh:mm."""
    return Cell(value, LOG_TIME_FORMAT if isinstance(value, datetime) else None)
