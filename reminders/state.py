"""Which day's digest each person has had, kept beside the outbox so a restart does not resend."""

import fcntl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path

from sheets.local_db import LocalDatabase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (
    day TEXT NOT NULL,
    username TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (day, username)
)
"""


class SentDigests(LocalDatabase):
    """The days each user's digest was dealt with (sent, or had nothing to say)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def done(self, day: date) -> set[str]:
        """The users whose digest of ``day`` needs nothing more."""
        with self._connect() as db:
            rows = db.execute("SELECT username FROM digests WHERE day = ?", (day.isoformat(),))
            return {username for (username,) in rows}

    def mark(self, day: date, username: str, at: datetime) -> None:
        """Record that ``username``'s digest of ``day`` is dealt with."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO digests (day, username, sent_at) VALUES (?, ?, ?)",
                (day.isoformat(), username, at.isoformat()),
            )

    def scheduler_lock(self) -> AbstractContextManager[None]:
        """Hold the lock of the one process per machine that sends digests; others sleep on
        it in the kernel, to take over when that process ends (even by a crash)."""
        return _flock(Path(f"{self.path}.lock"))

    def sending_lock(self) -> AbstractContextManager[None]:
        """Hold the lock of a run that sends (the schedule's or ``flask reminders send``), so
        that two runs at once never send anyone the same digest."""
        return _flock(Path(f"{self.path}.sending.lock"))


@contextmanager
def _flock(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
