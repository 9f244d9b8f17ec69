"""The Google Sheets backend: gspread with a service account, typed cells, retries with backoff.

Each operation costs a fixed number of Sheets calls. A check is one ``values.get`` of the
hidden ``_retencao`` tab (see ``sheets.edit_log``); rows people edited are read in one
``values.batchGet``; the whole tab in one ``values.get``. A write reads what it needs in one
``values.batchGet`` (the header row, the ID column, for new cases the write-key column, for an
edit the row the case was last seen in) and then sends one ``values.append`` or one
``values.batchUpdate``; a moved row costs one more read. Transient failures (429, 5xx,
timeouts) retry the whole read-plan-write cycle with exponential backoff and jitter, so an
append whose answer was lost is never sent twice: the next cycle finds its write key.

The Sheets API has no conditional write, so two servers (each with its own instance folder)
may read the same next free ID and both append it. An append is therefore followed by one more
``values.batchGet`` of the IDs and write keys; a row of ours that must yield its ID (see
``sheets.planning.renumbering``) is renumbered in place and the IDs read again, until none must.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import gspread
from google.auth import exceptions as auth_errors
from gspread.exceptions import APIError
from gspread.utils import rowcol_to_a1

from sheets.backend import Plan
from sheets.columns import ID_HEADER, KEY_HEADER
from sheets.edit_log import LOG_RANGE, LOG_TAB, Probe, probe_of
from sheets.errors import SheetUnavailable, SheetUnreadable
from sheets.google_client import (
    READ_PARAMS,
    TRANSIENT,
    WRITE_PARAMS,
    Quota,
    RetryPolicy,
    append_columns,
    column_letters,
    column_table,
    first_row,
    first_row_number,
    header_cells,
    is_transient,
    log_tab_requests,
    missing_tab_message,
    quoted,
    row_spans,
    rows_by_id,
    to_cell,
    translate,
    unavailable_message,
)
from sheets.planning import ids_by_key, renumbering
from sheets.table import FIRST_DATA_ROW, Append, Table, Write

T = TypeVar("T")
SETTLE_ROUNDS = 10  # reads after an append before giving up on a stable ID (retried later)


@dataclass
class _Seen:
    """Where this process last saw the ID and write-key columns (0-based) and each case's row."""

    id_index: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    key_index: int | None = None


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

    @property
    def public_description(self) -> str:
        """The same as ``description``: a spreadsheet's title and tab name no server path."""
        return self.description

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
        spans = row_spans(sorted(set(numbers)))
        ranges = [f"{self._range}!1:1", *(f"{self._range}!{a}:{b}" for a, b in spans)]
        header, *bodies = self.retrying(lambda: self._batch_get(ranges))
        rows, found = [], []
        for (first, last), body in zip(spans, bodies, strict=True):
            for number in range(first, last + 1):
                offset = number - first
                rows.append(tuple(body[offset]) if offset < len(body) else ())
                found.append(number)
        table = Table(first_row(header), tuple(rows), tuple(found))
        self._remember(table)
        return table

    def write(self, plan: Plan, case_id: str | None = None) -> Write | None:
        """Read what the write needs, ask ``plan`` what to write, write it; the whole cycle
        retries. What was written; new rows with the IDs they ended with (see ``_settle``)."""
        tried: dict[str, Mapping[str, object]] = {}
        write = self.retrying(lambda: self._write_once(plan, case_id, tried))
        if not tried:
            return write
        moved: set[str] = set()
        return self.retrying(lambda: self._settle(tried, moved))

    def _fetch(self) -> Table:
        self.reads.take()
        response = self.http.values_get(self.key, self._range, params=READ_PARAMS)
        rows = [tuple(row) for row in response.get("values", [])]
        table = Table(rows[0], tuple(rows[1:])) if rows else Table((), ())
        self._seen = _Seen(table.index(ID_HEADER), rows_by_id(table), table.index(KEY_HEADER))
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
            self._seen = _Seen(table.index(ID_HEADER), key_index=table.index(KEY_HEADER))
        self._seen.rows.update(rows_by_id(table))

    def _read_for_write(self, case_id: str | None) -> tuple[tuple[object, ...], Table]:
        """The header row, and for the plan every case ID and write key (an append) or the
        case's row (an edit); the whole tab the first time or when those columns moved."""
        guess = self._seen.rows.get(case_id) if case_id else None
        read = self._read_columns(case_id, guess) if self._seen.id_index is not None else None
        if read is None:
            table = self._fetch()
            return table.headers, table
        headers, ids, found = read
        if case_id is None:
            return headers, ids
        row = self._seen.rows.get(case_id)
        if row is None:
            return headers, Table(headers, ())
        if row != guess:  # rows were sorted or inserted since: read the case's row now
            found = self._batch_get([f"{self._range}!{row}:{row}"])
        return headers, Table(headers, (first_row(found[0]),), (row,))

    def _read_columns(self, case_id: str | None, guess: int | None) -> tuple | None:
        """One batchGet of the header row, the ID column (and, for an append, the write-key
        column) and the ``guess``ed row of the case; None if those columns moved."""
        seen = self._seen
        keyed = case_id is None and seen.key_index is not None
        columns = [seen.id_index, *([seen.key_index] if keyed else [])]
        ranges = [f"{self._range}!1:1", *(self._column(i) for i in columns if i is not None)]
        ranges += [f"{self._range}!{guess}:{guess}"] if guess else []
        header, *values = self._batch_get(ranges)
        fresh = Table(first_row(header), ())
        if fresh.index(ID_HEADER) != seen.id_index or (
            keyed and fresh.index(KEY_HEADER) != seen.key_index
        ):
            return None
        ids = column_table((ID_HEADER, KEY_HEADER)[: len(columns)], values[: len(columns)])
        self._seen = _Seen(seen.id_index, rows_by_id(ids), fresh.index(KEY_HEADER))
        return fresh.headers, ids, values[len(columns) :]

    def _column(self, index: int) -> str:
        letter = column_letters(index + 1)
        return f"{self._range}!{letter}{FIRST_DATA_ROW}:{letter}"

    def _write_once(
        self, plan: Plan, case_id: str | None, tried: dict[str, Mapping[str, object]]
    ) -> Write | None:
        headers, table = self._read_for_write(case_id)
        operation = plan(table)
        if operation is None:
            return None
        if isinstance(operation, Append):
            for values in (*operation.present, *operation.rows):
                if values.get(KEY_HEADER):  # (rows queued before rows had keys are not checked)
                    tried[str(values[KEY_HEADER])] = values
            if not operation.rows:
                return operation
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
        first = first_row_number(response["updates"]["updatedRange"])
        for offset, values in enumerate(operation.rows):
            self._seen.rows[str(values[ID_HEADER])] = first + offset

    def _settle(self, tried: dict[str, Mapping[str, object]], moved: set[str]) -> Append:
        """Read the IDs and write keys again after an append; while another row holds the ID
        one of ours got (another server read the same free ID at the same moment), renumber
        ours in place and read again. Our rows, with the IDs they ended with."""
        pause = False
        for attempt in range(SETTLE_ROUNDS):
            if pause:  # both servers renumber to the same ID in step: get out of step
                self.retry.sleep(self.retry.base_delay * 2**attempt * self.retry.jitter())
            headers, table = self._read_for_write(None)
            renamed = renumbering(table, tried.keys(), moved)
            if not renamed:
                held = ids_by_key(table, tried.keys())
                return Append(
                    tuple({**v, ID_HEADER: held.get(k, v[ID_HEADER])} for k, v in tried.items())
                )
            self._renumber(headers, table, renamed)
            pause = bool(renamed.keys() & moved)  # a row renumbered before had to move again
            moved.update(renamed)
        raise SheetUnavailable(
            "Outro servidor está gravando casos com os mesmos números; o envio será tentado de"
            " novo em instantes."
        )

    def _renumber(self, headers: tuple[object, ...], table: Table, renamed: dict[str, str]) -> None:
        """Write the new IDs into our rows' ID cells, in one ``values.batchUpdate``."""
        column = cast(int, Table(headers, ()).index(ID_HEADER)) + 1
        rows = {str(v.get(KEY_HEADER) or "").strip(): n for n, v in table.records()}
        data = [
            {"range": f"{self._range}!{rowcol_to_a1(rows[key], column)}", "values": [[new]]}
            for key, new in renamed.items()
        ]
        self.writes.take()
        self.http.values_batch_update(self.key, body={"valueInputOption": "RAW", "data": data})
        for key, new in renamed.items():
            self._seen.rows[new] = rows[key]

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Read the tab's record keys, then one ``values.append`` of the rows it lacks; the
        whole cycle retries, so a row whose answer was lost is not appended twice. The tab is
        created first if missing, and the key column added to a tab made without it."""
        target = f"{quoted(tab)}!A1"

        def append() -> None:
            logged = self._log_keys(tab, headers)
            body = {"values": [[to_cell(v) for v in row] for row in rows if row[-1] not in logged]}
            if body["values"]:
                self.writes.take()
                self.http.values_append(self.key, target, params=WRITE_PARAMS, body=body)

        self.retrying(append)

    def _log_keys(self, tab: str, headers: Sequence[str]) -> set[object]:
        """The keys (the column ``headers[-1]``) of the records in the tab: one
        ``values.batchGet`` of its header row and the column where this app puts the key."""
        column = len(headers)
        try:
            found = self._log_columns(tab, column)
        except APIError as error:
            message = str(error.error.get("message"))
            if error.code != 400:
                raise
            if "Unable to parse range" in message:  # no such tab yet
                self._add_log_tab(tab, headers)
                return set()
            if "exceeds grid limits" not in message:
                raise
            found = None  # a tab made before records had keys: too narrow for the key column
        if found is not None:
            header, keys = found
            where = Table(header, ()).index(headers[-1])
            if where == column - 1:
                return keys
            if where is not None:  # a person moved the history's columns
                return self._log_columns(tab, where + 1)[1]
            after = len(header)
        else:
            after = column - 1
        self._add_headers(after, [headers[-1]], tab)
        return set()

    def _log_columns(self, tab: str, column: int) -> tuple[tuple[object, ...], set[object]]:
        """The header row of ``tab`` and the values below the header in its ``column``."""
        letter = column_letters(column)
        ranges = [f"{quoted(tab)}!1:1", f"{quoted(tab)}!{letter}{FIRST_DATA_ROW}:{letter}"]
        header, values = self._batch_get(ranges)
        return first_row(header), {row[0] for row in values if row}

    def _add_log_tab(self, tab: str, headers: Sequence[str]) -> None:
        self.writes.take()
        self.http.batch_update(self.key, {"requests": log_tab_requests(tab, headers)})

    def _positions(self, headers: tuple[object, ...], names: Iterable[str]) -> dict[str, int]:
        """1-based column of each header; the missing ones added after the last column."""
        columns = Table(headers, ())
        missing = [h for h in names if columns.index(h) is None]
        if missing:
            self._add_headers(len(headers), missing)
            headers = (*headers, *missing)
            self._seen = _Seen()
        columns = Table(headers, ())
        return {h: cast(int, columns.index(h)) + 1 for h in names}

    def _add_headers(self, after: int, missing: list[str], tab: str | None = None) -> None:
        """Write the missing headers after column ``after`` of the cases' tab (or ``tab``),
        growing the grid if needed."""
        self.reads.take()
        metadata = self.http.fetch_sheet_metadata(self.key)
        title = tab or self.worksheet
        [sheet] = [s for s in metadata["sheets"] if s["properties"]["title"] == title]
        sheet_id = sheet["properties"]["sheetId"]
        grid = sheet["properties"]["gridProperties"]["columnCount"]
        requests = (
            [append_columns(sheet_id, after + len(missing) - grid)]
            if after + len(missing) > grid
            else []
        )
        requests.append(header_cells(sheet_id, after, missing))
        self.writes.take()
        self.http.batch_update(self.key, {"requests": requests})

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
