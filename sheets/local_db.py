"""A SQLite file of the app's own (outbox, history, users), shared by every worker process."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LocalDatabase:
    """One SQLite file, created with ``schema`` on first use; each use opens a connection."""

    def __init__(self, path: Path, schema: str, row_factory: type | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.row_factory = row_factory
        with self._connect() as db:
            db.executescript(schema)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode: each statement on its own (reads need no lock)."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = self.row_factory
        try:
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection holding the write lock until the block ends: all of it or nothing."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
