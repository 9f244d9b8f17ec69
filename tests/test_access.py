"""Who may do what: sign-in, roles on every route, first run, sign-off, web security."""

import pytest

from app import create_app
from auth.access import ROLES, allows
from sheets import get_book
from tests.conftest import PASSWORD, created_id, post_new, sign_in
from tests.html import text

pytestmark = [
    pytest.mark.parametrize("backend_kind", ["local"]),
    pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"]),
]
OPEN_CASE = {"status": "Em andamento", "end_date": ""}


def routes(app, case_id: str) -> list[tuple[str, str, str | None]]:
    """``(method, url, least role)`` for every route of the app (None: open to anyone)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        role = None if getattr(view, "public", False) else view.required_role
        values = {name: "exemplo" for name in rule.arguments} | {"case_id": case_id}
        url = rule.build(values, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        found.append((method, url, role))
    return found


def test_every_route_declares_who_may_use_it(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "public", False) or getattr(view, "required_role", None)
        assert rule.endpoint == "static" or declared in (True, *ROLES), rule.endpoint


def test_every_route_sends_strangers_to_sign_in(app, client, clinic_form):
    case_id = created_id(post_new(client, {**clinic_form, **OPEN_CASE}))
    stranger = app.test_client()
    for method, url, role in routes(app, case_id):
        if role is None:
            continue
        response = stranger.open(url, method=method)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/entrar?next="), url


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_declaration_says(app, client, clinic_form, role):
    case_id = created_id(post_new(client, {**clinic_form, **OPEN_CASE}))
    person = sign_in(app, role)
    for method, url, required in routes(app, case_id):
        if required is None or url in ("/sair", "/casos/novo"):
            continue  # signing out ends the session; a new case is tried below
        status = person.open(url, method=method).status_code
        if allows(role, required):
            assert status not in (401, 403) and status < 500, (url, status)
        else:
            assert status == 403, (url, status)


def test_a_reader_can_read_but_not_write(app, client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))
    reader = sign_in(app, "leitura")

    assert reader.get(f"/casos/{case_id}").status_code == 200
    refused = post_new(reader, {**clinic_form, "dentist_name": "NÃO GRAVA"})
    assert refused.status_code == 403
    assert "Seu perfil (Leitura) não permite esta ação" in text(refused.get_data(as_text=True))
    assert "NÃO GRAVA" not in client.get("/").get_data(as_text=True)
    page = reader.get(f"/casos/{case_id}").get_data(as_text=True)
    assert f"/casos/{case_id}/editar" not in page
    assert "/casos/novo" not in page


def test_signing_in_and_out(app, clinic_form):
    stranger = app.test_client()
    wanted = stranger.get("/painel")
    assert wanted.headers["Location"] == "/entrar?next=%2Fpainel"

    wrong = stranger.post("/entrar", data={"username": "ana", "password": "errada"})
    assert wrong.status_code == 401
    assert "Usuário ou senha incorretos" in text(wrong.get_data(as_text=True))

    signed = stranger.post("/entrar?next=/painel", data={"username": "ANA", "password": PASSWORD})
    assert signed.headers["Location"] == "/painel"
    assert "Ana Analista (Analista)" in text(stranger.get("/painel").get_data(as_text=True))
    assert stranger.get("/entrar").headers["Location"] == "/"  # already signed in

    assert stranger.post("/sair").headers["Location"] == "/entrar"
    assert stranger.get("/").status_code == 302


def test_sign_in_never_sends_the_user_to_another_site(app):
    stranger = app.test_client()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = stranger.post(
            "/entrar", query_string={"next": target}, data={"username": "ana", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/", target


def test_repeated_wrong_passwords_are_slowed_down_per_account(app):
    stranger = app.test_client()
    for _attempt in range(5):
        assert (
            stranger.post("/entrar", data={"username": "ana", "password": "x"}).status_code == 401
        )

    blocked = stranger.post("/entrar", data={"username": "ana", "password": PASSWORD})

    assert blocked.status_code == 429
    assert "Muitas tentativas de entrada" in text(blocked.get_data(as_text=True))
    other = app.test_client().post("/entrar", data={"username": "leo", "password": PASSWORD})
    assert other.status_code == 302  # another account is not locked out by ana's attempts


def test_repeated_failures_from_one_address_are_slowed_down_across_accounts(app):
    stranger = app.test_client()
    for attempt in range(20):
        stranger.post("/entrar", data={"username": f"pessoa{attempt}", "password": "x"})

    blocked = stranger.post("/entrar", data={"username": "leo", "password": PASSWORD})

    assert blocked.status_code == 429
    elsewhere = app.test_client().post(
        "/entrar",
        data={"username": "leo", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert elsewhere.status_code == 302


def test_a_disabled_user_or_a_changed_password_ends_the_session(app):
    analyst = sign_in(app, "analista")
    assert analyst.get("/").status_code == 200
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "passwd", "ana"], input="nova-senha-9\nnova-senha-9\n")
    assert result.exit_code == 0, result.output
    assert analyst.get("/").status_code == 302

    again = app.test_client()
    assert (
        again.post("/entrar", data={"username": "ana", "password": "nova-senha-9"}).status_code
        == 302
    )
    assert runner.invoke(args=["users", "disable", "ana"]).exit_code == 0
    assert again.get("/").status_code == 302
    refused = app.test_client().post(
        "/entrar", data={"username": "ana", "password": "nova-senha-9"}
    )
    assert refused.status_code == 401


def test_users_cli_adds_lists_and_refuses_bad_input(app):
    runner = app.test_cli_runner()

    added = runner.invoke(
        args=["users", "add", "bia", "--name", "Bia Souza", "--role", "leitura"],
        input="senha-da-bia\nsenha-da-bia\n",
    )
    listed = runner.invoke(args=["users", "list"])
    duplicate = runner.invoke(
        args=["users", "add", "bia", "--name", "Outra"], input="senha-da-bia\nsenha-da-bia\n"
    )
    short = runner.invoke(args=["users", "add", "caio", "--name", "Caio"], input="curta\ncurta\n")

    assert added.exit_code == 0, added.output
    assert "bia\tleitura\tativo\tBia Souza" in listed.output
    assert duplicate.exit_code != 0 and "Já existe um usuário “bia”" in duplicate.output
    assert short.exit_code != 0 and "ao menos 8 caracteres" in short.output
    assert "senha-da-bia" not in listed.output + added.output


def test_the_first_run_page_exists_only_while_nobody_is_registered(app, nobody_config):
    fresh = create_app({**app.config, **nobody_config})
    visitor = fresh.test_client()
    assert visitor.get("/").headers["Location"] == "/primeiro-acesso"
    assert visitor.get("/entrar").headers["Location"] == "/primeiro-acesso"

    mismatch = {"name": "Sara", "username": "sara", "password": "abcdefgh1", "confirm": "x"}
    refused = visitor.post("/primeiro-acesso", data=mismatch)
    assert refused.status_code == 422
    assert 'value="sara"' in refused.get_data(as_text=True)  # what was typed stays
    assert "As senhas não conferem." in text(refused.get_data(as_text=True))

    created = visitor.post("/primeiro-acesso", data={**mismatch, "confirm": "abcdefgh1"})
    assert created.headers["Location"] == "/"
    assert "Sara (Supervisor)" in text(visitor.get("/").get_data(as_text=True))

    latecomer = fresh.test_client()
    second = {
        "name": "Intruso",
        "username": "intruso",
        "password": "abcdefgh1",
        "confirm": "abcdefgh1",
    }
    assert latecomer.get("/primeiro-acesso").headers["Location"] == "/entrar"
    assert latecomer.post("/primeiro-acesso", data=second).headers["Location"] == "/entrar"
    listed = fresh.test_cli_runner().invoke(args=["users", "list"]).output
    assert "intruso" not in listed and "sara" in listed


def test_an_analyst_edits_her_cases_until_a_supervisor_signs_them(app, client, clinic_form):
    analyst = sign_in(app, "analista")
    open_id = created_id(post_new(analyst, {**clinic_form, **OPEN_CASE}))
    closed_id = created_id(post_new(analyst, clinic_form))  # Desligamento, with Data final

    assert analyst.get(f"/casos/{open_id}/editar").status_code == 200
    assert analyst.get(f"/casos/{closed_id}/editar").status_code == 200
    page = text(analyst.get(f"/casos/{closed_id}").get_data(as_text=True))
    assert "Aguardando assinatura" in page
    corrected = analyst.post(f"/casos/{closed_id}/editar", data={**clinic_form, "city": "DOURADOS"})
    assert corrected.status_code == 302
    assert {c.case_id: c for c in _cases(app)}[closed_id].city == "DOURADOS"
    assert analyst.post(f"/casos/{closed_id}/assinar").status_code == 403

    signed = client.post(f"/casos/{closed_id}/assinar", data={"mesmo_assim": "1"})
    assert signed.status_code == 302
    page = text(client.get(f"/casos/{closed_id}").get_data(as_text=True))
    assert "Assinado por Sara Supervisora em" in page and "Aguardando assinatura" not in page
    locked = analyst.get(f"/casos/{closed_id}/editar")
    assert locked.status_code == 403
    assert "só um supervisor pode alterá-lo ou reabri-lo" in text(locked.get_data(as_text=True))
    posted = analyst.post(f"/casos/{closed_id}/editar", data={**clinic_form, "city": "X"})
    assert posted.status_code == 403
    assert "foi assinado pelo supervisor" in text(posted.get_data(as_text=True))
    assert "X" not in [c.city for c in _cases(app)]

    assert client.post(f"/casos/{closed_id}/reabrir").status_code == 302
    reopened = {c.case_id: c for c in _cases(app)}[closed_id]
    assert reopened.status == "Em andamento" and not reopened.is_signed
    assert analyst.get(f"/casos/{closed_id}/editar").status_code == 200


def test_a_supervisor_returns_a_closed_case_with_a_reason(app, client, clinic_form):
    analyst = sign_in(app, "analista")
    case_id = created_id(post_new(analyst, clinic_form))

    assert analyst.post(f"/casos/{case_id}/devolver", data={"motivo": "x"}).status_code == 403
    client.post(f"/casos/{case_id}/devolver", data={"motivo": "  "})
    assert {c.case_id: c for c in _cases(app)}[case_id].status == "Desligamento"
    returned = client.post(f"/casos/{case_id}/devolver", data={"motivo": "Falta o 5º contato."})

    assert returned.status_code == 302
    assert {c.case_id: c for c in _cases(app)}[case_id].status == "Em andamento"
    page = text(analyst.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "Devolvido ao analista por Sara Supervisora em" in page
    assert "O que corrigir: Falta o 5º contato." in page
    assert "Sara Supervisora (devolvido ao analista): Falta o 5º contato." in page  # history
    analyst.post(f"/casos/{case_id}/editar", data=clinic_form)  # closed again
    page = text(analyst.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "Devolvido ao analista por" not in page and "Aguardando assinatura" in page


def test_an_open_case_cannot_be_signed(app, client, clinic_form):
    case_id = created_id(post_new(client, {**clinic_form, **OPEN_CASE}))

    client.post(f"/casos/{case_id}/assinar")

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "Só um caso encerrado pode ser assinado" in page
    assert not {c.case_id: c for c in _cases(app)}[case_id].is_signed


def test_a_post_without_its_security_token_is_refused(app, clinic_form):
    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    person = sign_in(guarded, "supervisor")

    response = post_new(person, clinic_form)

    assert response.status_code == 302  # the form comes back from the draft it was kept as
    assert response.headers["Location"] == "/casos/novo?rascunho=1"
    page = person.get(response.headers["Location"]).get_data(as_text=True)
    assert "o que você digitou foi guardado" in text(page)
    assert 'value="MARIA FICTICIA LIMA"' in page
    assert _cases(guarded) == []
    refused = person.post("/sincronizar")
    assert refused.status_code == 400
    assert "código de segurança" in text(refused.get_data(as_text=True))


def test_a_script_in_the_notes_shows_as_text(client, clinic_form):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case_id = created_id(post_new(client, {**clinic_form, "contacts-0-notes": attack}))

    page = client.get(f"/casos/{case_id}").get_data(as_text=True)

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_responses_carry_the_security_headers(client):
    headers = client.get("/").headers

    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_is_http_only_lax_and_secure_over_https(app):
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        person = app.test_client()
        person.post("/entrar", base_url=base, data={"username": "leo", "password": PASSWORD})
        cookie = person.get_cookie("session", domain="localhost")
        assert cookie.http_only and cookie.same_site == "Lax"
        assert cookie.secure is secure, base


def test_no_page_is_served_without_a_secret_key_outside_development(app):
    config = {k: v for k, v in app.config.items() if k != "SECRET_KEY"}

    with pytest.raises(RuntimeError, match="Defina SECRET_KEY"):
        create_app({**config, "TESTING": False, "DEBUG": False})


def test_lists_show_the_cpf_masked_and_the_case_page_in_full(client, clinic_form, sheet):
    case_id = created_id(post_new(client, {**clinic_form, "person_type": "F"}))

    listing = text(client.get("/").get_data(as_text=True))
    case_page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))

    assert "***.982.247-**" in listing and "529.982.247-25" not in listing
    assert "CPF 529.982.247-25" in case_page


def test_the_board_masks_cpf_and_phone_numbers_changed_in_the_sheet(
    app, client, clinic_form, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    client.get("/painel")
    sheet.set_cell(case_id, "CPF", "11144477735")
    sheet.set_cell(case_id, "1º contato - Obs.", "Ligar para (67) 99876-5432")
    client.post("/sincronizar")

    board = text(client.get("/painel").get_data(as_text=True))

    assert "***.444.777-**" in board and "11144477735" not in board
    assert "Ligar para (**) *****-5432" in board and "99876" not in board


def _cases(app):
    with app.app_context():
        return get_book().cases()
