"""The case book: add, update, get and list cases on any backend, through the outbox."""

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from retention.case import Case, case_number
from sheets import codec
from sheets.backend import Backend
from sheets.columns import FORM_COLUMNS, ID_HEADER, KEY_HEADER
from sheets.errors import CaseNotFound, EditConflict, SheetError
from sheets.history import CREATED, FROM_SHEET, HEADERS, Event, History, shown
from sheets.outbox import ADD, EDIT, FAILED, Entry, Outbox
from sheets.planning import edit_events, plan_for
from sheets.sync import Change, Stale, Sync
from sheets.table import Update, Write

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
RECORD_KEY = "Chave do registro"  # the history tab's app-owned column
HISTORY_HEADERS = (*HEADERS, RECORD_KEY)
APPEND_BATCH = 500  # rows per values.append: far below request-size limits
BUSY = "Outra gravação está enviando a fila para a planilha; este envio fica para a próxima vez."


@dataclass(frozen=True)
class Saved:
    """A case as saved; ``waiting`` says why it is not in the sheet yet (None once it is);
    ``renumbered_from`` is the ID it was given first, when another server had taken it."""

    case: Case
    waiting: str | None = None
    renumbered_from: str | None = None


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
        self.history = History(outbox.path, outbox.url)
        self.history_tab = history_tab
        self.sync = Sync(
            backend, clock, sync_seconds, outbox, full_sync_seconds, on_changes=self._noticed
        )

    @property
    def stale(self) -> Stale | None:
        """Set while the sheet cannot be read and pages show an older snapshot."""
        return self.sync.stale

    def cases(self, newest_first: bool = True) -> list[Case]:
        """Every case, newest first (or in no given order: the board sorts its own lanes),
        including new ones still waiting for the sheet."""
        stored: dict[str, Case | None] = dict(self.sync.snapshot().cases)
        for entry in self.outbox.entries(state=None):
            stored[entry.case_id] = _with_entry(stored.get(entry.case_id), entry)
        cases = [case for case in stored.values() if case is not None]
        if not newest_first:
            return cases
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
            new = replace(new, write_key=uuid.uuid4().hex)
            queued.append((new, self.outbox.put(ADD, case_id, codec.encode(new), author, now)))
        written: dict[int, Case] = {}
        waiting = self._drain(own=None, written=written)
        return [
            _saved(new, written.get(seq), waiting, self.outbox.is_queued(seq))
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

    def note(self, case_id: str, what: str, text: str, author: str) -> None:
        """Record in a case's history what is no field's change (``what``), and its text."""
        self.history.record([Event(self.clock(), author, case_id, what, "", text)])

    def history_of(self, case_id: str) -> list[Event]:
        """Everything recorded about a case, newest first."""
        return self.history.of_case(case_id)

    def _send_history(self) -> str | None:
        """Append the records the sheet has not got, in batches; why they wait, if they do."""
        with self.outbox.draining() as allowed:
            if not allowed:
                return BUSY
            while batch := self.history.unsent(APPEND_BATCH):
                rows = [[*event.row(), record_key(event)] for _, event in batch]
                try:
                    self.backend.append_log(self.history_tab, HISTORY_HEADERS, rows)
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
                    write = self.backend.write(plan_for(batch), target)
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
            self.history.record(edit_events(entry, write))
            written[entry.seq] = codec.decode({**write.before, **write.values})
            self.outbox.confirm(entry.seq, entry.case_id, write.values)
            return
        if batch[0].kind == EDIT:  # the edit changed nothing the sheet did not already hold
            self.outbox.confirm(batch[0].seq, batch[0].case_id, {})
            return
        rows = (*write.rows, *write.present) if write else ()
        sent = {_key_of(values): values for values in rows}
        for entry in batch:
            row = sent.get(_key_of(entry.values))
            if row is None:  # queued before rows had keys, and sent before
                self.outbox.confirm(entry.seq, entry.case_id, entry.values)
                continue
            case_id = str(row[ID_HEADER])
            if case_id != entry.case_id:
                self.outbox.rename(entry.case_id, case_id)
                written[entry.seq] = codec.decode(row)
            self.history.record([Event(entry.queued_at, entry.author, case_id, CREATED)])
            self.outbox.confirm(entry.seq, case_id, row)

    def _highest_in_sheet(self, year: int) -> int:
        try:
            case_ids = self.sync.latest().cases.keys()  # a floor: the outbox keeps IDs unique
        except SheetError:
            return 0  # the outbox's own counter still keeps IDs unique
        return max(filter(None, (case_number(case_id, year) for case_id in case_ids)), default=0)


def record_key(event: Event) -> str:
    """A history record's key in the history tab: the same at every try to send it."""
    fields = (event.at.isoformat(), event.user, event.case_id, event.field, event.old, event.new)
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:16]


def _saved(new: Case, sent: Case | None, waiting: str | None, queued: bool) -> Saved:
    """What the user is told of a new case: its final ID, and why it waits, if it does."""
    if sent is not None:
        return Saved(sent, renumbered_from=new.case_id)
    return Saved(new, (waiting or BUSY) if queued else None)


def _key_of(values: Mapping[str, object]) -> object:
    """A new row's write key (its case ID, for writes queued before rows had keys)."""
    return values.get(KEY_HEADER) or values[ID_HEADER]


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
