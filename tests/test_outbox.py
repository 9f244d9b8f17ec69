"""The outbox: saves survive Google being down and the app restarting; nothing is lost."""

import time

import pytest

from app import create_app
from sheets import SENDER, get_book
from tests.conftest import created_id, post_new, sign_in
from tests.html import hidden_value, text

pytestmark = [
    pytest.mark.parametrize("backend_kind", ["google"]),
    pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"]),
]


def test_a_case_saved_while_google_is_down_survives_a_restart(app, clinic_form, standin, sheet):
    standin.go_down()
    case_id = created_id(post_new(sign_in(app, "analista"), clinic_form))

    restarted = create_app(dict(app.config))
    standin.come_up()
    with restarted.app_context():
        assert [e.case_id for e in get_book().outbox.entries()] == [case_id]
        assert get_book().flush() is None

    assert [row["ID do caso"] for row in sheet.rows()] == [case_id]


def test_ids_stay_unique_while_google_is_down(app, client, clinic_form, standin, sheet):
    first = created_id(post_new(client, clinic_form))
    standin.go_down()
    queued = [created_id(post_new(client, clinic_form)) for _ in range(3)]
    other_process = sign_in(create_app(dict(app.config)), "analista")
    queued.append(created_id(post_new(other_process, clinic_form)))

    assert len({first, *queued}) == 5
    standin.come_up()
    with app.app_context():
        assert get_book().flush() is None
    assert sorted(row["ID do caso"] for row in sheet.rows()) == sorted([first, *queued])


def test_a_queued_edit_that_meets_a_conflict_is_kept_and_shown(
    app, client, clinic_form, standin, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    page = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
    standin.go_down()
    data = {**clinic_form, "city": "CORUMBÁ", "base": hidden_value(page, "base")}
    assert client.post(f"/casos/{case_id}/editar", data=data).status_code == 302
    sheet.set_cell(case_id, "Cidade", "DOURADOS")  # a supervisor, in the Sheets UI meanwhile

    standin.come_up()
    with app.app_context():
        assert get_book().flush() is None
        [kept] = get_book().waiting(case_id)

    assert kept.state == "failed"
    assert kept.values["Cidade"] == "CORUMBÁ"
    assert sheet.rows()[0]["Cidade"] == "DOURADOS"
    case_page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "não pôde ser aplicada à planilha" in case_page
    assert "Cidade" in case_page


def test_pages_show_the_last_good_read_while_google_is_down(client, clinic_form, standin):
    case_id = created_id(post_new(client, clinic_form))
    client.get("/")
    standin.go_down()

    listing = client.get("/")
    case_page = client.get(f"/casos/{case_id}")

    assert listing.status_code == case_page.status_code == 200
    assert "A planilha não pôde ser lida agora" in text(listing.get_data(as_text=True))
    assert "MARIA FICTICIA LIMA" in text(case_page.get_data(as_text=True))


def test_the_background_sender_delivers_what_waited(app, clinic_form, standin, sheet):
    drained = create_app({**app.config, "RETENCAO_OUTBOX_INTERVAL": 0.05})
    standin.go_down()
    case_id = created_id(post_new(sign_in(drained, "analista"), clinic_form))
    assert sheet.rows() == []

    standin.come_up()
    deadline = time.monotonic() + 10
    while not sheet.rows() and time.monotonic() < deadline:
        time.sleep(0.05)
    drained.extensions[SENDER].stop.set()

    assert [row["ID do caso"] for row in sheet.rows()] == [case_id]


def test_one_process_per_outbox_sends_and_another_takes_over_when_it_ends(app):
    config = {**app.config, "RETENCAO_OUTBOX_INTERVAL": 0.05}
    first = create_app(config).extensions[SENDER]
    assert first.sending.wait(5)

    second = create_app(config).extensions[SENDER]  # as another worker process would
    assert not second.sending.wait(0.5)

    first.stop.set()
    assert second.sending.wait(5)
    second.stop.set()
