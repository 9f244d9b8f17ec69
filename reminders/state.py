"""Which day's digest each person has had, kept beside the outbox (or in the shared database of
RETENCAO_DATABASE_URL) so that a restart, or another server, does not resend."""

from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, Text, select

from store.database import Database, file_lock, upsert

_SENDING_KEY = 0x5245_5404  # PostgreSQL advisory lock of a run that sends digests

METADATA = MetaData()
DIGESTS = Table(
    "digests",
    METADATA,
    Column("day", Text, primary_key=True),
    Column("username", Text, primary_key=True),
    Column("sent_at", Text, nullable=False),
)


class SentDigests(Database):
    """The days each user's digest was dealt with (sent, or had nothing to say)."""

    def __init__(self, path: Path, url: str = "") -> None:
        super().__init__(path, METADATA, url)

    def done(self, day: date) -> set[str]:
        """The users whose digest of ``day`` needs nothing more."""
        with self._connect() as db:
            rows = db.execute(select(DIGESTS.c.username).where(DIGESTS.c.day == day.isoformat()))
            return set(rows.scalars())

    def mark(self, day: date, username: str, at: datetime) -> None:
        """Record that ``username``'s digest of ``day`` is dealt with."""
        row = {"day": day.isoformat(), "username": username, "sent_at": at.isoformat()}
        with self._transaction() as db:
            db.execute(upsert(db, DIGESTS, row, {}))

    def scheduler_lock(self) -> AbstractContextManager[None]:
        """Hold the lock of the one process per machine that sends digests; others sleep on
        it in the kernel, to take over when that process ends (even by a crash)."""
        return file_lock(Path(f"{self.path}.lock"))

    def sending_lock(self) -> AbstractContextManager[None]:
        """Hold the lock of a run that sends (the schedule's or ``flask reminders send``), so
        that two runs at once never send anyone the same digest: a file lock on this machine,
        or, in a database shared by several servers, the database's lock."""
        return self._held_lock("sending", _SENDING_KEY)
