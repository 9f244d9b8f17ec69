"""The app's own database on SQLite and on PostgreSQL: atomic across worker processes, safe
after fork, and the files of earlier versions still open."""

import multiprocessing
import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from app import create_app
from auth.users import LAST_SUPERVISOR, UserError, UserStore
from sheets.history import Event, History
from sheets.outbox import ADD, Outbox
from store.database import DatabaseUnavailable
from tests.conftest import PASSWORD, created_id, post_new, sign_in

BOTH = pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"])
PROCESSES, EACH = 4, 10
AT = datetime(2025, 12, 2, 10, 41)


@pytest.fixture
def url(request, database_kind: str) -> str:
    """ "" (SQLite files in tmp_path) or a fresh PostgreSQL database where nobody is
    registered."""
    if database_kind == "sqlite":
        return ""
    server = request.getfixturevalue("postgres")
    return server.url(server.create_database())


def in_processes(work, *args) -> list:
    """Run ``work(*args)`` in forked worker processes that start together; what each returned."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()

    def run() -> None:
        start.wait()
        results.put(work(*args))

    processes = [context.Process(target=run) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    start.set()
    found = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return found


def open_all(folder: Path, url: str) -> list[str]:
    users = UserStore(folder / "users.sqlite3", url)
    Outbox(folder / "outbox.sqlite3", url=url)
    History(folder / "outbox.sqlite3", url)
    return [user.username for user in users.all()]


@BOTH
def test_worker_processes_starting_at_once_on_a_new_database_all_open_it(tmp_path, url):
    assert in_processes(open_all, tmp_path, url) == [[]] * PROCESSES


def first_admin(users: UserStore) -> str:
    try:
        return users.add_first_admin(f"chefe{os.getpid()}", "Chefe", PASSWORD).username
    except UserError:
        return ""


@BOTH
def test_two_first_run_pages_sent_at_once_make_one_administrator(tmp_path, url):
    users = UserStore(tmp_path / "users.sqlite3", url)

    made = [name for name in in_processes(first_admin, users) if name]

    assert [user.username for user in users.all()] == made and len(made) == 1


def add_bia(users: UserStore) -> str:
    try:
        return users.add("bia", "Bia", "analista", PASSWORD).username
    except UserError as error:
        return str(error)


@BOTH
def test_one_username_added_at_once_by_several_processes_is_made_once(tmp_path, url):
    users = UserStore(tmp_path / "users.sqlite3", url)

    answers = in_processes(add_bia, users)

    assert sorted(answers) == sorted(["bia", *["Já existe um usuário “bia”."] * (PROCESSES - 1)])
    assert [user.username for user in users.all()] == ["bia"]


def allocate(outbox: Outbox) -> list[str]:
    return [outbox.allocate_id(2025, 0) for _ in range(EACH)]


@BOTH
def test_worker_processes_never_get_the_same_case_id(tmp_path, url):
    outbox = Outbox(tmp_path / "outbox.sqlite3", url=url)
    first = outbox.allocate_id(2025, 0)  # the parent's connection, which no child may use

    ids = [first, *sum(in_processes(allocate, outbox), [])]

    assert sorted(ids) == sorted(f"RET-2025-{n:04d}" for n in range(1, PROCESSES * EACH + 2))
    assert outbox.allocate_id(2025, 100) == "RET-2025-0101"  # above the sheet's highest


def notice(history: History) -> None:
    history.record_noticed([Event(AT, "planilha", "RET-2025-0001", "Cidade", "A", "B")])


@BOTH
def test_a_change_every_worker_notices_at_once_is_recorded_once(tmp_path, url):
    history = History(tmp_path / "outbox.sqlite3", url)

    in_processes(notice, history)

    assert [(e.field, e.new) for e in history.of_case("RET-2025-0001")] == [("Cidade", "B")]


@BOTH
def test_one_sender_at_a_time_across_processes_and_servers(tmp_path, url):
    mine = Outbox(tmp_path / "outbox.sqlite3", url=url)
    other = Outbox(tmp_path / "outbox.sqlite3", drain_timeout=0.2, url=url)

    with mine.draining() as held:
        assert held
        with other.draining() as also:
            assert not also
    with other.draining() as held:
        assert held


@BOTH
def test_a_queued_write_survives_reopening(tmp_path, url):
    outbox = Outbox(tmp_path / "outbox.sqlite3", url=url)
    seq = outbox.put(ADD, "RET-2025-0001", {"Cidade": "CORUMBÁ", "Data": AT}, "Ana", AT)
    outbox.attempted(seq, "Google fora do ar")

    [entry] = Outbox(tmp_path / "outbox.sqlite3", url=url).entries()

    assert (entry.case_id, entry.values, entry.attempts) == (
        "RET-2025-0001",
        {"Cidade": "CORUMBÁ", "Data": AT},
        1,
    )
    assert entry.last_error == "Google fora do ar"


@BOTH
def test_the_last_active_supervisor_cannot_be_demoted_or_disabled(tmp_path, url):
    users = UserStore(tmp_path / "users.sqlite3", url)
    users.add("chefe", "Chefe", "supervisor", PASSWORD)

    for change in (
        lambda: users.set_role("chefe", "analista"),
        lambda: users.set_active("chefe", False),
    ):
        with pytest.raises(UserError, match=LAST_SUPERVISOR):
            change()
    users.add("vice", "Vice", "supervisor", PASSWORD)

    assert users.set_role("chefe", "analista").role == "analista"
    assert users.find("chefe").role == "analista"


@BOTH
def test_email_and_a_reset_password_are_kept(tmp_path, url):
    users = UserStore(tmp_path / "users.sqlite3", url)
    users.add("ana", "Ana", "analista", PASSWORD, email="ana@exemplo.com.br")

    with pytest.raises(UserError, match="E-mail inválido."):
        users.set_email("ana", "ana@")
    reset = users.set_password("ana", "outra-senha-1", must_change=True)

    assert (reset.email, reset.must_change_password) == ("ana@exemplo.com.br", True)
    assert users.set_email("ana", "").email == ""
    assert users.authenticate("ana", "outra-senha-1") is not None


def test_a_users_file_of_an_earlier_version_still_signs_in(tmp_path):
    path = tmp_path / "users.sqlite3"
    UserStore(tmp_path / "new.sqlite3").add("sara", "Sara", "supervisor", PASSWORD)
    with sqlite3.connect(tmp_path / "new.sqlite3") as new, sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
            " name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,"
            " active INTEGER NOT NULL DEFAULT 1, session_key TEXT NOT NULL)"
        )
        row = new.execute(
            "SELECT id, username, name, role, password_hash, active, session_key FROM users"
        ).fetchone()
        old.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)", row)

    users = UserStore(path)
    sara = users.authenticate("sara", PASSWORD)

    assert sara is not None and (sara.email, sara.must_change_password) == ("", False)
    assert users.set_email("sara", "sara@exemplo.com.br").email == "sara@exemplo.com.br"


@pytest.mark.parametrize("database_kind", ["postgresql"])
@pytest.mark.parametrize("backend_kind", ["google"])
def test_two_servers_on_one_database_share_users_drafts_and_case_numbers(
    app, app_config, clinic_form, standin, tmp_path
):
    folder = tmp_path / "segundo"  # another machine: an instance folder of its own
    other = create_app(
        {
            **app_config,
            "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
            "RETENCAO_USERS": str(folder / "users.sqlite3"),
        }
    )
    with app.app_context():
        app.extensions["retencao.users"].set_active("leo", False)
    here, there = sign_in(app, "analista"), sign_in(other, "analista")
    here.post("/rascunhos/novo", data={**clinic_form, "city": "DOURADOS"})

    page = there.get("/casos/novo?rascunho=1").get_data(as_text=True)
    assert 'value="DOURADOS"' in page
    with other.app_context():
        assert not other.extensions["retencao.users"].find("leo").active
    standin.go_down()
    ids = {created_id(post_new(client, clinic_form)) for client in (here, there, here)}
    assert len(ids) == 3  # one count of case numbers for both servers, even with Google down


@pytest.mark.parametrize("backend_kind", ["local"])
def test_a_database_that_cannot_be_reached_is_named_without_its_password(app_config, tmp_path):
    url = f"postgresql+psycopg://retencao:segredo@/retencao?host={tmp_path}"

    with pytest.raises(DatabaseUnavailable) as refused:
        create_app({**app_config, "RETENCAO_DATABASE_URL": url})

    assert str(refused.value).startswith("Banco de dados indisponível (postgresql+psycopg://")
    assert str(tmp_path) in str(refused.value) and "segredo" not in str(refused.value)
