"""A SQLite file of the app's own (outbox, history, users), shared by every worker process.

Each process keeps one connection to it for its whole life (opening one per statement cost
most of a write), in WAL mode so that readers never wait for a writer, with
``synchronous=FULL`` so that a committed write survives a power cut. The connection is shared
by the process's threads, one statement or transaction at a time; a process started by fork
opens its own. A file written rarely (the users) can be checkpointed after each write, so that
the file alone, copied as a backup, holds every write.
"""

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LocalDatabase:
    """One SQLite file, created with ``schema`` on first use, through one connection per
    process."""

    def __init__(
        self,
        path: Path,
        schema: str,
        row_factory: type | None = None,
        checkpoint_writes: bool = False,
    ) -> None:
        self.path = Path(path)
        self.checkpoint_writes = checkpoint_writes
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.row_factory = row_factory
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        with self._connect() as db:
            db.executescript(schema)

    def close(self) -> None:
        """Close this process's connection (the next use opens another)."""
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The connection in autocommit mode, for this thread alone until the block ends."""
        with self._lock:
            yield self._connection()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection holding the write lock until the block ends: all of it or nothing."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            if self.checkpoint_writes:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # never use a parent's after fork
            db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            db.row_factory = self.row_factory
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            self._db, self._pid = db, os.getpid()
        return self._db
