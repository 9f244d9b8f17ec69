"""Users' e-mail addresses, where the daily reminders go."""

import sqlite3

import pytest

from auth.users import UserError, UserStore

OLD_SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    session_key TEXT NOT NULL
)
"""


def test_a_users_file_from_before_addresses_keeps_working(tmp_path):
    path = tmp_path / "users.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO users (username, name, role, password_hash, session_key)"
            " VALUES ('sara', 'Sara', 'supervisor', 'x', 'k')"
        )
    db.close()

    store = UserStore(path)

    assert store.find("sara").email == ""
    assert store.set_email("sara", " sara@operadora.example ").email == "sara@operadora.example"
    assert UserStore(path).find("sara").email == "sara@operadora.example"


@pytest.mark.parametrize("address", ["sara", "sara@", "sara@operadora", "sa ra@operadora.example"])
def test_a_malformed_address_is_refused(tmp_path, address):
    store = UserStore(tmp_path / "users.sqlite3")
    with pytest.raises(UserError, match="E-mail inválido."):
        store.add("sara", "Sara", "supervisor", "senha-longa", email=address)
    assert store.find("sara") is None


def test_an_address_is_kept_and_can_be_cleared(tmp_path):
    store = UserStore(tmp_path / "users.sqlite3")
    added = store.add("ana", "Ana", "analista", "senha-longa", email="ana@operadora.example")
    assert added.email == "ana@operadora.example"
    assert store.find("ana").email == "ana@operadora.example"
    assert store.set_email("ana", "").email == ""
