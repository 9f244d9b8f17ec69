"""The case book: add, update, get and list cases on any backend, through the outbox."""

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from retention.case import Case, case_number
from sheets import codec
from sheets.backend import Backend, Plan
from sheets.columns import BY_HEADER, COLUMNS, FORM_COLUMNS, ID_HEADER, Column, Owner
from sheets.errors import CaseNotFound, Conflict, EditConflict, SheetError
from sheets.history import CREATED, FROM_SHEET, HEADERS, Event, History, shown
from sheets.outbox import ADD, EDIT, FAILED, Entry, Outbox
from sheets.sync import Change, Stale, Sync
from sheets.table import Append, Table, Update, Write

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Fingerprint = dict[str, str]
STAMP_COLUMNS: tuple[Column, ...] = tuple(
    c for c in COLUMNS if c.field in ("updated_at", "updated_by")
)
STAMP_HEADERS = frozenset(c.header for c in STAMP_COLUMNS)
APPEND_BATCH = 500  # rows per values.append: far below request-size limits
BUSY = "Outra gravação está enviando a fila para a planilha; este envio fica para a próxima vez."


@dataclass(frozen=True)
class Saved:
    """A case as saved; ``waiting`` says why it is not in the sheet yet (None once it is)."""

    case: Case
    waiting: str | None = None


def digest(value: object) -> str:
    """A short, stable digest of one field's value."""
    return hashlib.sha256(codec.canonical(value).encode()).hexdigest()[:16]


def fingerprint(case: Case) -> Fingerprint:
    """A short digest of every form field, kept in the edit form to tell who changed what."""
    return {col.header: digest(col.value_of(case)) for col in FORM_COLUMNS}


class CaseBook:
    """Cases stored one per row of a backend's sheet; every write goes through the outbox."""

    def __init__(
        self,
        backend: Backend,
        outbox: Outbox,
        clock: Clock,
        sync_seconds: float,
        history_tab: str = "Histórico",
        full_sync_seconds: float = 120.0,
    ) -> None:
        self.backend = backend
        self.outbox = outbox
        self.clock = clock
        self.history = History(outbox.path)
        self.history_tab = history_tab
        self.sync = Sync(
            backend, clock, sync_seconds, outbox, full_sync_seconds, on_changes=self._noticed
        )

    @property
    def stale(self) -> Stale | None:
        """Set while the sheet cannot be read and pages show an older snapshot."""
        return self.sync.stale

    def cases(self) -> list[Case]:
        """Every case, newest first, including new ones still waiting for the sheet."""
        stored: dict[str, Case | None] = dict(self.sync.snapshot().cases)
        for entry in self.outbox.entries(state=None):
            stored[entry.case_id] = _with_entry(stored.get(entry.case_id), entry)
        cases = [case for case in stored.values() if case is not None]
        return sorted(cases, key=lambda c: (c.created_at or datetime.min, c.case_id), reverse=True)

    def get(self, case_id: str) -> Case:
        """The case with this ID, as the user last saved it; CaseNotFound if there is none."""
        entries = self.outbox.entries(case_id, state=None)
        try:
            case = self.sync.snapshot().cases.get(case_id)
        except SheetError:
            if not entries:
                raise
            case = None  # the sheet was never read: the case is what the outbox holds
        for entry in entries:
            case = _with_entry(case, entry)
        if case is None:
            raise CaseNotFound(case_id)
        return case

    def waiting(self, case_id: str | None = None) -> list[Entry]:
        """Writes not in the sheet yet (of one case, or all), oldest first."""
        return self.outbox.entries(case_id, state=None)

    def add(self, case: Case, author: str) -> Saved:
        """Queue a new case under a fresh ID, then try to send the queue."""
        [saved] = self.add_many([case], author)
        return saved

    def add_many(self, cases: Sequence[Case], author: str) -> list[Saved]:
        """Queue new cases under fresh IDs, then try to send the queue (one append for all)."""
        now = self.clock()
        highest = self._highest_in_sheet(now.year)
        queued: list[tuple[Case, int]] = []
        for case in cases:
            case_id = self.outbox.allocate_id(now.year, highest)
            new = replace(case, case_id=case_id, created_at=now, updated_at=now, updated_by=author)
            queued.append((new, self.outbox.put(ADD, case_id, codec.encode(new), author, now)))
        waiting = self._drain(own=None, written={})
        return [
            Saved(new, (waiting or BUSY) if self.outbox.is_queued(seq) else None)
            for new, seq in queued
        ]

    def update(
        self, case_id: str, edited: Case, base: Mapping[str, str], author: str
    ) -> Saved | None:
        """Queue the user's edit, then try to send; None when the edit changed nothing.

        Only fields the user changed since ``base`` are written; fields changed in the sheet
        since ``base`` and left alone by the user are kept. A field both changed raises
        EditConflict and nothing is written.
        """
        values = {col.header: codec.encode_value(col, col.value_of(edited)) for col in FORM_COLUMNS}
        seq = self.outbox.put(EDIT, case_id, values, author, self.clock(), base)
        written: dict[int, Case] = {}
        waiting = self._send(seq, written)
        if waiting is not None:
            return Saved(self.get(case_id), waiting)
        return Saved(written[seq]) if seq in written else None

    def flush(self) -> str | None:
        """Send every queued write in order, then the history; why something still waits."""
        return self._drain(own=None, written={}) or self._send_history()

    def pending(self) -> bool:
        """Whether writes or history records wait for the sheet."""
        return bool(self.outbox.entries() or self.history.unsent(1))

    def history_of(self, case_id: str) -> list[Event]:
        """Everything recorded about a case, newest first."""
        return self.history.of_case(case_id)

    def _send_history(self) -> str | None:
        """Append the records the sheet has not got, in batches; why they wait, if they do."""
        with self.outbox.draining() as allowed:
            if not allowed:
                return BUSY
            while batch := self.history.unsent(APPEND_BATCH):
                rows = [event.row() for _, event in batch]
                try:
                    self.backend.append_log(self.history_tab, HEADERS, rows)
                except SheetError as error:
                    return f"Histórico aguardando envio à planilha: {error}"
                self.history.sent(seq for seq, _ in batch)
        return None

    def _noticed(self, changes: list[Change]) -> None:
        self.history.record_noticed(
            Event(c.noticed_at, FROM_SHEET, c.case_id, c.field, shown(c.old), shown(c.new))
            for c in changes
        )

    def _send(self, seq: int, written: dict[int, Case]) -> str | None:
        """Drain the queue for the user who just saved ``seq``; why it still waits, if it does."""
        waiting = self._drain(own=seq, written=written)
        return (waiting or BUSY) if self.outbox.is_queued(seq) else None

    def _drain(self, own: int | None, written: dict[int, Case]) -> str | None:
        with self.outbox.draining() as allowed:
            if not allowed:
                return BUSY
            entries = self.outbox.entries()
            while entries:
                batch, entries = _next_batch(entries)
                target = None if batch[0].kind == ADD else batch[0].case_id
                try:
                    write = self.backend.write(_plan(batch), target)
                except (EditConflict, CaseNotFound) as error:
                    [entry] = batch  # only an edit meets these, and edits go one by one
                    if entry.seq == own:
                        self.outbox.remove(entry.seq)
                        raise
                    self.outbox.fail(entry.seq, str(error))
                    continue
                except SheetError as error:
                    for entry in batch:
                        self.outbox.attempted(entry.seq, str(error))
                    return str(error)
                except Exception as error:  # one bad write must not block every save after it
                    logger.exception("Gravação na planilha falhou: %s", [e.case_id for e in batch])
                    for entry in batch:
                        self.outbox.fail(entry.seq, f"erro inesperado ao gravar ({error!r})")
                    continue
                self._confirm(batch, write, written)
        return None

    def _confirm(self, batch: list[Entry], write: Write | None, written: dict[int, Case]) -> None:
        """The sheet took ``write`` for ``batch``: record its history, confirm its cells."""
        if isinstance(write, Update):
            [entry] = batch
            self.history.record(_edit_events(entry, write))
            written[entry.seq] = codec.decode({**write.before, **write.values})
            self.outbox.confirm(entry.seq, entry.case_id, write.values)
            return
        sent = {str(values[ID_HEADER]) for values in write.rows} if write else set()
        for entry in batch:
            if entry.case_id in sent:
                self.history.record([Event(entry.queued_at, entry.author, entry.case_id, CREATED)])
            self.outbox.confirm(entry.seq, entry.case_id, entry.values if entry.kind == ADD else {})

    def _highest_in_sheet(self, year: int) -> int:
        try:
            case_ids = self.sync.latest().cases.keys()  # a floor: the outbox keeps IDs unique
        except SheetError:
            return 0  # the outbox's own counter still keeps IDs unique
        return max(filter(None, (case_number(case_id, year) for case_id in case_ids)), default=0)


def _plan(batch: list[Entry]) -> Plan:
    """What to write for ``batch``, decided on a fresh read of the sheet (no side effects)."""
    if batch[0].kind == ADD:

        def append(table: Table) -> Append | None:
            # A case already in the sheet was sent before, though its answer was lost.
            present = {str(values[ID_HEADER]).strip() for _row, values in table.records()}
            new = [entry.values for entry in batch if entry.case_id not in present]
            return Append(tuple(new)) if new else None

        return append
    [entry] = batch

    def update(table: Table) -> Update | None:
        found = table.find(entry.case_id)
        if found is None:
            raise CaseNotFound(entry.case_id)
        row, values = found
        changes = _changes(codec.decode(values), codec.decode(entry.values), entry.base)
        if not changes:
            return None
        merged = codec.decode({**values, **changes})
        changes.update(_derived_changes(values, merged))
        merged = replace(merged, updated_at=entry.queued_at, updated_by=entry.author)
        changes.update({c.header: codec.encode_value(c, c.value_of(merged)) for c in STAMP_COLUMNS})
        return Update(row, changes, values)

    return update


def _edit_events(entry: Entry, write: Update) -> list[Event]:
    """One history event per field the edit changed (its stamps aside), old and new value."""
    return [
        Event(
            entry.queued_at,
            entry.author,
            entry.case_id,
            header,
            shown(codec.parse_cell(BY_HEADER[header], write.before.get(header))),
            shown(codec.parse_cell(BY_HEADER[header], value)),
        )
        for header, value in write.values.items()
        if header not in STAMP_HEADERS
    ]


def _next_batch(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The next write to send: consecutive new cases together (one append), or one edit."""
    size = 1
    if entries[0].kind == ADD:
        while size < min(len(entries), APPEND_BATCH) and entries[size].kind == ADD:
            size += 1
    return entries[:size], entries[size:]


def _with_entry(case: Case | None, entry: Entry) -> Case | None:
    """``case`` as it will be once the queued ``entry`` reaches the sheet.

    A new case that failed stays visible (it exists only in the outbox); an edit that failed
    is not shown as applied.
    """
    queued = codec.decode(entry.values)
    if entry.kind == ADD:
        return case or queued
    if case is None or entry.state == FAILED:
        return case
    form_fields = {col.field: getattr(queued, col.field) for col in FORM_COLUMNS}
    return replace(case, **form_fields, updated_at=entry.queued_at, updated_by=entry.author)


def _changes(current: Case, edited: Case, base: Mapping[str, str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    conflicts: list[Conflict] = []
    for col in FORM_COLUMNS:
        mine, theirs = col.value_of(edited), col.value_of(current)
        if codec.canonical(mine) == codec.canonical(theirs):
            continue
        loaded = base.get(col.header, digest(theirs))
        if digest(mine) == loaded:
            continue  # the user left it alone; the sheet's value stands
        if digest(theirs) != loaded:
            conflicts.append(Conflict(col.header, mine, theirs))
        else:
            changes[col.header] = codec.encode_value(col, mine)
    if conflicts:
        raise EditConflict(conflicts)
    return changes


def _derived_changes(values: Mapping[str, object], merged: Case) -> dict[str, object]:
    changes = {}
    for col in COLUMNS:
        if col.owner is Owner.DERIVED:
            new = col.value_of(merged)
            old = codec.parse_cell(col, values.get(col.header))
            if codec.canonical(new) != codec.canonical(old):
                changes[col.header] = new
    return changes
