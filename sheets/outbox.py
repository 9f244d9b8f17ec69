"""The outbox: a durable queue (SQLite) of sheet writes not yet confirmed by the sheet.

Every save is written here first and removed only once the sheet took it, so a case survives
a sheet that is down, rate-limited, locked by Excel, or a restart of the app. Case IDs are
allocated here too, so a case gets its ID even while the sheet cannot be reached.

The cells the sheet confirmed are kept a while longer (``confirmed``), so that every worker
process shows its own team's writes at once, before any read of the sheet contains them (on
Google, nothing tells the app cheaply that the sheet changed).
"""

import fcntl
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from filelock import FileLock, Timeout

from retention.case import case_id_for
from sheets.local_db import LocalDatabase

ADD, EDIT = "add", "edit"
PENDING, FAILED = "pending", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'pending'
);
CREATE TABLE IF NOT EXISTS case_numbers (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS confirmed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    cells TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forgotten (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS renamed (old TEXT PRIMARY KEY, new TEXT NOT NULL);
"""
CONFIRMED_KEPT = 2000  # confirmed writes kept for the other worker processes to lay over


@dataclass(frozen=True)
class Confirmed:
    """Cells of one case the sheet confirmed, numbered in the order they were confirmed."""

    seq: int
    case_id: str
    cells: dict[str, object]


@dataclass(frozen=True)
class Entry:
    """One queued write: a new case (all its cells) or an edit (the form's cells and base)."""

    seq: int
    case_id: str
    kind: str
    values: dict[str, object]
    base: dict[str, str]
    author: str
    queued_at: datetime
    attempts: int = 0
    last_error: str = ""
    state: str = PENDING


class Outbox(LocalDatabase):
    """Writes waiting for the sheet, in the order they were made."""

    def __init__(self, path: Path, drain_timeout: float = 60.0) -> None:
        super().__init__(path, _SCHEMA)
        self._drain_lock = FileLock(f"{self.path}.drain.lock", timeout=drain_timeout)

    def allocate_id(self, year: int, floor: int) -> str:
        """``RET-<year>-<n>``: above every number used here and above ``floor`` (the sheet's)."""
        with self._transaction() as db:
            row = db.execute("SELECT last FROM case_numbers WHERE year = ?", (year,)).fetchone()
            number = max(row[0] if row else 0, floor) + 1
            db.execute(
                "INSERT INTO case_numbers (year, last) VALUES (?, ?)"
                " ON CONFLICT(year) DO UPDATE SET last = excluded.last",
                (year, number),
            )
        return case_id_for(year, number)

    def put(
        self,
        kind: str,
        case_id: str,
        values: Mapping[str, object],
        author: str,
        queued_at: datetime,
        base: Mapping[str, str] | None = None,
    ) -> int:
        """Queue a write durably; its sequence number."""
        payload = json.dumps(
            {
                "values": {k: _tag(v) for k, v in values.items()},
                "base": base or {},
                "author": author,
            }
        )
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO entries (case_id, kind, payload, queued_at) VALUES (?, ?, ?, ?)",
                (case_id, kind, payload, queued_at.isoformat()),
            )
            seq = cursor.lastrowid
            assert seq is not None  # an INSERT always sets it
            return seq

    def entries(self, case_id: str | None = None, state: str | None = PENDING) -> list[Entry]:
        """Queued writes in order, optionally of one case and of one state (None: any)."""
        query, args = "SELECT * FROM entries WHERE 1=1", list[object]()
        if case_id is not None:
            query, args = query + " AND case_id = ?", [*args, case_id]
        if state is not None:
            query, args = query + " AND state = ?", [*args, state]
        with self._connect() as db:
            cursor = db.cursor()
            cursor.row_factory = sqlite3.Row
            return [_entry(row) for row in cursor.execute(query + " ORDER BY seq", args)]

    def is_queued(self, seq: int) -> bool:
        """Whether the write ``seq`` is still in the outbox (pending or failed)."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM entries WHERE seq = ?", (seq,)).fetchone() is not None

    def confirm(self, seq: int, case_id: str, cells: Mapping[str, object]) -> None:
        """The sheet took the write ``seq``, which set these cells: keep them, forget the write."""
        payload = json.dumps({k: _tag(v) for k, v in cells.items()})
        with self._transaction() as db:
            db.execute("DELETE FROM entries WHERE seq = ?", (seq,))
            if cells:
                db.execute(
                    "INSERT INTO confirmed (case_id, cells) VALUES (?, ?)", (case_id, payload)
                )
            cutoff = db.execute(
                "SELECT seq FROM confirmed ORDER BY seq DESC LIMIT 1 OFFSET ?", (CONFIRMED_KEPT,)
            ).fetchone()
            if cutoff:
                db.execute("DELETE FROM confirmed WHERE seq <= ?", cutoff)
                db.execute("INSERT OR REPLACE INTO forgotten (id, upto) VALUES (1, ?)", cutoff)

    def confirmed_since(self, seq: int) -> list[Confirmed] | None:
        """Confirmed writes after ``seq``, in order; None if some of them were forgotten."""
        with self._connect() as db:
            forgotten = db.execute("SELECT upto FROM forgotten").fetchone()
            if forgotten and forgotten[0] > seq:
                return None
            rows = db.execute(
                "SELECT seq, case_id, cells FROM confirmed WHERE seq > ? ORDER BY seq", (seq,)
            ).fetchall()
        return [
            Confirmed(n, case_id, {k: _untag(v) for k, v in json.loads(cells).items()})
            for n, case_id, cells in rows
        ]

    def last_confirmed(self) -> int:
        """The number of the latest confirmed write (0 before any)."""
        with self._connect() as db:
            row = db.execute("SELECT MAX(seq) FROM confirmed").fetchone()
            forgotten = db.execute("SELECT upto FROM forgotten").fetchone()
        return max(row[0] or 0, forgotten[0] if forgotten else 0)

    def rename(self, old: str, new: str) -> None:
        """A new case went into the sheet as ``new``: its first ID ``old`` was taken there."""
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO renamed (old, new) VALUES (?, ?)", (old, new))

    def renamed(self, old: str) -> str | None:
        """The ID a case given ``old`` got in the sheet instead, if it got another."""
        with self._connect() as db:
            row = db.execute("SELECT new FROM renamed WHERE old = ?", (old,)).fetchone()
        return row[0] if row else None

    def remove(self, seq: int) -> None:
        """The sheet took the write (or it turned out to be needless): forget it."""
        with self._connect() as db:
            db.execute("DELETE FROM entries WHERE seq = ?", (seq,))

    def attempted(self, seq: int, error: str) -> None:
        """A try failed for a passing reason; the write stays pending."""
        with self._connect() as db:
            db.execute(
                "UPDATE entries SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                (error, seq),
            )

    def fail(self, seq: int, error: str) -> None:
        """The write can never go as it is (conflict, case deleted): keep it, stop retrying."""
        with self._connect() as db:
            db.execute(
                "UPDATE entries SET attempts = attempts + 1, last_error = ?, state = ?"
                " WHERE seq = ?",
                (error, FAILED, seq),
            )

    @contextmanager
    def draining(self) -> Iterator[bool]:
        """Hold the right to send (one sender at a time, across processes); False if busy."""
        try:
            self._drain_lock.acquire()
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            self._drain_lock.release()

    def ask_to_sync(self) -> int:
        """Ask every worker process to read the sheet whole at its next page ("Sincronizar
        agora"); returns the number of such requests so far, as ``syncs_asked`` counts them."""
        with open(f"{self.path}.sync", "ab") as requests:  # one byte per request, appended
            requests.write(b".")
        return self.syncs_asked()

    def syncs_asked(self) -> int:
        """How many times "Sincronizar agora" was pressed, in any worker process (a stat of a
        file, cheap enough for every page)."""
        try:
            return Path(f"{self.path}.sync").stat().st_size
        except FileNotFoundError:
            return 0

    @contextmanager
    def sender_lock(self) -> Iterator[None]:
        """Hold the background sender's lock: one process per outbox sends every few seconds.

        Waits, asleep in the kernel and without polling, while another process holds it; the
        kernel releases it when the holder ends, even by a crash.
        """
        with open(f"{self.path}.sender.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def _tag(value: object) -> object:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


_UNTAG: dict[str, Callable[[str], object]] = {
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$decimal": Decimal,
}


def _untag(value: object) -> object:
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        return _UNTAG[tag](text)
    return value


def _entry(row: sqlite3.Row) -> Entry:
    payload = json.loads(row["payload"])
    return Entry(
        seq=row["seq"],
        case_id=row["case_id"],
        kind=row["kind"],
        values={k: _untag(v) for k, v in payload["values"].items()},
        base=payload["base"],
        author=payload["author"],
        queued_at=datetime.fromisoformat(row["queued_at"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        state=row["state"],
    )
