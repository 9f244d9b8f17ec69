"""One database of the app's own state, through SQLAlchemy Core: a SQLite file, or the
PostgreSQL database that ``RETENCAO_DATABASE_URL`` names.

SQLite files are in WAL mode, so that readers never wait for a writer, with
``synchronous=FULL``, so that a committed write survives a power cut; a transaction that reads
before it writes takes SQLite's write lock at its start, so that it is atomic across the worker
processes. A file written rarely (the users) can be checkpointed after each write, so that the
file alone, copied as a backup, holds every write. On PostgreSQL the stores make each
read-modify-write atomic themselves (``INSERT ... ON CONFLICT``, ``SELECT ... FOR UPDATE``).

Each store keeps a pool of connections for the process's life (opening one per statement cost
most of a write); a process started by fork never uses its parent's: it opens its own.
"""

import fcntl
import os
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.errors import LockNotAvailable
from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

_ENGINES: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_IMMEDIATE = "retencao_immediate"  # execution option: a SQLite transaction that will write
_SCHEMA_KEY = 0x5245_5400  # PostgreSQL advisory lock held while the tables are created


def _forget_parent_connections() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)  # the parent's connections stay the parent's


os.register_at_fork(after_in_child=_forget_parent_connections)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened (server down, wrong address, no permission); the message
    is in pt-BR and never shows the password."""


class Database:
    """The tables of ``metadata`` in the SQLite file ``path``, or in the database ``url`` when
    one is given; created on first use, then brought up to date by ``migrate``."""

    def __init__(
        self,
        path: Path,
        metadata: MetaData,
        url: str = "",
        checkpoint_writes: bool = False,
        migrate: Callable[[Connection], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.url = url
        if not url:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(url or f"sqlite:///{self.path}")
        self.checkpoint_writes = checkpoint_writes and self.is_sqlite
        weakref.finalize(self, self.engine.dispose)
        try:
            with self._transaction() as db:
                self._one_at_a_time(db, _SCHEMA_KEY)  # workers starting at once: made once
                metadata.create_all(db)
                if migrate:
                    migrate(db)
        except OperationalError as error:
            where = self.engine.url.render_as_string(hide_password=True)
            raise DatabaseUnavailable(
                f"Banco de dados indisponível ({where}): {error.orig}".strip()
            ) from error

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _one_at_a_time(self, db: Connection, key: int) -> None:
        """Make the transaction ``db`` wait for every other one that passed ``key`` until it
        ends (SQLite's write lock, taken at its start, does as much already)."""
        if not self.is_sqlite:
            db.execute(select(func.pg_advisory_xact_lock(key)))

    @contextmanager
    def _advisory_lock(self, key: int, timeout: float | None) -> Iterator[bool]:
        """PostgreSQL's advisory lock ``key``, held until the block ends, against every
        process of every server of this database; False if ``timeout`` seconds passed first
        (None: wait as long as it takes). The server releases it when its connection, one of
        its own outside the pool, closes: at the block's end, or when this process dies."""
        _args, params = self.engine.dialect.create_connect_args(self.engine.url)
        with psycopg.connect(**params, autocommit=True) as db:
            if timeout is not None:
                milliseconds = f"{timeout * 1000:.0f}"
                db.execute("SELECT set_config('lock_timeout', %s, false)", (milliseconds,))
            try:
                db.execute("SELECT pg_advisory_lock(%s)", (key,))
            except LockNotAvailable:
                yield False
                return
            yield True

    @contextmanager
    def _held_lock(self, name: str, key: int) -> Iterator[None]:
        """Hold this store's lock ``name`` until the block ends, waiting asleep (without
        polling) while another process holds it: the file lock ``<path>.<name>.lock`` beside
        a SQLite file, for the processes of this machine, or, on PostgreSQL, the advisory
        lock ``key``, for every process of every server of the database. Either is released
        when its holder ends, even by a crash."""
        if self.is_sqlite:
            with file_lock(Path(f"{self.path}.{name}.lock")):
                yield
            return
        with self._advisory_lock(key, None):
            yield

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A connection for reads and single statements, committed when the block ends."""
        with self.engine.begin() as db:
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A transaction that reads and then writes: all of it or nothing, and (on SQLite)
        holding the write lock from its start."""
        with self.engine.execution_options(**{_IMMEDIATE: True}).begin() as db:
            yield db
        if self.checkpoint_writes:
            with self.engine.connect() as db:
                db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                db.commit()


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """The exclusive lock of the file ``path`` (made if missing) until the block ends, against
    the other processes of this machine; released when the holder ends, even by a crash."""
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def close_all() -> None:
    """Close the idle pooled connections of every store of this process (the next use opens
    others; one in use now goes back to its pool, to be closed by the next call)."""
    for engine in list(_ENGINES):
        engine.pool.dispose()


def upsert(
    db: Connection, table: Table, values: Mapping[str, object], update: Mapping[str, object]
):
    """``INSERT ... ON CONFLICT (primary key) DO UPDATE SET update`` (``DO NOTHING`` when
    ``update`` is empty): one atomic statement on either engine. In ``update``, a column of
    ``table`` is the row already there."""
    dialect = postgresql if db.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    keys = [column.name for column in table.primary_key]
    if not update:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(index_elements=keys, set_=dict(update))


def _engine(url: str) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
    else:
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
    _ENGINES.add(engine)
    return engine


def _sqlite_connected(connection, _record) -> None:
    connection.isolation_level = None  # transactions begin where _sqlite_begin says
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")


def _sqlite_begin(db: Connection) -> None:
    immediate = db.get_execution_options().get(_IMMEDIATE)
    db.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
