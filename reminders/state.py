"""Which day's digest each person has had, kept beside the outbox (or in the shared database of
RETENCAO_DATABASE_URL) so that a restart, or another server, does not resend."""

import fcntl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, Text, select

from store.database import Database, upsert

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
        return _flock(Path(f"{self.path}.lock"))

    def sending_lock(self) -> AbstractContextManager[None]:
        """Hold the lock of a run that sends (the schedule's or ``flask reminders send``), so
        that two runs at once never send anyone the same digest: a file lock on this machine,
        or, in a database shared by several servers, the database's lock."""
        if self.is_sqlite:
            return _flock(Path(f"{self.path}.sending.lock"))
        return self._held(_SENDING_KEY)

    @contextmanager
    def _held(self, key: int) -> Iterator[None]:
        with self._advisory_lock(key, timeout=None):
            yield


@contextmanager
def _flock(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
