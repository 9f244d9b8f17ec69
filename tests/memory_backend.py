"""An in-memory ``Backend`` for unit tests of the book, the sync and the outbox.

It keeps the same contract as the two real backends (their own suites test those): rows found by
case ID, columns by header text, writes planned on a fresh read. People's edits made with
``person_set`` are logged as the Google sheet's Apps Script logs them, when ``logged``.
"""

from collections.abc import Sequence

from sheets.columns import HEADERS, ID_HEADER
from sheets.edit_log import EditedRows, Probe
from sheets.errors import SheetError
from sheets.table import FIRST_DATA_ROW, Append, Table, Write


class MemoryBackend:
    """A sheet held in a list of rows; ``calls`` names every operation asked of it."""

    description = public_description = "planilha em memória"

    def __init__(self, logged: bool = False) -> None:
        self.logged = logged  # like Google with the script: an edit log, no exact stamp
        self.headers: list[object] = list(HEADERS)
        self.rows: list[list[object]] = []
        self.logs: dict[str, list[Sequence[object]]] = {}
        self.calls: list[str] = []
        self.failures: list[SheetError] = []
        self.lose_answers = 0
        self._revision = 0
        self._edits: list[tuple[int, EditedRows]] = []

    # -- what a person does in the sheet

    def person_set(self, case_id: str, header: str, value: object) -> None:
        """Type ``value`` into a case's cell; logged as the script would."""
        number = self._row_of(case_id)
        self.rows[number - FIRST_DATA_ROW][self.headers.index(header)] = value
        self._changed(EditedRows(number, number, (case_id,)))

    def person_sort(self, header: str, descending: bool = False) -> None:
        """Sort the rows by a column (no edit is logged, as on Google)."""
        column = self.headers.index(header)
        self.rows.sort(key=lambda row: str(row[column]), reverse=descending)
        self._revision += 0 if self.logged else 1

    def person_delete(self, case_id: str) -> None:
        """Delete a case's row (no edit is logged, as on Google)."""
        del self.rows[self._row_of(case_id) - FIRST_DATA_ROW]
        self._revision += 0 if self.logged else 1

    # -- the Backend protocol

    def read(self) -> Table:
        """The whole table."""
        self._call("read")
        return Table(tuple(self.headers), tuple(tuple(row) for row in self.rows))

    def probe(self, since: object) -> Probe:
        """The revision; with ``logged``, the rows edited since ``since`` as the script logs."""
        self._call("probe")
        if not self.logged:
            return Probe(self._revision, watched=True, complete=True)
        edits = None
        if isinstance(since, int):
            edits = tuple(edit for number, edit in self._edits if number > since)
        return Probe(self._revision, watched=True, complete=False, edits=edits)

    def read_rows(self, numbers: Sequence[int]) -> Table:
        """The header row and those rows."""
        self._call("read_rows")
        rows = tuple(tuple(self._row(n)) for n in numbers)
        return Table(tuple(self.headers), rows, tuple(numbers))

    def write(self, plan, case_id: str | None = None) -> Write | None:
        """Plan on the whole table, apply, and answer (or lose the answer)."""
        self._call("write")
        operation = plan(Table(tuple(self.headers), tuple(tuple(row) for row in self.rows)))
        if isinstance(operation, Append):
            for values in operation.rows:
                self.rows.append([values.get(str(h)) for h in self.headers])
        elif operation is not None:
            for header, value in operation.values.items():
                self.rows[operation.row - FIRST_DATA_ROW][self.headers.index(header)] = value
        if self.lose_answers:
            self.lose_answers -= 1
            raise SheetError("resposta perdida")
        return operation

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Rows below the tab's last row, but those whose key (last value) it holds already."""
        self._call("append_log")
        logged = self.logs.setdefault(tab, [])
        keys = {row[-1] for row in logged}
        logged.extend(row for row in rows if row[-1] not in keys)
        if self.lose_answers:
            self.lose_answers -= 1
            raise SheetError("resposta perdida")

    # -- helpers

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.failures:
            raise self.failures.pop(0)

    def _changed(self, edit: EditedRows) -> None:
        self._revision += 1
        self._edits.append((self._revision, edit))

    def _row(self, number: int) -> list[object]:
        offset = number - FIRST_DATA_ROW
        return self.rows[offset] if 0 <= offset < len(self.rows) else []

    def _row_of(self, case_id: str) -> int:
        column = self.headers.index(ID_HEADER)
        ids = [row[column] for row in self.rows]
        return ids.index(case_id) + FIRST_DATA_ROW
