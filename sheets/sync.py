"""One snapshot of the case sheet per process, shared by every request, and what changed in it.

The snapshot is checked at most every ``max_age`` seconds with the backend's cheapest question
(``Backend.probe``): the local file's stamp, or on Google the edit log that the sheet's Apps
Script keeps (Drive's ``modifiedTime`` lags by minutes and is not used). When the log names the
rows people edited, only those rows are read, and each must still hold the case it held when
it was edited; otherwise, and whenever the check cannot tell what changed, the whole table is
read. Where a check can miss changes (the script sees no sorts or deleted rows, and may not be
installed), the whole table is also read whenever the last read is ``full_every`` seconds old,
and always on "Sincronizar agora". Comparing the old and new snapshots tells what people
changed in the sheet by hand.

The app's own writes do not wait for a read: every write the sheet confirmed (by any worker
process, through the outbox's ``confirmed`` log) is laid over the snapshot as soon as it is
used, and is never listed as a change made by people.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from retention.case import Case
from sheets import codec
from sheets.backend import Backend
from sheets.columns import FORM_COLUMNS, ID_HEADER
from sheets.edit_log import Probe
from sheets.errors import SheetError
from sheets.outbox import Confirmed, Outbox
from sheets.table import Table

NEW_CASE, REMOVED_CASE = "(caso novo na planilha)", "(linha removida da planilha)"


@dataclass(frozen=True)
class Change:
    """A field someone changed in the sheet, noticed at ``noticed_at``."""

    case_id: str
    field: str
    old: object
    new: object
    noticed_at: datetime


@dataclass(frozen=True)
class Stale:
    """The sheet could not be checked or read: pages show the snapshot taken at ``read_at``."""

    reason: str
    read_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The cases as read at ``read_at`` (each row by header, and decoded once)."""

    headers: tuple[object, ...]
    version: object
    read_at: datetime
    rows: Mapping[str, tuple]
    cases: Mapping[str, Case]


class Sync:
    """The shared snapshot of one backend's sheet."""

    def __init__(
        self,
        backend: Backend,
        clock: Callable[[], datetime],
        max_age: float,
        confirmed: Outbox,
        full_every: float = 120.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_changes: Callable[[list[Change]], None] | None = None,
    ) -> None:
        self.backend = backend
        self.on_changes = on_changes
        self.clock = clock
        self.max_age = max_age
        self.confirmed = confirmed
        self.full_every = full_every
        self.monotonic = monotonic
        self.stale: Stale | None = None
        self.checked_at: datetime | None = None
        self.watched: bool | None = None  # people's edits show at the next check (None: unknown)
        self._snapshot: Snapshot | None = None
        self._checked = self._read = float("-inf")
        self._lock = threading.Lock()
        self._changes: deque[Change] = deque(maxlen=500)
        self._mark = 0  # the last confirmed write laid over the snapshot
        self._must_read = False  # confirmed writes were missed: only a read can tell them
        self._asked = confirmed.syncs_asked()  # "Sincronizar agora" presses seen so far

    def snapshot(self) -> Snapshot:
        """The current snapshot with every confirmed write laid over it, checked first if it is
        older than ``max_age``, read whole if "Sincronizar agora" was pressed in another worker
        process since the last look."""
        asked = self.confirmed.syncs_asked()
        if asked != self._asked:
            self._asked = asked
            self.refresh(full=True)
        elif self._snapshot is None or self.monotonic() - self._checked >= self.max_age:
            self.refresh()
        if not self._lay_over_confirmed():
            self.refresh()
        assert self._snapshot is not None  # refresh() raised otherwise
        return self._snapshot

    def refresh_everywhere(self) -> None:
        """Read the sheet whole now ("Sincronizar agora"), and in every other worker process at
        its next page."""
        self._asked = self.confirmed.ask_to_sync()
        self.refresh(full=True)

    def latest(self) -> Snapshot:
        """The snapshot as it is, however old; read the sheet only if it was never read."""
        return self._snapshot or self.snapshot()

    def refresh(self, full: bool = False) -> None:
        """Check the sheet now and read what changed; read it whole if the check cannot tell,
        or if it can miss changes and ``full`` or the last full read is ``full_every`` old.
        Keeps the old snapshot if it cannot."""
        snapshot = self._snapshot
        if not self._lock.acquire(blocking=snapshot is None):
            return  # another request is refreshing: this one uses the snapshot it has
        try:
            if snapshot is None:  # the first read holds every write confirmed before it
                self._mark = self.confirmed.last_confirmed()
            self._lay_over_confirmed()  # writes confirmed so far are no change made by people
            probe = self.backend.probe(snapshot.version if snapshot else None)
            self.watched = probe.watched
            due = full or self.monotonic() - self._read >= self.full_every
            if snapshot is None or self._must_read or (due and not probe.complete):
                self._read_all(probe.version)
            elif probe.version != snapshot.version:
                self._read_edited(snapshot, probe)
            self._checked, self.checked_at, self.stale = self.monotonic(), self.clock(), None
        except SheetError as error:
            if snapshot is None:
                raise
            self.stale = Stale(str(error), snapshot.read_at)
        finally:
            self._lock.release()

    def changes(self, case_id: str | None = None) -> list[Change]:
        """Changes people made in the sheet, newest first (of one case, or all)."""
        return [c for c in reversed(self._changes) if case_id in (None, c.case_id)]

    def _lay_over_confirmed(self) -> bool:
        """Lay the writes confirmed since the last look over the snapshot; False if some of
        them were forgotten, so that only a read of the sheet can show them."""
        if self._snapshot is None or self._must_read:
            return not self._must_read
        confirmed = self.confirmed.confirmed_since(self._mark)
        if confirmed is None:
            self._must_read = True
            self._mark = self.confirmed.last_confirmed()
            return False
        if confirmed:
            self._snapshot = _laid_over(self._snapshot, confirmed)
            self._mark = confirmed[-1].seq
        return True

    def _read_all(self, version: object) -> None:
        table = self.backend.read()
        self._read, self._must_read = self.monotonic(), False
        self._take(table.headers, _rows_of(table), version, whole=True)

    def _read_edited(self, snapshot: Snapshot, probe: Probe) -> None:
        """Read only the rows the log names; the whole table if any of them moved since."""
        if probe.edits is None:
            return self._read_all(probe.version)
        numbers = [n for edit in probe.edits for n in range(edit.first, edit.last + 1)]
        table = self.backend.read_rows(numbers)
        held = dict(zip(table.numbers or (), table.rows, strict=True))
        id_index = table.index(ID_HEADER)
        if table.headers != snapshot.headers or id_index is None:
            return self._read_all(probe.version)
        for edit in probe.edits:
            for number, case_id in zip(range(edit.first, edit.last + 1), edit.ids, strict=True):
                row = held.get(number, ())
                if str(row[id_index] if id_index < len(row) else "").strip() != case_id.strip():
                    return self._read_all(probe.version)  # rows moved since the edit
        self._take(table.headers, _rows_of(table), probe.version, whole=False)

    def _take(
        self, headers: tuple[object, ...], read: Mapping[str, tuple], version: object, whole: bool
    ) -> None:
        """Make ``read`` (every case if ``whole``, else some) the snapshot's rows."""
        during = self.confirmed.confirmed_since(self._mark) or []
        # Written by the app while the read was on its way: the read may or may not hold them.
        own = {(c.case_id, header) for c in during for header in c.cells}
        own |= {(case_id, NEW_CASE) for case_id, header in own if header == ID_HEADER}
        old = self._snapshot
        rows = dict(read) if whole or old is None else {**old.rows, **read}
        cases = dict(old.cases) if old else {}
        changed = [
            case_id for case_id, row in read.items() if not old or old.rows.get(case_id) != row
        ]
        for case_id in changed:
            cases[case_id] = codec.decode(dict(rows[case_id]))
        for case_id in set(cases) - set(rows):
            del cases[case_id]
        now = self.clock()
        if old is not None:
            diff = self._diff(old, cases, changed, now)
            found = [c for c in diff if (c.case_id, c.field) not in own]
            self._changes.extend(found)
            if found and self.on_changes:
                self.on_changes(found)
        self._snapshot = Snapshot(headers, version, now, rows, cases)

    def _diff(
        self, old: Snapshot, cases: Mapping[str, Case], changed: Iterable[str], now: datetime
    ) -> list[Change]:
        found = []
        for case_id in changed:
            before = old.cases.get(case_id)
            if before is None:
                found.append(Change(case_id, NEW_CASE, None, None, now))
                continue
            for column in FORM_COLUMNS:
                was, now_value = column.value_of(before), column.value_of(cases[case_id])
                if codec.canonical(was) == codec.canonical(now_value):
                    continue
                found.append(Change(case_id, column.header, was, now_value, now))
        for case_id in set(old.cases) - set(cases):
            found.append(Change(case_id, REMOVED_CASE, None, None, now))
        return found


def _rows_of(table: Table) -> dict[str, tuple]:
    """Each case's row as ``(header, value)`` pairs, by case ID."""
    return {str(v[ID_HEADER]).strip(): tuple(v.items()) for _, v in table.records()}


def _laid_over(snapshot: Snapshot, confirmed: Iterable[Confirmed]) -> Snapshot:
    """The snapshot with these confirmed cells written into their cases' rows."""
    rows, cases = dict(snapshot.rows), dict(snapshot.cases)
    for write in confirmed:
        values = {**dict(rows.get(write.case_id, ())), **write.cells}
        rows[write.case_id] = tuple(values.items())
        cases[write.case_id] = codec.decode(values)
    return replace(snapshot, rows=rows, cases=cases)
