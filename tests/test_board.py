"""The team's board and sync: supervisors' edits in the sheet show up after one sync."""

from datetime import timedelta

import pytest

from retention import ptbr
from sheets import get_book
from tests.conftest import created_id, post_new
from tests.html import text


def board(client, query: str = "") -> str:
    return text(client.get(f"/painel?{query}").get_data(as_text=True))


def lane(page: str, status: str) -> str:
    """The text of one status column of the board."""
    statuses = ["Em andamento", "Retenção Efetiva", "Desligamento", "Não se trata de Retenção"]
    start = page.index(f"{status} ")
    ends = [page.find(f" {other} ", start + 1) for other in statuses if other != status]
    ends.append(page.index("Alterações recentes feitas na planilha"))
    return page[start : min(e for e in ends if e > start)]


@pytest.fixture
def slow_sync(app):
    """Sync as in production: pages use the snapshot until it is older than the limit."""
    with app.app_context():
        get_book().sync.max_age = 3600
    return app


def test_a_supervisor_edit_shows_after_one_sync_and_is_listed(
    slow_sync, client, clinic_form, sheet
):
    case_id = created_id(post_new(client, {**clinic_form, "prints_in_protocol": ""}))
    assert case_id in lane(board(client), "Desligamento")
    assert "Checklist 4/8" in board(client)  # not signed off yet

    sheet.set_cell(case_id, "Status retenção", "Retenção Efetiva")
    sheet.set_cell(case_id, "Evidenciado com prints no protocolo", "TRUE")
    assert case_id in lane(board(client), "Desligamento")  # the snapshot is still fresh

    client.post("/sincronizar", headers={"Referer": "http://localhost/painel"})

    page = board(client)
    assert case_id in lane(page, "Retenção Efetiva")
    assert case_id not in lane(page, "Desligamento")
    assert "Checklist 5/8" in page
    assert "alterado na planilha" in page
    recent = page[page.index("Alterações recentes feitas na planilha") :]
    assert f"{case_id} Status retenção Desligamento Retenção Efetiva" in recent
    assert f"{case_id} Evidenciado com prints no protocolo Não Sim" in recent
    case_page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "Alterado na planilha:" in case_page
    assert "Status retenção: Desligamento → Retenção Efetiva (notado em" in case_page
    assert "☑ Prints no protocolo" in case_page
    assert "☑ Retenção Efetiva" in case_page


def test_the_apps_own_saves_are_not_listed_as_changes_in_the_sheet(client, clinic_form):
    created_id(post_new(client, clinic_form))
    board(client)
    created_id(post_new(client, {**clinic_form, "dentist_name": "OUTRA"}))

    page = board(client)

    assert "Nenhuma alteração feita diretamente na planilha" in page


def test_a_row_deleted_in_the_sheet_is_listed(client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))
    board(client)
    sheet.delete_case_row(case_id)

    page = board(client)

    assert f"{case_id} (linha removida da planilha)" in page


def test_footer_shows_the_last_sync(client):
    page = text(client.get("/painel").get_data(as_text=True))
    assert "Última sincronização: ainda não" not in page
    assert "Sincronizar agora" in page


@pytest.mark.parametrize("backend_kind", ["google"])
def test_the_board_costs_no_sheets_call_while_the_snapshot_is_fresh(
    slow_sync, client, clinic_form, standin
):
    created_id(post_new(client, clinic_form))
    board(client)
    standin.reset_calls()

    for query in ("", "uf=MS", "meus=1&eu=ANA+EXEMPLO+SOUZA"):
        board(client, query)

    assert standin.count() == 0


@pytest.mark.parametrize("backend_kind", ["local"])
def test_an_unchanged_workbook_is_not_read_again(slow_sync, client, clinic_form, monkeypatch):
    created_id(post_new(client, clinic_form))
    client.post("/sincronizar")  # the save moved the file's stamp: read it once
    board(client)
    with slow_sync.app_context():
        book = get_book()
    reads = []
    monkeypatch.setattr(book.backend, "read", lambda: reads.append(1))

    client.post("/sincronizar")
    board(client)

    assert reads == []


def add(client, clinic_form, **fields):
    return created_id(post_new(client, {**clinic_form, **fields}))


@pytest.mark.parametrize("backend_kind", ["local"])
def test_board_filters(client, clinic_form):
    add(client, clinic_form, dentist_name="ANA", analyst="Bia", operator="ODONTOLIFE", uf="MS")
    add(
        client, clinic_form, dentist_name="BRUNO", analyst="sara supervisora", operator="DENTALUNI",
        uf="SP",
    )  # fmt: skip
    add(
        client, clinic_form, dentist_name="CÉLIA", analyst="Bia", operator="DENTALUNI", uf="SP",
        start_date="01/03/2025", end_date="17/06/2025",
    )  # fmt: skip

    def names(query):
        page = board(client, query)
        return [n for n in ("ANA", "BRUNO", "CÉLIA") if f" {n} " in page]

    assert names("") == ["ANA", "BRUNO", "CÉLIA"]
    assert names("colaborador=Bia") == ["ANA", "CÉLIA"]
    assert names("operadora=DENTALUNI") == ["BRUNO", "CÉLIA"]
    assert names("uf=SP&operadora=DENTALUNI") == ["BRUNO", "CÉLIA"]
    assert names("de=01/04/2025") == ["ANA", "BRUNO"]
    assert names("ate=31/03/2025") == ["CÉLIA"]
    assert names("meus=1") == ["BRUNO"]  # Colaborador is the signed-in Sara Supervisora


@pytest.mark.parametrize("backend_kind", ["local"])
def test_overdue_cases_show_days_open_and_the_contractual_notice(client, clinic_form, book):
    today = book.clock().date()
    opened = today - timedelta(days=40)
    add(
        client, clinic_form, dentist_name="ATRASADA", status="Em andamento", end_date="",
        protocol_date=ptbr.format_date(opened), start_date=ptbr.format_date(opened),
    )  # fmt: skip
    add(
        client, clinic_form, dentist_name="EM DIA", status="Em andamento", end_date="",
        protocol_date=ptbr.format_date(today - timedelta(days=5)),
        start_date=ptbr.format_date(today - timedelta(days=5)),
    )  # fmt: skip

    page = board(client)

    overdue = page[page.index("Em atraso") : page.index("Em andamento ")]
    assert "ATRASADA · 40 dias em aberto" in overdue
    notice = ptbr.format_date(opened + timedelta(days=60))
    assert f"aviso contratual de 60 dias termina em {notice} (20 dias)" in overdue
    assert "EM DIA" not in overdue
