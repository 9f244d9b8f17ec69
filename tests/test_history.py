"""The audit history: one record per changed field, in the Histórico tab and on the case page."""

from datetime import datetime

import pytest

from app import create_app
from sheets import get_book
from sheets.history import HEADERS, History
from tests.conftest import PEOPLE, created_id, post_new, sign_in
from tests.html import hidden_value, text

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"])
HISTORY = "Histórico"
OPEN_CASE = {"status": "Em andamento", "end_date": ""}


def history_rows(sheet) -> list[list[object]]:
    """The history tab's data rows, as Data/hora, Usuário, ID, Campo, anterior, novo."""
    header, *rows = sheet.grid(HISTORY)
    assert header[:6] == [
        "Data/hora",
        "Usuário",
        "ID do caso",
        "Campo",
        "Valor anterior",
        "Valor novo",
    ]
    padded = [[*row, *[""] * (6 - len(row))][:6] for row in rows if any(row)]
    return [["" if cell is None else cell for cell in row] for row in padded]


def flush(app) -> None:
    with app.app_context():
        assert get_book().flush() is None


def edit(client, case_id: str, form: dict, **changes):
    page = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
    data = {**form, **changes, "base": hidden_value(page, "base")}
    response = client.post(f"/casos/{case_id}/editar", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_each_changed_field_becomes_one_row_with_old_and_new_values(app, clinic_form, sheet):
    analyst = sign_in(app, "analista")
    form = {**clinic_form, **OPEN_CASE}
    case_id = created_id(post_new(analyst, form))
    edit(analyst, case_id, form, city="DOURADOS", lives="2.001")

    flush(app)

    rows = history_rows(sheet)
    who = PEOPLE["analista"][1]
    assert [row[1:] for row in rows] == [
        [who, case_id, "(caso criado)", "", ""],
        [who, case_id, "Cidade", "CAMPO GRANDE", "DOURADOS"],
        [who, case_id, "Nº de vidas", "1.971", "2.001"],
    ]
    assert all(isinstance(row[0], datetime | float | int) for row in rows)  # a date cell


def test_the_case_page_shows_the_history_as_a_timeline_before_it_reaches_the_sheet(
    app, client, clinic_form, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    edit(client, case_id, clinic_form, city="DOURADOS")

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))

    timeline = page[page.index("Histórico") :]
    assert "Sara Supervisora alterou Cidade: CAMPO GRANDE → DOURADOS" in timeline
    assert timeline.index("alterou Cidade") < timeline.index("(caso criado)")  # newest first
    assert sent_history(sheet) == []  # sent later by the outbox's sender, not in the save


def test_sign_off_and_reopening_are_recorded(app, client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))
    client.post(f"/casos/{case_id}/assinar", data={"mesmo_assim": "1"})
    client.post(f"/casos/{case_id}/reabrir")

    flush(app)

    fields = [(row[3], row[4], row[5]) for row in history_rows(sheet)]
    assert ("Assinatura supervisor", "", "Sara Supervisora") in fields
    assert ("Status retenção", "Desligamento", "Em andamento") in fields
    assert ("Assinatura supervisor", "Sara Supervisora", "") in fields


def test_changes_people_make_in_the_sheet_are_recorded_once_as_planilha(
    app, client, clinic_form, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    other_worker = create_app(dict(app.config))  # a second process over the same instance
    with other_worker.app_context():
        get_book().cases()
    client.get("/painel")
    sheet.set_cell(case_id, "Status retenção", "Retenção Efetiva")

    client.get("/painel")
    with other_worker.app_context():
        get_book().cases()  # notices the same change
    flush(app)

    noticed = [row for row in history_rows(sheet) if row[1] == "planilha"]
    assert [row[2:] for row in noticed] == [
        [case_id, "Status retenção", "Desligamento", "Retenção Efetiva"]
    ]
    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "planilha alterou Status retenção: Desligamento → Retenção Efetiva" in page


@pytest.mark.parametrize("backend_kind", ["google"])
def test_the_history_of_many_saves_goes_in_one_call_and_never_twice(
    app, client, clinic_form, sheet, standin
):
    for number in range(5):
        created_id(post_new(client, {**clinic_form, "dentist_name": f"D{number}"}))
    standin.reset_calls()

    flush(app)
    flush(app)

    assert standin.count("values_append") == 1
    assert len(history_rows(sheet)) == 5


@pytest.mark.parametrize("backend_kind", ["google"])
def test_history_waits_while_google_is_down_and_is_sent_later(
    app, client, clinic_form, standin, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    standin.go_down()
    with app.app_context():
        assert "Histórico aguardando envio" in get_book().flush()
    standin.come_up()

    flush(app)

    assert [row[2] for row in history_rows(sheet)] == [case_id]


def sent_history(sheet) -> list[list[object]]:
    """The history tab's rows; none if the tab does not exist yet."""
    try:
        return history_rows(sheet)
    except KeyError:  # the workbook gets the tab with its first records
        return []


@pytest.mark.parametrize("backend_kind", ["google"])
def test_a_history_append_retried_after_a_lost_answer_adds_nothing_twice(
    app, client, clinic_form, sheet, standin
):
    case_ids = [created_id(post_new(client, {**clinic_form, "dentist_name": n})) for n in "AB"]
    standin.lose_next_answers(1, kinds=["values_append"])  # the append went through

    flush(app)

    assert [row[2:4] for row in history_rows(sheet)] == [[c, "(caso criado)"] for c in case_ids]


def test_records_sent_by_a_save_that_ended_before_marking_them_go_once(
    app, client, clinic_form, sheet, monkeypatch
):
    case_id = created_id(post_new(client, clinic_form))
    with monkeypatch.context() as crash:  # the process ends between the append and its note
        crash.setattr(History, "sent", lambda *_args: (_ for _ in ()).throw(SystemExit(1)))
        with app.app_context(), pytest.raises(SystemExit):
            get_book().flush()

    flush(app)

    assert [row[2:4] for row in history_rows(sheet)] == [[case_id, "(caso criado)"]]


def test_a_history_tab_made_before_records_had_keys_gets_the_key_column(
    app, client, clinic_form, sheet, backend_kind
):
    older = [datetime(2025, 6, 1, 9), "Ana", "RET-2025-0001", "Cidade", "A", "B"]
    with app.app_context():  # the tab as an older version of the app made it
        backend = get_book().backend
        if backend_kind == "google":
            without_key_column(backend)
        backend.append_log(HISTORY, HEADERS, [older])
    case_id = created_id(post_new(client, clinic_form))

    flush(app)
    flush(app)

    header, *_rows = sheet.grid(HISTORY)
    assert header[6] == "Chave do registro"
    assert [row[2] for row in history_rows(sheet)] == ["RET-2025-0001", case_id]


def without_key_column(backend) -> None:
    """Take the key column off the history tab `flask sheet init` made."""
    sheets = backend.http.fetch_sheet_metadata(backend.key)["sheets"]
    [tab] = [sheet["properties"] for sheet in sheets if sheet["properties"]["title"] == HISTORY]
    columns = {"sheetId": tab["sheetId"], "dimension": "COLUMNS", "startIndex": 6, "endIndex": 7}
    backend.http.batch_update(backend.key, {"requests": [{"deleteDimension": {"range": columns}}]})
