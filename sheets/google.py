"""The Google Sheets backend: gspread with a service account, typed cells, retries with backoff.

Each operation costs a fixed number of Sheets calls. A check is one ``values.get`` of the
hidden ``_retencao`` tab (see ``sheets.edit_log``); rows people edited are read in one
``values.batchGet``; the whole tab in one ``values.get``. A write reads what it needs in one
``values.batchGet`` (the header row, the ID column and the row the case was last seen in)
and then sends one ``values.append`` (new cases) or one ``values.batchUpdate`` (an edit); if
the case's row or the ID column moved since this process last saw them, one more read finds
them. Transient failures (429, 5xx, timeouts) retry the whole read-plan-write cycle with
exponential backoff and jitter, so an append whose answer was lost is never sent twice: the
next cycle finds its case ID in the sheet.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import gspread
from google.auth import exceptions as auth_errors
from gspread.exceptions import APIError
from gspread.utils import a1_to_rowcol, rowcol_to_a1

from sheets.backend import Plan
from sheets.columns import ID_HEADER
from sheets.edit_log import LOG_RANGE, LOG_TAB, Probe, probe_of
from sheets.errors import SheetUnavailable, SheetUnreadable
from sheets.google_client import (
    READ_PARAMS,
    TRANSIENT,
    WRITE_PARAMS,
    Quota,
    RetryPolicy,
    column_letters,
    is_transient,
    log_tab_requests,
    missing_tab_message,
    quoted,
    to_cell,
    translate,
    unavailable_message,
)
from sheets.table import FIRST_DATA_ROW, Append, Table, Write

T = TypeVar("T")


@dataclass
class _Seen:
    """Where this process last saw the ID column (0-based) and each case's sheet row."""

    id_index: int | None = None
    rows: dict[str, int] = field(default_factory=dict)


class GoogleSheetBackend:
    """Cases in one tab of a Google spreadsheet, read and written through gspread."""

    def __init__(
        self,
        client: gspread.Client,
        email: str,
        key: str,
        worksheet: str,
        retry: RetryPolicy,
        reads: Quota,
        writes: Quota,
    ) -> None:
        self.http = client.http_client
        self.reads = reads
        self.writes = writes
        self.email = email
        self.key = key
        self.worksheet = worksheet
        self.retry = retry
        self.description = f"planilha Google {key} (aba {worksheet})"
        self._range = quoted(worksheet)
        self._seen = _Seen()

    def check(self) -> str:
        """Open the spreadsheet and find the tab; its title. Raises SheetError saying what to do."""
        metadata = self.retrying(lambda: self.http.fetch_sheet_metadata(self.key))
        titles = [sheet["properties"]["title"] for sheet in metadata.get("sheets", [])]
        if self.worksheet not in titles:
            raise SheetUnreadable(missing_tab_message(self.worksheet))
        title = metadata["properties"]["title"]
        self.description = f"planilha Google “{title}” (aba {self.worksheet})"
        return title

    def probe(self, since: object) -> Probe:
        """The edit log the sheet's script keeps: one small ``values.get``."""
        return probe_of(self.retrying(self._fetch_log), since)

    def read(self) -> Table:
        """The whole tab in one ``values.get``."""
        return self.retrying(self._fetch)

    def read_rows(self, numbers: Sequence[int]) -> Table:
        """The header row and these rows in one ``values.batchGet``."""
        spans = _spans(sorted(set(numbers)))
        ranges = [f"{self._range}!1:1", *(f"{self._range}!{a}:{b}" for a, b in spans)]
        header, *bodies = self.retrying(lambda: self._batch_get(ranges))
        rows, found = [], []
        for (first, last), body in zip(spans, bodies, strict=True):
            for number in range(first, last + 1):
                offset = number - first
                rows.append(tuple(body[offset]) if offset < len(body) else ())
                found.append(number)
        table = Table(_first_row(header), tuple(rows), tuple(found))
        self._remember(table)
        return table

    def write(self, plan: Plan, case_id: str | None = None) -> Write | None:
        """Read what the write needs, ask ``plan`` what to write, write it; the whole cycle
        retries. What was written."""
        return self.retrying(lambda: self._write_once(plan, case_id))

    def _fetch(self) -> Table:
        self.reads.take()
        response = self.http.values_get(self.key, self._range, params=READ_PARAMS)
        rows = [tuple(row) for row in response.get("values", [])]
        table = Table(rows[0], tuple(rows[1:])) if rows else Table((), ())
        self._seen = _Seen(table.index(ID_HEADER), _rows_by_id(table))
        return table

    def _fetch_log(self) -> list[list[object]] | None:
        """The edit log's cells; None if the spreadsheet has no such tab."""
        self.reads.take()
        try:
            response = self.http.values_get(
                self.key, f"{quoted(LOG_TAB)}!{LOG_RANGE}", params=READ_PARAMS
            )
        except APIError as error:
            if error.code == 400 and "Unable to parse range" in str(error.error.get("message")):
                return None
            raise
        return response.get("values", [])

    def _batch_get(self, ranges: list[str]) -> list[list[list[object]]]:
        self.reads.take()
        response = self.http.values_batch_get(self.key, ranges, params=dict(READ_PARAMS))
        return [value_range.get("values", []) for value_range in response["valueRanges"]]

    def _remember(self, table: Table) -> None:
        """Note where the rows just read hold their cases."""
        if table.index(ID_HEADER) != self._seen.id_index:
            self._seen = _Seen(table.index(ID_HEADER))
        self._seen.rows.update(_rows_by_id(table))

    def _read_for_write(self, case_id: str | None) -> tuple[tuple[object, ...], Table]:
        """The header row, and for the plan every case ID (an append) or the case's row (an
        edit); the whole tab the first time."""
        seen = self._seen
        if seen.id_index is None:
            table = self._fetch()
            return table.headers, table
        letter = column_letters(seen.id_index + 1)
        guess = seen.rows.get(case_id) if case_id else None
        ranges = [f"{self._range}!1:1", f"{self._range}!{letter}{FIRST_DATA_ROW}:{letter}"]
        ranges += [f"{self._range}!{guess}:{guess}"] if guess else []
        header, column, *found = self._batch_get(ranges)
        headers = _first_row(header)
        if Table(headers, ()).index(ID_HEADER) != seen.id_index:
            table = self._fetch()  # someone moved the ID column
            return table.headers, table
        ids = Table((ID_HEADER,), tuple((row[0] if row else "",) for row in column))
        self._seen = _Seen(seen.id_index, _rows_by_id(ids))
        if case_id is None:
            return headers, ids
        row = self._seen.rows.get(case_id)
        if row is None:
            return headers, Table(headers, ())
        if row != guess:  # rows were sorted or inserted since: read the case's row now
            found = self._batch_get([f"{self._range}!{row}:{row}"])
        return headers, Table(headers, (_first_row(found[0]),), (row,))

    def _write_once(self, plan: Plan, case_id: str | None) -> Write | None:
        headers, table = self._read_for_write(case_id)
        operation = plan(table)
        if operation is None:
            return None
        cells = operation.rows if isinstance(operation, Append) else (operation.values,)
        positions = self._positions(headers, {h for values in cells for h in values})
        self.writes.take()
        if isinstance(operation, Append):
            self._append(operation, positions)
            return operation
        data = [
            {
                "range": f"{self._range}!{rowcol_to_a1(operation.row, positions[header])}",
                "values": [[to_cell(value)]],
            }
            for header, value in operation.values.items()
        ]
        self.http.values_batch_update(self.key, body={"valueInputOption": "RAW", "data": data})
        return operation

    def _append(self, operation: Append, positions: dict[str, int]) -> None:
        width = max(positions.values())
        rows = []
        for values in operation.rows:
            row: list[object] = [""] * width
            for header, value in values.items():
                row[positions[header] - 1] = to_cell(value)
            rows.append(row)
        response = self.http.values_append(
            self.key, f"{self._range}!A1", params=WRITE_PARAMS, body={"values": rows}
        )
        first = _first_row_number(response["updates"]["updatedRange"])
        for offset, values in enumerate(operation.rows):
            self._seen.rows[str(values[ID_HEADER])] = first + offset

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """One ``values.append`` to the tab ``tab``; the tab is created first if missing."""
        target = f"{quoted(tab)}!A1"
        body = {"values": [[to_cell(value) for value in row] for row in rows]}

        def append() -> None:
            self.writes.take()
            self.http.values_append(self.key, target, params=WRITE_PARAMS, body=body)

        try:
            self.retrying(append)
        except SheetUnreadable:  # no such tab yet
            self.retrying(lambda: self._add_log_tab(tab, headers))
            self.retrying(append)

    def _add_log_tab(self, tab: str, headers: Sequence[str]) -> None:
        self.writes.take()
        self.http.batch_update(self.key, {"requests": log_tab_requests(tab, headers)})

    def _positions(self, headers: tuple[object, ...], names: Iterable[str]) -> dict[str, int]:
        columns = Table(headers, ())
        found = {h: columns.index(h) for h in names}
        missing = [h for h, position in found.items() if position is None]
        if missing:
            raise SheetUnreadable(
                f"A aba {self.worksheet} não tem as colunas {', '.join(missing)}. Rode"
                " `flask sheet init` para criá-las (nada é movido nem apagado)."
            )
        return {h: position + 1 for h, position in found.items() if position is not None}

    def retrying(self, action: Callable[[], T]) -> T:
        """Run one Sheets call (or cycle of calls) with backoff; SheetError in pt-BR if it fails."""
        delays = self.retry.delays()
        while True:
            try:
                return action()
            except (APIError, *TRANSIENT) as error:
                if isinstance(error, APIError) and not is_transient(error):
                    raise translate(error, self.email, self.key, self.worksheet) from None
                delay = next(delays, None)
                if delay is None:
                    raise SheetUnavailable(unavailable_message(error)) from None
                self.retry.sleep(delay)
            except auth_errors.RefreshError:
                raise SheetUnavailable(
                    f"O Google recusou a chave da conta de serviço {self.email}. Gere uma chave"
                    " nova no Google Cloud e aponte GOOGLE_APPLICATION_CREDENTIALS para ela."
                ) from None


def _spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs of consecutive rows."""
    spans: list[tuple[int, int]] = []
    for number in numbers:
        if spans and spans[-1][1] == number - 1:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))
    return spans


def _first_row(values: list[list[object]]) -> tuple[object, ...]:
    return tuple(values[0]) if values else ()


def _rows_by_id(table: Table) -> dict[str, int]:
    rows: dict[str, int] = {}
    for number, values in table.records():
        rows.setdefault(str(values[ID_HEADER]).strip(), number)
    return rows


def _first_row_number(a1_range: str) -> int:
    """The first row of a range as Google names it (``'Casos'!A12:BH13`` -> 12)."""
    return a1_to_rowcol(a1_range.rpartition("!")[2].partition(":")[0])[0]
