"""The team page: accounts made with a one-time password changed at first sign-in, roles,
e-mails, resets, disabling; the last-supervisor rule; every action in the history; the footer."""

import re
import sqlite3

import pytest

from auth.users import LAST_SUPERVISOR, UserError, UserStore
from sheets import get_book
from sheets.history import TEAM
from tests.conftest import PASSWORD, sign_in
from tests.html import field_errors, input_value, text


@pytest.fixture
def backend_kind() -> str:
    """The team page keeps nothing in the sheet: the local workbook is enough."""
    return "local"


def one_time_password(response) -> str:
    """The password the team page shows once, after creating an account or resetting one."""
    found = re.search(r'class="one-time-password">([^<]+)<', response.get_data(as_text=True))
    assert found, text(response.get_data(as_text=True))
    return found.group(1)


def team_history(app) -> list[tuple[str, str, str, str]]:
    """The team's records in the history, oldest first: (who, what, old, new)."""
    with app.app_context():
        events = get_book().history.of_case(TEAM)
    return [(e.user, e.field, e.old, e.new) for e in reversed(events)]


def add_bia(client, **changes):
    form = {"name": "Bia Souza", "username": "bia", "role": "analista", "email": "", **changes}
    return client.post("/equipe/novo", data=form)


@pytest.fixture
def store(tmp_path) -> UserStore:
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("sara", "Sara", "supervisor", PASSWORD)
    users.add("ana", "Ana", "analista", PASSWORD)
    return users


def test_the_last_active_supervisor_cannot_be_demoted_nor_disabled(store):
    with pytest.raises(UserError, match=LAST_SUPERVISOR):
        store.set_role("sara", "analista")
    with pytest.raises(UserError, match=LAST_SUPERVISOR):
        store.set_active("sara", False)
    assert store.find("sara").role == "supervisor" and store.find("sara").active


def test_a_supervisor_may_step_down_once_another_one_is_active(store):
    store.add("rui", "Rui", "supervisor", PASSWORD)
    store.set_active("rui", False)
    with pytest.raises(UserError, match=LAST_SUPERVISOR):
        store.set_role("sara", "leitura")  # a disabled supervisor does not count

    store.set_active("rui", True)
    store.set_role("sara", "leitura")  # two active supervisors: either may step down

    assert store.find("sara").role == "leitura"
    with pytest.raises(UserError, match=LAST_SUPERVISOR):
        store.set_active("rui", False)


def test_emails_are_checked_and_kept(store):
    assert store.set_email("ana", " ana@exemplo.com.br ").email == "ana@exemplo.com.br"
    for wrong in ("ana", "ana@", "ana@exemplo", "a b@exemplo.com", "ana@@exemplo.com"):
        with pytest.raises(UserError, match="E-mail inválido."):
            store.set_email("ana", wrong)
    assert store.find("ana").email == "ana@exemplo.com.br"
    assert store.set_email("ana", "").email == ""
    with pytest.raises(UserError, match="E-mail inválido."):
        store.add("caio", "Caio", "analista", PASSWORD, email="caio@")


def test_a_users_file_from_before_emails_keeps_working(tmp_path):
    path = tmp_path / "users.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
            " name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,"
            " active INTEGER NOT NULL DEFAULT 1, session_key TEXT NOT NULL)"
        )
    UserStore(path).add("sara", "Sara", "supervisor", PASSWORD)

    reopened = UserStore(path)  # as the next start of the app opens it
    sara = reopened.authenticate("sara", PASSWORD)

    assert sara is not None and sara.email == "" and not sara.must_change_password
    assert reopened.set_email("sara", "sara@exemplo.com").email == "sara@exemplo.com"


def test_a_supervisor_adds_an_analyst_who_must_change_the_password(app, client):
    added = add_bia(client, email="bia@exemplo.com")
    password = one_time_password(added)

    assert added.status_code == 200
    assert added.headers["Cache-Control"] == "no-store"
    assert "Bia Souza" in text(client.get("/equipe").get_data(as_text=True))
    assert password not in client.get("/equipe").get_data(as_text=True)  # shown only once
    bia = app.test_client()
    signed = bia.post("/entrar", data={"username": "bia", "password": password})
    assert signed.headers["Location"] == "/"
    for page in ("/", "/indicadores", "/casos/novo"):
        assert bia.get(page).headers["Location"] == "/trocar-senha", page
    asked = bia.get("/trocar-senha").get_data(as_text=True)
    assert 'href="/indicadores"' not in asked and "Sair" in text(asked)  # no way but on
    changed = bia.post(
        "/trocar-senha",
        data={"current": password, "password": "minha-senha-1", "confirm": "minha-senha-1"},
    )
    assert changed.headers["Location"] == "/"
    assert bia.get("/").status_code == 200
    assert bia.get("/equipe").status_code == 403  # an analyst, not a supervisor
    with app.app_context():
        users = app.extensions["retencao.users"]
        assert users.find("bia").email == "bia@exemplo.com"
        assert users.authenticate("bia", "minha-senha-1") is not None
        assert users.authenticate("bia", password) is None


def test_the_password_change_page_rejects_and_keeps_the_form(app, client):
    bia = app.test_client()
    bia.post("/entrar", data={"username": "bia", "password": one_time_password(add_bia(client))})

    wrong = bia.post(
        "/trocar-senha", data={"current": "errada-123", "password": "x", "confirm": "y"}
    )

    assert wrong.status_code == 422
    page = wrong.get_data(as_text=True)
    assert field_errors(page, "password") == ["A senha precisa de ao menos 8 caracteres."]
    assert field_errors(page, "confirm") == ["As senhas não conferem."]
    assert bia.get("/").headers["Location"] == "/trocar-senha"


def test_a_new_account_is_refused_with_the_reason_beside_the_field(client):
    add_bia(client)

    again = add_bia(client, name="Outra Bia", email="bia@")

    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert field_errors(page, "email") == ["E-mail inválido."]
    assert input_value(page, "name") == "Outra Bia"  # what was typed is kept
    assert "one-time-password" not in page


def test_every_team_action_goes_to_the_history_without_passwords(app, client):
    password = one_time_password(add_bia(client))
    client.post("/equipe/bia/perfil", data={"role": "supervisor"})
    client.post("/equipe/bia/email", data={"email": "bia@exemplo.com"})
    reset = one_time_password(client.post("/equipe/bia/senha"))
    client.post("/equipe/bia/desativar")
    client.post("/equipe/bia/ativar")

    records = team_history(app)

    sara = "Sara Supervisora"
    assert records == [
        (sara, "Conta bia", "", "criada: Bia Souza, perfil Analista"),
        (sara, "Perfil de bia", "Analista", "Supervisor"),
        (sara, "E-mail de bia", "", "bia@exemplo.com"),
        (sara, "Senha de bia", "", "redefinida (troca no próximo acesso)"),
        (sara, "Conta bia", "ativa", "desativada"),
        (sara, "Conta bia", "desativada", "ativa"),
    ]
    assert not any(password in str(r) or reset in str(r) for r in records)
    with app.app_context():
        assert app.extensions["retencao.users"].find("bia").must_change_password


def test_a_reset_ends_the_sessions_and_asks_for_a_new_password(app, client):
    ana = sign_in(app, "analista")
    assert ana.get("/").status_code == 200

    reset = one_time_password(client.post("/equipe/ana/senha"))

    assert ana.get("/").headers["Location"].startswith("/entrar")
    again = app.test_client()
    again.post("/entrar", data={"username": "ana", "password": reset})
    assert again.get("/").headers["Location"] == "/trocar-senha"


def test_a_supervisor_who_steps_down_goes_back_to_the_cases(app, client):
    client.post("/equipe/ana/perfil", data={"role": "supervisor"})

    stepped_down = client.post("/equipe/sara/perfil", data={"role": "analista"})

    assert stepped_down.headers["Location"] == "/"
    assert client.get("/equipe").status_code == 403


def test_the_last_supervisor_is_kept_on_the_team_page(app, client):
    demoted = client.post("/equipe/sara/perfil", data={"role": "analista"})
    disabled = client.post("/equipe/sara/desativar")

    for refused in (demoted, disabled):
        assert refused.status_code == 422
        assert LAST_SUPERVISOR in text(refused.get_data(as_text=True))
    with app.app_context():
        sara = app.extensions["retencao.users"].find("sara")
    assert sara.role == "supervisor" and sara.active
    assert team_history(app) == []


def test_a_wrong_email_on_the_team_page_is_shown_beside_it_and_kept(app, client):
    refused = client.post("/equipe/ana/email", data={"email": "ana@exemplo"})

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    with app.app_context():
        field = f"email-{app.extensions['retencao.users'].find('ana').id}"
    assert field_errors(page, field) == ["E-mail inválido."]
    assert input_value(page, field) == "ana@exemplo"
    assert team_history(app) == []


def test_the_own_password_change_is_in_the_history(app):
    ana = app.test_client()
    ana.post("/entrar", data={"username": "ana", "password": PASSWORD})

    ana.post(
        "/trocar-senha",
        data={"current": PASSWORD, "password": "outra-senha-9", "confirm": "outra-senha-9"},
    )

    assert team_history(app) == [
        ("Ana Analista", "Senha de ana", "", "trocada pela própria pessoa")
    ]
    assert ana.get("/").status_code == 200  # this session goes on


@pytest.mark.parametrize(
    ("role", "shows_folder"), [("supervisor", True), ("analista", False), ("leitura", False)]
)
def test_the_footer_names_the_server_folder_to_supervisors_only(
    app, workbook_path, role, shows_folder
):
    footer = sign_in(app, role).get("/").get_data(as_text=True).split("<footer>")[1]

    assert "casos.xlsx" in footer
    assert (str(workbook_path.parent) in footer) is shows_folder


def test_the_sign_in_page_names_no_server_folder(app, workbook_path):
    footer = app.test_client().get("/entrar").get_data(as_text=True).split("<footer>")[1]

    assert "planilha local casos.xlsx" in footer
    assert str(workbook_path.parent) not in footer


def test_users_cli_keeps_emails(app):
    runner = app.test_cli_runner()

    added = runner.invoke(
        args=["users", "add", "bia", "--name", "Bia", "--email", "bia@exemplo.com"],
        input="senha-da-bia\nsenha-da-bia\n",
    )
    changed = runner.invoke(args=["users", "email", "ana", "ana@exemplo.com"])
    wrong = runner.invoke(args=["users", "email", "ana", "ana@"])
    listed = runner.invoke(args=["users", "list"]).output

    assert added.exit_code == 0 and changed.exit_code == 0, added.output + changed.output
    assert wrong.exit_code != 0 and "E-mail inválido." in wrong.output
    assert "bia\tanalista\tativo\tBia\tbia@exemplo.com" in listed
    assert "ana\tanalista\tativo\tAna Analista\tana@exemplo.com" in listed
