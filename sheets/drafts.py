"""Drafts: what a user typed into a case form and has not saved, kept in SQLite beside the
outbox (never in the shared sheet) until it is saved, discarded or too old.

A draft belongs to an owner, ``user:<username>``, or ``token:<random>`` for a form posted after
the session ended (the token is in a cookie of that browser; the draft is handed over to
whoever signs in there next), and to a target: ``novo`` for a new case, else the case ID.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sheets.local_db import LocalDatabase

NEW = "novo"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    owner TEXT NOT NULL,
    target TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (owner, target)
);
"""


@dataclass(frozen=True)
class Draft:
    """The fields of one form as it was posted, name and value, in page order."""

    owner: str
    target: str
    saved_at: datetime
    fields: list[tuple[str, str]]

    @property
    def is_new_case(self) -> bool:
        return self.target == NEW


class Drafts(LocalDatabase):
    """Every user's unsaved forms; a draft older than ``keep`` is gone."""

    def __init__(self, path: Path, keep: timedelta, clock: Callable[[], datetime]) -> None:
        super().__init__(path, _SCHEMA)
        self.keep = keep
        self.clock = clock

    def save(self, owner: str, target: str, fields: Sequence[tuple[str, str]]) -> datetime:
        """Keep ``fields`` as the owner's draft for ``target``, replacing any older one."""
        now = self.clock()
        with self._transaction() as db:
            db.execute("DELETE FROM drafts WHERE saved_at < ?", (self._oldest(),))
            db.execute(
                "INSERT OR REPLACE INTO drafts (owner, target, saved_at, fields) VALUES (?,?,?,?)",
                (owner, target, now.isoformat(), json.dumps(list(fields))),
            )
        return now

    def get(self, owner: str, target: str) -> Draft | None:
        """The owner's draft for ``target``, if one is kept."""
        found = [d for d in self.of_owner(owner) if d.target == target]
        return found[0] if found else None

    def of_owner(self, owner: str) -> list[Draft]:
        """The owner's drafts, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT owner, target, saved_at, fields FROM drafts WHERE owner = ?"
                " AND saved_at >= ? ORDER BY saved_at DESC",
                (owner, self._oldest()),
            ).fetchall()
        return [Draft(o, t, datetime.fromisoformat(at), _pairs(f)) for o, t, at, f in rows]

    def discard(self, owner: str, target: str) -> None:
        """Forget the owner's draft for ``target`` (saved, or thrown away)."""
        with self._connect() as db:
            db.execute("DELETE FROM drafts WHERE owner = ? AND target = ?", (owner, target))

    def hand_over(self, old_owner: str, new_owner: str) -> None:
        """Give ``old_owner``'s drafts to ``new_owner``; they replace its drafts of the same
        targets, being newer."""
        with self._transaction() as db:
            db.execute(
                "DELETE FROM drafts WHERE owner = ? AND target IN"
                " (SELECT target FROM drafts WHERE owner = ?)",
                (new_owner, old_owner),
            )
            db.execute("UPDATE drafts SET owner = ? WHERE owner = ?", (new_owner, old_owner))

    def _oldest(self) -> str:
        return (self.clock() - self.keep).isoformat()


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(str(name), str(value)) for name, value in json.loads(text)]
