"""Drafts: kept per user and target, replaced, handed over at sign-in, expired."""

from datetime import datetime, timedelta

import pytest

from sheets.drafts import Drafts
from tests.conftest import PASSWORD, created_id, post_new
from tests.html import text

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"])
FIELDS = [("dentist_name", "MARIA"), ("areas", "Cirurgia"), ("areas", "Ortodontia")]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 12, 2, 10, 41)

    def __call__(self) -> datetime:
        return self.now


def drafts(tmp_path, url: str, clock=None) -> Drafts:
    return Drafts(tmp_path / "drafts.sqlite3", timedelta(days=7), clock or Clock(), url)


def test_a_draft_keeps_every_field_in_order(tmp_path, database_url):
    store = drafts(tmp_path, database_url)
    store.save("user:ana", "novo", FIELDS)

    draft = store.get("user:ana", "novo")

    assert draft is not None and draft.fields == FIELDS
    assert draft.saved_at == datetime(2025, 12, 2, 10, 41)
    assert store.get("user:ana", "RET-2025-0001") is None
    assert store.get("user:bia", "novo") is None


def test_saving_again_replaces_and_discard_forgets(tmp_path, database_url):
    store = drafts(tmp_path, database_url)
    store.save("user:ana", "novo", FIELDS)
    store.save("user:ana", "novo", [("city", "DOURADOS")])

    assert [d.fields for d in store.of_owner("user:ana")] == [[("city", "DOURADOS")]]
    store.discard("user:ana", "novo")
    assert store.of_owner("user:ana") == []


def test_a_token_draft_goes_to_whoever_signs_in_replacing_the_older_one(tmp_path, database_url):
    store = drafts(tmp_path, database_url)
    store.save("user:ana", "novo", [("city", "velha")])
    store.save("user:ana", "RET-2025-0001", [("city", "outra")])
    store.save("token:abc", "novo", FIELDS)

    store.hand_over("token:abc", "user:ana")

    assert {d.target: d.fields for d in store.of_owner("user:ana")} == {
        "novo": FIELDS,
        "RET-2025-0001": [("city", "outra")],
    }
    assert store.of_owner("token:abc") == []


def test_drafts_expire(tmp_path, database_url):
    clock = Clock()
    store = drafts(tmp_path, database_url, clock)
    store.save("user:ana", "novo", FIELDS)

    clock.now += timedelta(days=7, seconds=1)

    assert store.get("user:ana", "novo") is None


# --- through the app ---------------------------------------------------------------------------

LOCAL_ONLY = pytest.mark.parametrize("backend_kind", ["local"])
LONG_CHAT = "[09:00, 05/02/2024] Retenção: Bom dia\n" * 500


@LOCAL_ONLY
def test_a_refused_post_is_kept_and_offered_back_until_saved(client, clinic_form):
    refused = post_new(client, {**clinic_form, "cpf": "529.982.247-24"})
    assert refused.status_code == 422

    offer = text(client.get("/casos/novo").get_data(as_text=True))
    assert "Você tem um rascunho de" in offer and "continuar" in offer
    page = client.get("/casos/novo?rascunho=1").get_data(as_text=True)
    assert 'value="529.982.247-24"' in page and 'value="MARIA FICTICIA LIMA"' in page

    created_id(post_new(client, clinic_form))
    assert "Você tem um rascunho" not in client.get("/casos/novo").get_data(as_text=True)


@LOCAL_ONLY
def test_the_script_saves_a_draft_and_it_can_be_discarded(client, clinic_form):
    saved = client.post("/rascunhos/novo", data={**clinic_form, "contacts-0-notes": LONG_CHAT})
    assert saved.status_code == 200
    assert saved.get_json()["message"].startswith("Rascunho guardado às ")
    page = client.get("/casos/novo?rascunho=1").get_data(as_text=True)
    assert LONG_CHAT.rstrip("\n") in page.replace("\r\n", "\n")

    client.post("/rascunhos/novo/descartar")
    assert "Você tem um rascunho" not in client.get("/casos/novo").get_data(as_text=True)
    assert client.post("/rascunhos/outra-coisa", data={}).status_code == 404


@LOCAL_ONLY
def test_a_draft_of_an_edit_reopens_on_that_case(client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))
    client.post(f"/rascunhos/{case_id}", data={**clinic_form, "city": "DOURADOS"})

    assert "Você tem um rascunho" not in client.get("/casos/novo").get_data(as_text=True)
    assert "Você tem um rascunho" in client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
    listed = text(client.get("/").get_data(as_text=True))
    assert f"Você tem um rascunho do caso {case_id}" in listed
    page = client.get(f"/casos/{case_id}/editar?rascunho=1").get_data(as_text=True)
    assert 'value="DOURADOS"' in page


@LOCAL_ONLY
def test_a_post_after_the_session_ended_comes_back_after_signing_in(app, clinic_form):
    browser = app.test_client()
    typed = {**clinic_form, "contacts-2-notes": LONG_CHAT}

    refused = browser.post("/casos/novo", data=typed, headers={"Origin": "http://localhost"})

    assert refused.status_code == 302
    assert refused.headers["Location"] == "/entrar?next=/casos/novo"
    assert "retencao_rascunho=" in refused.headers["Set-Cookie"]
    login = browser.get("/entrar").get_data(as_text=True)
    assert "o que você digitou foi guardado" in text(login)
    signed_in = browser.post(
        "/entrar?next=/casos/novo", data={"username": "ana", "password": PASSWORD}
    )
    assert signed_in.headers["Location"] == "/casos/novo"
    assert "retencao_rascunho=;" in signed_in.headers["Set-Cookie"]  # handed over, forgotten
    assert "Você tem um rascunho de" in browser.get("/casos/novo").get_data(as_text=True)
    page = browser.get("/casos/novo?rascunho=1").get_data(as_text=True)
    assert LONG_CHAT.rstrip("\n") in page.replace("\r\n", "\n")


@LOCAL_ONLY
def test_a_post_from_another_site_keeps_no_draft(app, clinic_form):
    browser = app.test_client()

    refused = browser.post("/casos/novo", data=clinic_form, headers={"Origin": "https://x.example"})

    assert refused.headers["Location"].startswith("/entrar")
    assert "retencao_rascunho" not in refused.headers.get("Set-Cookie", "")
