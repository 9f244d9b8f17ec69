"""The audit history: every change to a case, kept locally and appended to the Histórico tab.

The app records what it changed (who, when, field, old and new value) right after the sheet took
the write, and what the sync noticed people changed in the sheet (user "planilha"). Records are
kept in SQLite beside the outbox (the case page's timeline reads them there, with no Sheets call)
and sent to the sheet's history tab in batches by the outbox's sender, outside the user's save.
"""

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from retention import ptbr
from sheets.columns import CELL_TEXT_LIMIT, COLUMNS
from sheets.local_db import LocalDatabase
from sheets.sync import NEW_CASE

HEADERS = ("Data/hora", "Usuário", "ID do caso", "Campo", "Valor anterior", "Valor novo")
FROM_SHEET = "planilha"
CREATED = "(caso criado)"
RETURNED = "(devolvido ao analista)"
TEAM = "(equipe)"  # the "case" of the team page's records: accounts created, roles changed...
SIGN_OFF_COMMENT = "(comentário da assinatura)"
SIGNED_INCOMPLETE = "(assinado com o checklist incompleto)"
STATUS_HEADER = next(c.header for c in COLUMNS if c.field == "status")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    case_id TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT NOT NULL,
    new TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS history_case ON history (case_id, field);
CREATE INDEX IF NOT EXISTS history_unsent ON history (sent, seq);
"""


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


class History(LocalDatabase):
    """The history records of every case, and which of them the sheet has not got yet."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def record(self, events: Iterable[Event]) -> None:
        """Keep what the app changed."""
        with self._transaction() as db:
            db.executemany(_INSERT, [_values(event) for event in events])

    def record_noticed(self, events: Iterable[Event]) -> None:
        """Keep what the sync noticed in the sheet, unless the history already says so.

        Each worker process notices a change on its own, and also sees the other workers'
        writes as changes: a field whose latest record already holds the new value is skipped.
        """
        with self._transaction() as db:
            for event in events:
                if not _known(db, event):
                    db.execute(_INSERT, _values(event))

    def of_case(self, case_id: str) -> list[Event]:
        """A case's records, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT at, user, case_id, field, old, new FROM history WHERE case_id = ?"
                " ORDER BY seq DESC",
                (case_id,),
            ).fetchall()
        return [_event(row) for row in rows]

    def count_unsent(self) -> int:
        """How many records the sheet has not got yet."""
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM history WHERE sent = 0").fetchone()[0]

    def unsent(self, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` records the sheet has not got yet, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT seq, at, user, case_id, field, old, new FROM history WHERE sent = 0"
                " ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [(row[0], _event(row[1:])) for row in rows]

    def sent(self, seqs: Iterable[int]) -> None:
        """The sheet took these records."""
        with self._connect() as db:
            db.executemany("UPDATE history SET sent = 1 WHERE seq = ?", [(s,) for s in seqs])


def returned_to_analyst(events: Iterable[Event]) -> Event | None:
    """The supervisor's return of the case (reason in ``new``), if no status change came after
    it; ``events`` newest first, as ``History.of_case`` gives them."""
    for event in events:
        if event.field == RETURNED:
            return event
        if event.field == STATUS_HEADER:
            return None
    return None


def _known(db: sqlite3.Connection, event: Event) -> bool:
    """Whether the history already tells of ``event`` (a case it knows appearing, or a field's
    latest record already holding the new value)."""
    if event.field == NEW_CASE:
        query, args = "SELECT 1 FROM history WHERE case_id = ?", (event.case_id,)
        return db.execute(query, args).fetchone() is not None
    latest = db.execute(
        "SELECT new FROM history WHERE case_id = ? AND field = ? ORDER BY seq DESC LIMIT 1",
        (event.case_id, event.field),
    ).fetchone()
    return latest is not None and latest[0] == event.new


_INSERT = "INSERT INTO history (at, user, case_id, field, old, new) VALUES (?, ?, ?, ?, ?, ?)"


def _values(event: Event) -> tuple:
    return (event.at.isoformat(), event.user, event.case_id, event.field, event.old, event.new)


def _event(row) -> Event:
    at, user, case_id, field, old, new = row
    return Event(datetime.fromisoformat(at), user, case_id, field, old, new)
