"""One snapshot of the case sheet per process, shared by every request, and what changed in it.

The snapshot is refreshed at most every ``max_age`` seconds (and on "Sincronizar agora"). A
refresh first asks the backend's cheapest question (Drive ``modifiedTime``, the file's stamp) and
reads the whole table only if the sheet changed. Comparing the old and new snapshots tells what
people changed in the sheet by hand; the app's own writes are left out of that list.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from retention.case import Case
from sheets import codec
from sheets.backend import Backend
from sheets.columns import COLUMNS, ID_HEADER, Owner
from sheets.errors import SheetError
from sheets.table import Table

WATCHED = tuple(c for c in COLUMNS if c.owner is Owner.FORM)
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
    """The table as read at ``read_at``, decoded once."""

    table: Table
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
        monotonic: Callable[[], float] = time.monotonic,
        on_changes: Callable[[list[Change]], None] | None = None,
    ) -> None:
        self.backend = backend
        self.on_changes = on_changes
        self.clock = clock
        self.max_age = max_age
        self.monotonic = monotonic
        self.stale: Stale | None = None
        self.checked_at: datetime | None = None
        self._snapshot: Snapshot | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._changes: deque[Change] = deque(maxlen=500)
        self._own: dict[tuple[str, str], str] = {}

    def snapshot(self) -> Snapshot:
        """The current snapshot, refreshed first if it is older than ``max_age``."""
        if self._snapshot is None or self.monotonic() - self._checked >= self.max_age:
            self.refresh()
        assert self._snapshot is not None  # refresh() raised otherwise
        return self._snapshot

    def latest(self) -> Snapshot:
        """The snapshot as it is, however old; read the sheet only if it was never read."""
        return self._snapshot or self.snapshot()

    def refresh(self) -> None:
        """Check the sheet now; read it if it changed. Keeps the old snapshot if it cannot."""
        snapshot = self._snapshot
        if not self._lock.acquire(blocking=snapshot is None):
            return  # another request is refreshing: this one uses the snapshot it has
        try:
            version = self.backend.version()
            if snapshot is None or version != snapshot.version:
                self._take(self.backend.read(), version)
            self._checked, self.checked_at, self.stale = self.monotonic(), self.clock(), None
        except SheetError as error:
            if snapshot is None:
                raise
            self.stale = Stale(str(error), snapshot.read_at)
        finally:
            self._lock.release()

    def wrote(self, case_id: str, values: Mapping[str, object]) -> None:
        """The app itself wrote these cells: not a change by others; check the sheet next time."""
        for header, value in values.items():
            self._own[(case_id, header)] = codec.canonical(value)
        self._checked = float("-inf")

    def changes(self, case_id: str | None = None) -> list[Change]:
        """Changes people made in the sheet, newest first (of one case, or all)."""
        return [c for c in reversed(self._changes) if case_id in (None, c.case_id)]

    def _take(self, table: Table, version: object) -> None:
        rows = {str(v[ID_HEADER]).strip(): tuple(v.items()) for _, v in table.records()}
        old = self._snapshot
        cases = dict(old.cases) if old else {}
        changed = [
            case_id for case_id, row in rows.items() if not old or old.rows.get(case_id) != row
        ]
        for case_id in changed:
            cases[case_id] = codec.decode(dict(rows[case_id]))
        for case_id in set(cases) - set(rows):
            del cases[case_id]
        now = self.clock()
        if old is not None:
            found = self._diff(old, cases, changed, now)
            self._changes.extend(found)
            if found and self.on_changes:
                self.on_changes(found)
        self._snapshot = Snapshot(table, version, now, rows, cases)

    def _diff(
        self, old: Snapshot, cases: Mapping[str, Case], changed: Iterable[str], now: datetime
    ) -> list[Change]:
        found = []
        for case_id in changed:
            before = old.cases.get(case_id)
            if before is None:
                if self._own.pop((case_id, ID_HEADER), None) is None:
                    found.append(Change(case_id, NEW_CASE, None, None, now))
                continue
            for column in WATCHED:
                was, now_value = column.value_of(before), column.value_of(cases[case_id])
                if codec.canonical(was) == codec.canonical(now_value):
                    continue
                if self._own.pop((case_id, column.header), None) == codec.canonical(now_value):
                    continue
                found.append(Change(case_id, column.header, was, now_value, now))
        for case_id in set(old.cases) - set(cases):
            found.append(Change(case_id, REMOVED_CASE, None, None, now))
        return found
