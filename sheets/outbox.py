"""The outbox: a durable queue (SQLite) of sheet writes not yet confirmed by the sheet.

Every save is written here first and removed only once the sheet took it, so a case survives
a sheet that is down, rate-limited, locked by Excel, or a restart of the app. Case IDs are
allocated here too, so a case gets its ID even while the sheet cannot be reached.

The cells the sheet confirmed are kept a while longer (``confirmed``), so that every worker
process shows its own team's writes at once, before any read of the sheet contains them (on
Google, nothing tells the app cheaply that the sheet changed).
"""

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import (
    CheckConstraint,
    Column,
    Integer,
    MetaData,
    Row,
    Table,
    Text,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from retention.case import case_id_for
from store.database import Database, upsert

ADD, EDIT = "add", "edit"
PENDING, FAILED = "pending", "failed"

METADATA = MetaData()
ENTRIES = Table(
    "entries",
    METADATA,
    Column("seq", Integer, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("queued_at", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("state", Text, nullable=False, server_default=PENDING),
    sqlite_autoincrement=True,
)
CASE_NUMBERS = Table(
    "case_numbers",
    METADATA,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)
CONFIRMED = Table(
    "confirmed",
    METADATA,
    Column("seq", Integer, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("cells", Text, nullable=False),
    sqlite_autoincrement=True,
)
FORGOTTEN = Table(  # one row: confirmed writes up to ``upto`` were forgotten
    "forgotten",
    METADATA,
    Column("id", Integer, CheckConstraint("id = 1"), primary_key=True, autoincrement=False),
    Column("upto", Integer, nullable=False),
)
RENAMED = Table(
    "renamed",
    METADATA,
    Column("old", Text, primary_key=True),
    Column("new", Text, nullable=False),
)
_DRAIN_KEY, _SENDER_KEY = 0x5245_5401, 0x5245_5402  # PostgreSQL advisory locks of the outbox
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


class Outbox(Database):
    """Writes waiting for the sheet, in the order they were made: in the SQLite file ``path``,
    or in the database ``url`` (the lock files stay beside ``path``)."""

    def __init__(self, path: Path, drain_timeout: float = 60.0, url: str = "") -> None:
        super().__init__(path, METADATA, url)
        self._drain_lock = FileLock(f"{self.path}.drain.lock", timeout=drain_timeout)

    def allocate_id(self, year: int, floor: int) -> str:
        """``RET-<year>-<n>``: above every number used here and above ``floor`` (the sheet's)."""
        last = CASE_NUMBERS.c.last
        with self._connect() as db:
            statement = upsert(
                db,
                CASE_NUMBERS,
                {"year": year, "last": floor + 1},
                {"last": case((last > floor, last), else_=floor) + 1},
            )
            number = db.execute(statement.returning(last)).scalar_one()
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
        row = {
            "case_id": case_id,
            "kind": kind,
            "payload": payload,
            "queued_at": queued_at.isoformat(),
        }
        with self._connect() as db:
            return db.execute(insert(ENTRIES).values(row).returning(ENTRIES.c.seq)).scalar_one()

    def entries(self, case_id: str | None = None, state: str | None = PENDING) -> list[Entry]:
        """Queued writes in order, optionally of one case and of one state (None: any)."""
        query = select(ENTRIES).order_by(ENTRIES.c.seq)
        if case_id is not None:
            query = query.where(ENTRIES.c.case_id == case_id)
        if state is not None:
            query = query.where(ENTRIES.c.state == state)
        with self._connect() as db:
            return [_entry(row) for row in db.execute(query)]

    def is_queued(self, seq: int) -> bool:
        """Whether the write ``seq`` is still in the outbox (pending or failed)."""
        with self._connect() as db:
            found = db.execute(select(ENTRIES.c.seq).where(ENTRIES.c.seq == seq)).first()
        return found is not None

    def confirm(self, seq: int, case_id: str, cells: Mapping[str, object]) -> None:
        """The sheet took the write ``seq``, which set these cells: keep them, forget the write."""
        payload = json.dumps({k: _tag(v) for k, v in cells.items()})
        with self._transaction() as db:
            db.execute(delete(ENTRIES).where(ENTRIES.c.seq == seq))
            if cells:
                db.execute(insert(CONFIRMED).values(case_id=case_id, cells=payload))
            cutoff = db.execute(
                select(CONFIRMED.c.seq)
                .order_by(CONFIRMED.c.seq.desc())
                .limit(1)
                .offset(CONFIRMED_KEPT)
            ).scalar()
            if cutoff is not None:
                upto = FORGOTTEN.c.upto
                db.execute(delete(CONFIRMED).where(CONFIRMED.c.seq <= cutoff))
                db.execute(
                    upsert(
                        db,
                        FORGOTTEN,
                        {"id": 1, "upto": cutoff},
                        {"upto": case((upto > cutoff, upto), else_=cutoff)},
                    )
                )

    def confirmed_since(self, seq: int) -> list[Confirmed] | None:
        """Confirmed writes after ``seq``, in order; None if some of them were forgotten."""
        with self._connect() as db:
            # Rows first: a forgetting that removed some of them has set ``upto`` by the time
            # it is read below.
            rows = db.execute(
                select(CONFIRMED.c.seq, CONFIRMED.c.case_id, CONFIRMED.c.cells)
                .where(CONFIRMED.c.seq > seq)
                .order_by(CONFIRMED.c.seq)
            ).all()
            forgotten = db.execute(select(FORGOTTEN.c.upto)).scalar()
        if forgotten is not None and forgotten > seq:
            return None
        return [
            Confirmed(n, case_id, {k: _untag(v) for k, v in json.loads(cells).items()})
            for n, case_id, cells in rows
        ]

    def last_confirmed(self) -> int:
        """The number of the latest confirmed write (0 before any)."""
        with self._connect() as db:
            latest = db.execute(select(func.max(CONFIRMED.c.seq))).scalar()
            forgotten = db.execute(select(FORGOTTEN.c.upto)).scalar()
        return max(latest or 0, forgotten or 0)

    def rename(self, old: str, new: str) -> None:
        """A new case went into the sheet as ``new``: its first ID ``old`` was taken there."""
        with self._connect() as db:
            db.execute(upsert(db, RENAMED, {"old": old, "new": new}, {"new": new}))

    def renamed(self, old: str) -> str | None:
        """The ID a case given ``old`` got in the sheet instead, if it got another."""
        with self._connect() as db:
            return db.execute(select(RENAMED.c.new).where(RENAMED.c.old == old)).scalar()

    def remove(self, seq: int) -> None:
        """The sheet took the write (or it turned out to be needless): forget it."""
        with self._connect() as db:
            db.execute(delete(ENTRIES).where(ENTRIES.c.seq == seq))

    def attempted(self, seq: int, error: str) -> None:
        """A try failed for a passing reason; the write stays pending."""
        self._tried(seq, last_error=error)

    def fail(self, seq: int, error: str) -> None:
        """The write can never go as it is (conflict, case deleted): keep it, stop retrying."""
        self._tried(seq, last_error=error, state=FAILED)

    def _tried(self, seq: int, **changes: str) -> None:
        with self._connect() as db:
            db.execute(
                update(ENTRIES)
                .where(ENTRIES.c.seq == seq)
                .values(attempts=ENTRIES.c.attempts + 1, **changes)
            )

    @contextmanager
    def draining(self) -> Iterator[bool]:
        """Hold the right to send (one sender at a time, across processes and, on PostgreSQL,
        across servers); False if busy."""
        if not self.is_sqlite:
            with self._advisory_lock(_DRAIN_KEY, self._drain_lock.timeout) as held:
                yield held
            return
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
        """Hold the background sender's lock: one process per outbox sends every few seconds
        (on PostgreSQL, one process of all the servers that share it).

        Waits, asleep in the kernel (or the database server) and without polling, while another
        process holds it; it is released when the holder ends, even by a crash.
        """
        with self._held_lock("sender", _SENDER_KEY):
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


def _entry(found: Row) -> Entry:
    row = found._mapping
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
