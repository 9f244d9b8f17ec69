"""The team's own saves show at once, in every worker process, before any read of the sheet.

On Google, Drive's modifiedTime lags by minutes (the stand-in models it), so nothing tells a
worker cheaply that the sheet changed: what the sheet confirmed is laid over every snapshot.
"""

import pytest

from app import create_app
from sheets import get_book
from tests.conftest import created_id, post_new, sign_in
from tests.html import input_value, text
from tests.test_sheet_edited_by_people import edit_data


def fresh_for_an_hour(app) -> None:
    """Pages reuse the snapshot: no check and no full read of the sheet for an hour."""
    with app.app_context():
        sync = get_book().sync
        sync.max_age = sync.full_every = 3600


@pytest.fixture
def workers(app, app_config):
    """Two worker processes of one app: the same sheet, outbox and users, their own snapshots."""
    second = create_app(app_config)
    for worker in (app, second):
        fresh_for_an_hour(worker)
    first, other = sign_in(app, "supervisor"), sign_in(second, "supervisor")
    for client in (first, other):
        assert client.get("/").status_code == 200  # each worker has read the sheet once
    return first, other


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return text(response.get_data(as_text=True))


def test_a_new_case_shows_at_once_in_every_worker(workers, clinic_form):
    first, other = workers
    case_id = created_id(post_new(first, {**clinic_form, "dentist_name": "DÉBORA NOVAES"}))

    for client in (first, other):
        assert "DÉBORA NOVAES" in page(client, f"/casos/{case_id}")
        assert case_id in page(client, "/")
        form = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
        assert input_value(form, "dentist_name") == "DÉBORA NOVAES"


@pytest.mark.parametrize("backend_kind", ["google"])
def test_showing_a_save_costs_no_sheets_call(workers, clinic_form, standin):
    first, other = workers
    standin.reset_calls()
    case_id = created_id(post_new(first, clinic_form))
    saving = standin.count()

    for client in (first, other):
        page(client, f"/casos/{case_id}")
        page(client, "/")

    assert saving == 3  # IDs read, the append, the IDs read back
    assert standin.count() == saving


def test_an_edit_shows_its_new_value_at_once_in_every_worker(workers, clinic_form):
    first, other = workers
    case_id = created_id(post_new(first, clinic_form))
    data = edit_data(other, case_id, clinic_form, city="DOURADOS")

    assert other.post(f"/casos/{case_id}/editar", data=data).status_code == 302

    for client in (first, other):
        assert "Cidade DOURADOS" in page(client, f"/casos/{case_id}")
        form = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
        assert input_value(form, "city") == "DOURADOS"


def test_the_teams_saves_are_never_listed_as_changes_made_in_the_sheet(workers, clinic_form):
    first, other = workers
    case_id = created_id(post_new(first, clinic_form))
    other.post(f"/casos/{case_id}/editar", data=edit_data(other, case_id, clinic_form, city="X"))

    for client in (first, other):
        client.post("/sincronizar")  # a full read that holds both saves
        assert "Nenhuma alteração feita diretamente na planilha" in page(client, "/painel")


def test_a_person_editing_the_same_cell_afterwards_wins_at_the_next_read(
    workers, clinic_form, sheet
):
    first, other = workers
    case_id = created_id(post_new(first, clinic_form))
    first.post(f"/casos/{case_id}/editar", data=edit_data(first, case_id, clinic_form, city="X"))
    sheet.set_cell(case_id, "Cidade", "DOURADOS")

    for client in (first, other):
        assert "Cidade X" in page(client, f"/casos/{case_id}")  # no read since the save
    first.post("/sincronizar")  # every worker reads the sheet at its next page
    for client in (first, other):
        assert "Cidade DOURADOS" in page(client, f"/casos/{case_id}")
    assert "Cidade X DOURADOS" in page(other, "/painel")  # the person's change is listed


def test_sincronizar_agora_in_one_worker_makes_every_worker_read_the_sheet(
    workers, clinic_form, sheet
):
    first, other = workers
    case_id = created_id(post_new(first, clinic_form))
    page(other, "/")
    sheet.set_cell(case_id, "Cidade", "DOURADOS")  # a person, in the sheet

    first.post("/sincronizar")

    assert "Cidade DOURADOS" in page(other, f"/casos/{case_id}")  # the next page, elsewhere
    assert "Cidade DOURADOS" in page(first, f"/casos/{case_id}")


def test_a_worker_that_missed_forgotten_writes_reads_the_sheet_again(
    workers, app, clinic_form, monkeypatch
):
    first, other = workers
    monkeypatch.setattr("sheets.outbox.CONFIRMED_KEPT", 2)
    ids = [created_id(post_new(first, {**clinic_form, "dentist_name": n})) for n in "ABCD"]
    with app.app_context():
        assert get_book().outbox.confirmed_since(0) is None  # the first two were forgotten

    listed = page(other, "/")

    assert all(case_id in listed for case_id in ids)
