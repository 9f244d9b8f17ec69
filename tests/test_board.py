"""The team's board and sync: supervisors' edits in the sheet show up after one sync."""

import re
from dataclasses import dataclass, replace
from datetime import timedelta

import openpyxl
import pytest

from app import create_app
from retention import ptbr
from retention.board import CARDS_PER_LANE
from retention.case import Case
from sheets import codec, get_book
from tests.conftest import created_id, post_new, sign_in
from tests.html import text
from tests.sample import full_case


def board(client, query: str = "") -> str:
    return text(client.get(f"/painel?{query}").get_data(as_text=True))


@dataclass(frozen=True)
class ShownLane:
    """One lane as the page shows it: its heading's count, its cards' text, its text."""

    count: int
    cards: list[str]
    text: str


def lanes(client, query: str = "") -> dict[str, ShownLane]:
    """The board's lanes by their titles."""
    page = client.get(f"/painel?{query}").get_data(as_text=True)
    found = {}
    for block in re.findall(r'<section class="lane".*?</section>', page, re.S):
        heading = text(re.search(r"<h2.*?</h2>", block, re.S).group(0)).strip()
        title, count = heading.rsplit(" ", 1)
        cards = [text(card).strip() for card in re.findall(r"<article.*?</article>", block, re.S)]
        found[title] = ShownLane(int(count.replace(".", "")), cards, text(block))
    return found


def card_ids(lane: ShownLane) -> list[str]:
    return [re.search(r"RET-\d{4}-\d+", card).group(0) for card in lane.cards]


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
    [card] = lanes(client)["Aguardando assinatura"].cards  # closed, not signed off yet
    assert f"{case_id} MARIA FICTICIA LIMA" in card
    assert "Desligamento · Data final 17/06/2025" in card and "Checklist 4/8" in card

    sheet.set_cell(case_id, "Status retenção", "Retenção Efetiva")
    sheet.set_cell(case_id, "Evidenciado com prints no protocolo", "TRUE")
    assert "Desligamento" in lanes(client)["Aguardando assinatura"].cards[0]  # still fresh

    client.post("/sincronizar", headers={"Referer": "http://localhost/painel"})

    [card] = lanes(client)["Aguardando assinatura"].cards
    assert "Retenção Efetiva · Data final 17/06/2025" in card
    assert "Checklist 5/8" in card
    assert "alterado na planilha" in card
    page = board(client)
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
def test_overdue_cases_come_first_with_a_chip_and_the_contractual_notice(client, clinic_form, book):
    today = book.clock().date()
    for name, days in [("EM DIA", 5), ("ATRASADA", 40)]:
        opened = ptbr.format_date(today - timedelta(days=days))
        add(
            client, clinic_form, dentist_name=name, status="Em andamento", end_date="",
            protocol_date=opened, start_date=opened,
        )  # fmt: skip

    shown = lanes(client)["Em andamento"]

    late, on_time = shown.cards
    assert "1 caso em atraso (mais de 30 dias desde a abertura do protocolo), no topo" in shown.text
    assert "ATRASADA" in late and "40 dias em aberto" in late
    notice = ptbr.format_date(today - timedelta(days=40) + timedelta(days=60))
    assert f"em atraso aviso contratual de 60 dias termina em {notice} (20 dias)" in late
    assert "EM DIA" in on_time and "em atraso" not in on_time
    page = client.get("/painel").get_data(as_text=True)
    assert page.count('<span class="chip late">em atraso</span>') == 1


def put_cases(app, workbook_path, cases: list[Case]) -> None:
    """Cases typed straight into the workbook, as rows people added by hand."""
    with app.app_context():
        get_book().backend.read()  # the app creates the workbook with its header row
    workbook = openpyxl.load_workbook(workbook_path)
    tab = workbook["Casos"]
    header = [cell.value for cell in tab[1]]
    for case in cases:
        values = codec.encode(case)
        tab.append([values.get(h) for h in header])
    workbook.save(workbook_path)


def a_case(number: int, book, **fields) -> Case:
    """A full case, open unless ``fields`` say otherwise, protocol opened ``number`` days ago."""
    today = book.clock().date()
    base = replace(
        full_case(f"RET-2026-{number:04d}"),
        status="Em andamento",
        end_date=None,
        supervisor_signature="",
        signed_on=None,
        protocol_date=today - timedelta(days=number),
        dentist_name=f"DENTISTA {number}",
    )
    return replace(base, **fields)


def signed(number: int, book, days_ago: int) -> Case:
    """A case closed ``days_ago`` days ago and signed off."""
    end = book.clock().date() - timedelta(days=days_ago)
    return a_case(
        number, book, status="Desligamento", end_date=end,
        supervisor_signature="Sara Supervisora", signed_on=end,
    )  # fmt: skip


@pytest.mark.parametrize("backend_kind", ["local"])
def test_the_board_lanes_count_their_cases_and_the_older_closed_wait_behind_a_link(
    app, client, book, workbook_path
):
    waiting = a_case(3, book, status="Desligamento", end_date=book.clock().date())
    put_cases(
        app,
        workbook_path,
        [a_case(1, book), a_case(2, book), waiting, signed(4, book, 2), signed(5, book, 31),
         signed(6, book, 400)],
    )  # fmt: skip

    shown = lanes(client)

    assert {title: lane.count for title, lane in shown.items()} == {
        "Em andamento": 2,
        "Aguardando assinatura": 1,
        "Encerrados nos últimos 30 dias": 1,
    }
    assert card_ids(shown["Aguardando assinatura"]) == ["RET-2026-0003"]
    assert card_ids(shown["Encerrados nos últimos 30 dias"]) == ["RET-2026-0004"]
    page = client.get("/painel").get_data(as_text=True)
    assert "Encerrados há mais de 30 dias: 2 casos " in text(page)
    assert 'href="/painel?raia=anteriores"' in page
    older = lanes(client, "raia=anteriores")
    assert list(older) == ["Encerrados há mais de 30 dias"]
    assert card_ids(older["Encerrados há mais de 30 dias"]) == ["RET-2026-0005", "RET-2026-0006"]


@pytest.mark.parametrize("backend_kind", ["local"])
def test_the_closed_days_are_a_setting(app, book, workbook_path):
    put_cases(app, workbook_path, [signed(1, book, 5), signed(2, book, 10)])
    week = sign_in(create_app({**app.config, "RETENCAO_BOARD_CLOSED_DAYS": "7"}), "supervisor")

    shown = lanes(week)

    assert card_ids(shown["Encerrados nos últimos 7 dias"]) == ["RET-2026-0001"]
    assert "Encerrados há mais de 7 dias: 1 caso " in board(week)


@pytest.mark.parametrize("backend_kind", ["local"])
def test_a_lane_shows_a_page_of_cards_and_ver_todos_shows_them_all(
    app, client, book, workbook_path
):
    count = CARDS_PER_LANE + 3
    put_cases(app, workbook_path, [a_case(n, book) for n in range(1, count + 1)])

    shown = lanes(client, "uf=MT")["Em andamento"]
    page = client.get("/painel?uf=MT").get_data(as_text=True)

    assert shown.count == count and len(shown.cards) == CARDS_PER_LANE
    assert card_ids(shown)[:3] == ["RET-2026-0023", "RET-2026-0022", "RET-2026-0021"]
    assert f"ver todos os {count} de Em andamento" in shown.text
    assert 'href="/painel?raia=andamento&amp;uf=MT"' in page  # the filters go along
    alone = client.get("/painel?raia=andamento&uf=MT").get_data(as_text=True)
    all_cards = lanes(client, "raia=andamento&uf=MT")
    assert list(all_cards) == ["Em andamento"]
    assert len(all_cards["Em andamento"].cards) == count
    assert "Página 1 de 1" in text(alone) and "← Voltar ao painel" in text(alone)
    assert '<input type="hidden" name="raia" value="andamento">' in alone  # filtering stays
    assert "Alterações recentes" not in alone
    for odd in ("²", "9" * 5000, "-1", "0"):  # typed into the address: the first page
        assert "Página 1 de 1" in board(client, f"raia=andamento&pagina={odd}")
