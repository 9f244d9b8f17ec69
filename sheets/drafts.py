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

from sqlalchemy import Column, MetaData, Table, Text, delete, select

from store.database import Database, upsert

NEW = "novo"
METADATA = MetaData()
DRAFTS = Table(
    "drafts",
    METADATA,
    Column("owner", Text, primary_key=True),
    Column("target", Text, primary_key=True),
    Column("saved_at", Text, nullable=False),
    Column("fields", Text, nullable=False),
)


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


class Drafts(Database):
    """Every user's unsaved forms; a draft older than ``keep`` is gone."""

    def __init__(
        self, path: Path, keep: timedelta, clock: Callable[[], datetime], url: str = ""
    ) -> None:
        super().__init__(path, METADATA, url)
        self.keep = keep
        self.clock = clock

    def save(self, owner: str, target: str, fields: Sequence[tuple[str, str]]) -> datetime:
        """Keep ``fields`` as the owner's draft for ``target``, replacing any older one."""
        now = self.clock()
        kept = {"saved_at": now.isoformat(), "fields": json.dumps(list(fields))}
        with self._connect() as db:
            db.execute(delete(DRAFTS).where(DRAFTS.c.saved_at < self._oldest()))
            db.execute(upsert(db, DRAFTS, {"owner": owner, "target": target, **kept}, kept))
        return now

    def get(self, owner: str, target: str) -> Draft | None:
        """The owner's draft for ``target``, if one is kept."""
        found = [d for d in self.of_owner(owner) if d.target == target]
        return found[0] if found else None

    def of_owner(self, owner: str) -> list[Draft]:
        """The owner's drafts, newest first."""
        query = (
            select(DRAFTS.c.owner, DRAFTS.c.target, DRAFTS.c.saved_at, DRAFTS.c.fields)
            .where(DRAFTS.c.owner == owner, DRAFTS.c.saved_at >= self._oldest())
            .order_by(DRAFTS.c.saved_at.desc())
        )
        with self._connect() as db:
            rows = db.execute(query).all()
        return [Draft(o, t, datetime.fromisoformat(at), _pairs(f)) for o, t, at, f in rows]

    def discard(self, owner: str, target: str) -> None:
        """Forget the owner's draft for ``target`` (saved, or thrown away)."""
        with self._connect() as db:
            db.execute(delete(DRAFTS).where(DRAFTS.c.owner == owner, DRAFTS.c.target == target))

    def hand_over(self, old_owner: str, new_owner: str) -> None:
        """Give ``old_owner``'s drafts to ``new_owner``; they replace its drafts of the same
        targets, being newer."""
        given = DRAFTS.c.owner == old_owner
        with self._transaction() as db:
            handed = db.execute(select(DRAFTS).where(given).with_for_update()).mappings().all()
            for draft in handed:
                kept = {"saved_at": draft["saved_at"], "fields": draft["fields"]}
                db.execute(upsert(db, DRAFTS, {**draft, "owner": new_owner}, kept))
            db.execute(delete(DRAFTS).where(given))

    def _oldest(self) -> str:
        return (self.clock() - self.keep).isoformat()


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(str(name), str(value)) for name, value in json.loads(text)]
