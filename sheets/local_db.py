"""A SQLite file of the app's own (outbox, history), shared by every worker process."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LocalDatabase:
    """One SQLite file, created with ``schema`` on first use; each use opens a connection."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(schema)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()
