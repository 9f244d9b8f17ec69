"""The app's users, kept in SQLite in the instance folder (never in the shared sheet)."""

import re
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from auth.access import ROLES, SUPERVISOR
from sheets.local_db import LocalDatabase

MIN_PASSWORD = 8
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
LAST_SUPERVISOR = "É preciso ao menos um supervisor ativo."
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    session_key TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    must_change_password INTEGER NOT NULL DEFAULT 0
)
"""
# Columns added since the first release: a users file made before them gets them on open.
_ADDED_COLUMNS = {
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


class UserStore(LocalDatabase):
    """Users in one SQLite file, shared by every worker process."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA, row_factory=sqlite3.Row, checkpoint_writes=True)
        self._someone = False  # users are disabled, never deleted: once true, always true
        with self._transaction() as db:
            present = {row["name"] for row in db.execute("PRAGMA table_info(users)")}
            for name, definition in _ADDED_COLUMNS.items():
                if name not in present:
                    db.execute(f"ALTER TABLE users ADD COLUMN {definition}")

    def exists(self) -> bool:
        """Whether anyone has been registered yet (asked on every request until someone is)."""
        if not self._someone:
            with self._connect() as db:
                self._someone = db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
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
            if db.execute("SELECT 1 FROM users LIMIT 1").fetchone():
                raise UserError("O primeiro administrador já foi criado: entre com sua conta.")
            return self._insert(db, username, name, "supervisor", password)

    def _insert(
        self,
        db: sqlite3.Connection,
        username: str,
        name: str,
        role: str,
        password: str,
        email: str = "",
        must_change: bool = False,
    ) -> User:
        username = check_username(username)
        if not name.strip():
            raise UserError("Informe o nome da pessoa.")
        check_role(role)
        check_password(password)
        email = check_email(email)
        if self._row(db, "username = ?", username):
            raise UserError(f"Já existe um usuário “{username}”.")
        db.execute(
            "INSERT INTO users (username, name, role, password_hash, session_key, email,"
            " must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                username,
                name.strip(),
                role,
                generate_password_hash(password),
                _new_key(),
                email,
                int(must_change),
            ),
        )
        row = self._row(db, "username = ?", username)
        assert row is not None
        return _user(row)

    def get(self, user_id: int) -> User | None:
        """The user with this id, or None."""
        with self._connect() as db:
            row = self._row(db, "id = ?", user_id)
        return _user(row) if row else None

    def find(self, username: str) -> User | None:
        """The user with this username (any case), or None."""
        with self._connect() as db:
            row = self._row(db, "username = ?", username.strip().lower())
        return _user(row) if row else None

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user these credentials belong to, or None."""
        with self._connect() as db:
            row = self._row(db, "username = ?", username.strip().lower())
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(row["password_hash"], password) or not row["active"]:
            return None
        return _user(row)

    def all(self) -> list[User]:
        """Every user, by username."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [_user(row) for row in rows]

    def set_active(self, username: str, active: bool) -> User:
        """Enable or disable a user; disabling ends their sessions. UserError if it would leave
        no active supervisor."""
        values = (int(active), _new_key())
        keep = None if active else _still_supervising
        return self._change(username, "active = ?, session_key = ?", values, keep)

    def set_password(self, username: str, password: str, must_change: bool = False) -> User:
        """Change a password (``must_change``: to be changed at the next sign-in, as after a
        supervisor's reset); the user's other sessions end."""
        check_password(password)
        return self._change(
            username,
            "password_hash = ?, session_key = ?, must_change_password = ?",
            (generate_password_hash(password), _new_key(), int(must_change)),
        )

    def set_role(self, username: str, role: str) -> User:
        """Give a user another role; UserError if it would leave no active supervisor."""
        check_role(role)
        keep = None if role == SUPERVISOR else _still_supervising
        return self._change(username, "role = ?", (role,), keep)

    def set_email(self, username: str, email: str) -> User:
        """Change (or, with "", clear) the address reminders are sent to."""
        return self._change(username, "email = ?", (check_email(email),))

    def _change(
        self,
        username: str,
        assignments: str,
        values: tuple,
        keep: Callable[[sqlite3.Connection, sqlite3.Row], None] | None = None,
    ) -> User:
        with self._transaction() as db:
            row = self._row(db, "username = ?", username.strip().lower())
            if row is None:
                raise UserError(f"Usuário “{username}” não encontrado.")
            if keep is not None:
                keep(db, row)
            db.execute(f"UPDATE users SET {assignments} WHERE id = ?", (*values, row["id"]))
            changed = self._row(db, "id = ?", row["id"])
        assert changed is not None
        return _user(changed)

    @staticmethod
    def _row(db: sqlite3.Connection, where: str, value: object) -> sqlite3.Row | None:
        return db.execute(f"SELECT * FROM users WHERE {where}", (value,)).fetchone()


def check_username(username: str) -> str:
    """The username in lower case; UserError if it has characters a login should not."""
    folded = username.strip().lower()
    if not _USERNAME.fullmatch(folded):
        raise UserError(
            "Usuário inválido: use de 2 a 40 letras sem acento, números, ponto, hífen ou"
            " sublinhado, começando por letra ou número."
        )
    return folded


def check_email(email: str) -> str:
    """The address without surrounding spaces; UserError if it is not one."""
    email = email.strip()
    if email and not _EMAIL.fullmatch(email):
        raise UserError("E-mail inválido.")
    return email


def check_role(role: str) -> None:
    """UserError if ``role`` is not one of the app's roles."""
    if role not in ROLES:
        raise UserError(f"Perfil desconhecido: use {', '.join(ROLES)}.")


def check_password(password: str) -> None:
    """UserError if the password is too short."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"A senha precisa de ao menos {MIN_PASSWORD} caracteres.")


def _still_supervising(db: sqlite3.Connection, row: sqlite3.Row) -> None:
    """UserError if ``row`` is the last active supervisor (who is about to stop being one)."""
    if row["role"] != SUPERVISOR or not row["active"]:
        return
    others = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = ? AND active = 1 AND id != ?",
        (SUPERVISOR, row["id"]),
    ).fetchone()[0]
    if not others:
        raise UserError(LAST_SUPERVISOR)


def _new_key() -> str:
    return secrets.token_urlsafe(16)


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        role=row["role"],
        active=bool(row["active"]),
        session_key=row["session_key"],
        email=row["email"],
        must_change_password=bool(row["must_change_password"]),
    )
