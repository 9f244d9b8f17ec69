"""The audit history: every change to a case, kept locally and appended to the Histórico tab.

The app records what it changed (who, when, field, old and new value) right after the sheet took
the write, and what the sync noticed people changed in the sheet (user "planilha"). Records are
kept in SQLite beside the outbox (the case page's timeline reads them there, with no Sheets call)
and sent to the sheet's history tab in batches by the outbox's sender, outside the user's save.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from retention import ptbr
from sheets.columns import CELL_TEXT_LIMIT, COLUMNS
from sheets.sync import NEW_CASE
from store.database import Database, upsert

HEADERS = ("Data/hora", "Usuário", "ID do caso", "Campo", "Valor anterior", "Valor novo")
FROM_SHEET = "planilha"
CREATED = "(caso criado)"
RETURNED = "(devolvido ao analista)"
TEAM = "(equipe)"  # the "case" of the team page's records: accounts created, roles changed...
SIGN_OFF_COMMENT = "(comentário da assinatura)"
SIGNED_INCOMPLETE = "(assinado com o checklist incompleto)"
STATUS_HEADER = next(c.header for c in COLUMNS if c.field == "status")

METADATA = MetaData()
HISTORY = Table(
    "history",
    METADATA,
    Column("seq", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("case_id", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Column("sent", Integer, nullable=False, server_default="0"),
    Index("history_case", "case_id", "field"),
    Index("history_unsent", "sent", "seq"),
    sqlite_autoincrement=True,
)
# One row, locked by every recording transaction: two processes recording the same noticed
# change one after the other, the second sees the first's record (SQLite's write lock does as
# much; PostgreSQL needs the row lock).
HISTORY_LOCK = Table(
    "history_lock",
    METADATA,
    Column("id", Integer, CheckConstraint("id = 1"), primary_key=True, autoincrement=False),
)
_EVENT_COLUMNS = tuple(HISTORY.c[name] for name in ("at", "user", "case_id", "field", "old", "new"))


@dataclass(frozen=True)
class Event:
    """One field of one case changed by ``user`` at ``at``."""

    at: datetime
    user: str
    case_id: str
    field: str
    old: str = ""
    new: str = ""

    def row(self) -> list[object]:
        """The event as a row of the history tab."""
        return [self.at, self.user, self.case_id, self.field, self.old, self.new]


def shown(value: object) -> str:
    """A field's value as the history shows it: as the team reads it, empty as empty."""
    text = "" if value is None or value == "" or value == frozenset() else ptbr.format_value(value)
    return text[:CELL_TEXT_LIMIT]


class History(Database):
    """The history records of every case, and which of them the sheet has not got yet."""

    def __init__(self, path: Path, url: str = "") -> None:
        super().__init__(path, METADATA, url)
        with self._connect() as db:
            db.execute(upsert(db, HISTORY_LOCK, {"id": 1}, {}))

    def record(self, events: Iterable[Event]) -> None:
        """Keep what the app changed."""
        rows = [_values(event) for event in events]
        if rows:
            with self._locked() as db:
                db.execute(insert(HISTORY), rows)

    def record_noticed(self, events: Iterable[Event]) -> None:
        """Keep what the sync noticed in the sheet, unless the history already says so.

        Each worker process notices a change on its own, and also sees the other workers'
        writes as changes: a field whose latest record already holds the new value is skipped.
        """
        with self._locked() as db:
            for event in events:
                if not _known(db, event):
                    db.execute(insert(HISTORY).values(_values(event)))

    def of_case(self, case_id: str) -> list[Event]:
        """A case's records, newest first."""
        query = (
            select(*_EVENT_COLUMNS)
            .where(HISTORY.c.case_id == case_id)
            .order_by(HISTORY.c.seq.desc())
        )
        with self._connect() as db:
            return [_event(row) for row in db.execute(query)]

    def count_unsent(self) -> int:
        """How many records the sheet has not got yet."""
        with self._connect() as db:
            return db.execute(
                select(func.count()).select_from(HISTORY).where(HISTORY.c.sent == 0)
            ).scalar_one()

    def unsent(self, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` records the sheet has not got yet, oldest first."""
        query = (
            select(HISTORY.c.seq, *_EVENT_COLUMNS)
            .where(HISTORY.c.sent == 0)
            .order_by(HISTORY.c.seq)
            .limit(limit)
        )
        with self._connect() as db:
            return [(row[0], _event(row[1:])) for row in db.execute(query)]

    def sent(self, seqs: Iterable[int]) -> None:
        """The sheet took these records."""
        numbers = list(seqs)
        if numbers:
            with self._connect() as db:
                db.execute(update(HISTORY).where(HISTORY.c.seq.in_(numbers)).values(sent=1))

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        with self._transaction() as db:
            db.execute(select(HISTORY_LOCK.c.id).with_for_update())
            yield db


def returned_to_analyst(events: Iterable[Event]) -> Event | None:
    """The supervisor's return of the case (reason in ``new``), if no status change came after
    it; ``events`` newest first, as ``History.of_case`` gives them."""
    for event in events:
        if event.field == RETURNED:
            return event
        if event.field == STATUS_HEADER:
            return None
    return None


def _known(db: Connection, event: Event) -> bool:
    """Whether the history already tells of ``event`` (a case it knows appearing, or a field's
    latest record already holding the new value)."""
    if event.field == NEW_CASE:
        query = select(HISTORY.c.seq).where(HISTORY.c.case_id == event.case_id).limit(1)
        return db.execute(query).first() is not None
    latest = db.execute(
        select(HISTORY.c.new)
        .where(HISTORY.c.case_id == event.case_id, HISTORY.c.field == event.field)
        .order_by(HISTORY.c.seq.desc())
        .limit(1)
    ).first()
    return latest is not None and latest[0] == event.new


def _values(event: Event) -> dict[str, str]:
    return {
        "at": event.at.isoformat(),
        "user": event.user,
        "case_id": event.case_id,
        "field": event.field,
        "old": event.old,
        "new": event.new,
    }


def _event(row) -> Event:
    at, user, case_id, field, old, new = row
    return Event(datetime.fromisoformat(at), user, case_id, field, old, new)
