"""The app's users, kept in the app's own database (never in the shared sheet)."""

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    Row,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from auth.access import ROLES
from store.database import Database

MIN_PASSWORD = 8
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_FIRST_ADMIN_KEY = 0x5245_5403  # PostgreSQL advisory lock of the first-run page
LAST_SUPERVISOR = "É preciso ao menos um supervisor ativo."

METADATA = MetaData()
USERS = Table(
    "users",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Integer, nullable=False, server_default="1"),
    Column("session_key", Text, nullable=False),
    Column("email", Text, nullable=False, server_default=""),
    Column("must_change_password", Integer, nullable=False, server_default="0"),
)
# Columns added after the first version, added on open to a users table without them.
_ADDED = {
    "email": "email TEXT NOT NULL DEFAULT ''",
    "must_change_password": "must_change_password INTEGER NOT NULL DEFAULT 0",
}


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message is for people, in pt-BR."""


@dataclass(frozen=True)
class User:
    """A person who signs in; ``session_key`` changes with the password to end old sessions."""

    id: int
    username: str
    name: str
    role: str
    active: bool
    session_key: str
    email: str = ""
    must_change_password: bool = False

    # Flask-Login's user interface
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the session cookie holds: the user and the current session key."""
        return f"{self.id}:{self.session_key}"


class UserStore(Database):
    """Users in the SQLite file ``path``, or in the database ``url``, shared by every worker
    process."""

    def __init__(self, path: Path, url: str = "") -> None:
        super().__init__(path, METADATA, url, checkpoint_writes=True, migrate=_add_columns)
        self._someone = False  # users are disabled, never deleted: once true, always true

    def exists(self) -> bool:
        """Whether anyone has been registered yet (asked on every request until someone is)."""
        if not self._someone:
            with self._connect() as db:
                self._someone = db.execute(select(USERS.c.id).limit(1)).first() is not None
        return self._someone

    def add(
        self,
        username: str,
        name: str,
        role: str,
        password: str,
        email: str = "",
        must_change_password: bool = False,
    ) -> User:
        """Register a user; UserError says what is wrong with the input."""
        with self._transaction() as db:
            return self._insert(db, username, name, role, password, email, must_change_password)

    def add_first_admin(self, username: str, name: str, password: str) -> User:
        """Register the first user, a supervisor; UserError if anyone exists already."""
        with self._transaction() as db:
            self._one_at_a_time(db, _FIRST_ADMIN_KEY)  # two first-run pages sent at once
            if db.execute(select(USERS.c.id).limit(1)).first():
                raise UserError("O primeiro administrador já foi criado: entre com sua conta.")
            return self._insert(db, username, name, "supervisor", password, "", False)

    def _insert(
        self,
        db: Connection,
        username: str,
        name: str,
        role: str,
        password: str,
        email: str,
        must_change_password: bool,
    ) -> User:
        username = check_username(username)
        if not name.strip():
            raise UserError("Informe o nome da pessoa.")
        check_role(role)
        check_password(password)
        email = check_email(email)
        if self._row(db, USERS.c.username == username):
            raise UserError(f"Já existe um usuário “{username}”.")
        row = {
            "username": username,
            "name": name.strip(),
            "role": role,
            "password_hash": generate_password_hash(password),
            "session_key": _new_key(),
            "email": email,
            "must_change_password": int(must_change_password),
        }
        try:
            return _user(db.execute(insert(USERS).values(row).returning(*USERS.c)).one())
        except IntegrityError:  # on PostgreSQL, the same username added at once elsewhere
            raise UserError(f"Já existe um usuário “{username}”.") from None

    def get(self, user_id: int) -> User | None:
        """The user with this id, or None."""
        with self._connect() as db:
            row = self._row(db, USERS.c.id == user_id)
        return _user(row) if row else None

    def find(self, username: str) -> User | None:
        """The user with this username (any case), or None."""
        with self._connect() as db:
            row = self._row(db, USERS.c.username == username.strip().lower())
        return _user(row) if row else None

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user these credentials belong to, or None."""
        with self._connect() as db:
            row = self._row(db, USERS.c.username == username.strip().lower())
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(row.password_hash, password) or not row.active:
            return None
        return _user(row)

    def all(self) -> list[User]:
        """Every user, by username."""
        with self._connect() as db:
            rows = db.execute(select(USERS).order_by(USERS.c.username)).all()
        return [_user(row) for row in rows]

    def set_active(self, username: str, active: bool) -> User:
        """Enable or disable a user; disabling ends their sessions."""
        return self._change(username, active=int(active), session_key=_new_key())

    def set_password(self, username: str, password: str, must_change: bool = False) -> User:
        """Change a password; the user's other sessions end. A supervisor's reset passes
        ``must_change``: the user must choose another at the next sign-in."""
        check_password(password)
        return self._change(
            username,
            password_hash=generate_password_hash(password),
            session_key=_new_key(),
            must_change_password=int(must_change),
        )

    def set_role(self, username: str, role: str) -> User:
        """Give a user another role."""
        check_role(role)
        return self._change(username, role=role)

    def set_email(self, username: str, email: str) -> User:
        """Change a user's e-mail ("" clears it)."""
        return self._change(username, email=check_email(email))

    def _change(self, username: str, **values: object) -> User:
        with self._transaction() as db:
            supervisors = (
                db.execute(
                    select(USERS.c.id)
                    .where(USERS.c.role == "supervisor", USERS.c.active == 1)
                    .with_for_update()  # two supervisors demoted at once: the second sees the first
                )
                .scalars()
                .all()
            )
            row = self._row(db, USERS.c.username == username.strip().lower())
            if row is None:
                raise UserError(f"Usuário “{username}” não encontrado.")
            changed = db.execute(
                update(USERS).where(USERS.c.id == row.id).values(values).returning(*USERS.c)
            ).one()
            demoted = changed.role != "supervisor" or not changed.active
            if demoted and list(supervisors) == [row.id]:
                raise UserError(LAST_SUPERVISOR)
        return _user(changed)

    @staticmethod
    def _row(db: Connection, where: ColumnElement[bool]) -> Row | None:
        return db.execute(select(USERS).where(where)).first()


def check_username(username: str) -> str:
    """The username in lower case; UserError if it has characters a login should not."""
    folded = username.strip().lower()
    if not _USERNAME.fullmatch(folded):
        raise UserError(
            "Usuário inválido: use de 2 a 40 letras sem acento, números, ponto, hífen ou"
            " sublinhado, começando por letra ou número."
        )
    return folded


def check_role(role: str) -> None:
    """UserError if ``role`` is not one of the app's roles."""
    if role not in ROLES:
        raise UserError(f"Perfil desconhecido: use {', '.join(ROLES)}.")


def check_password(password: str) -> None:
    """UserError if the password is too short."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"A senha precisa de ao menos {MIN_PASSWORD} caracteres.")


def check_email(email: str) -> str:
    """The e-mail without surrounding spaces ("" for none); UserError if it is malformed."""
    email = email.strip()
    if email and not _EMAIL.fullmatch(email):
        raise UserError("E-mail inválido.")
    return email


def _add_columns(db: Connection) -> None:
    """Add the columns that a users table of an earlier version lacks."""
    present = {column["name"] for column in inspect(db).get_columns("users")}
    for name, definition in _ADDED.items():
        if name not in present:
            db.execute(text(f"ALTER TABLE users ADD COLUMN {definition}"))


def _new_key() -> str:
    return secrets.token_urlsafe(16)


def _user(row: Row) -> User:
    return User(
        id=row.id,
        username=row.username,
        name=row.name,
        role=row.role,
        active=bool(row.active),
        session_key=row.session_key,
        email=row.email,
        must_change_password=bool(row.must_change_password),
    )
