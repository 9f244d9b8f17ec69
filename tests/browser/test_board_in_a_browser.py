"""The board in lanes and the sign-off's confirmation, in a browser.

The server is shared by the whole run, so each test opens its cases with a Data início of its
own and looks at the board filtered to that day."""

import pytest
from playwright.sync_api import Page, expect

from retention.choices import ACTIONS, REASONS
from tests.browser.conftest import Server, Visit
from tests.browser.people import another_dentist
from tests.browser.test_pages_in_a_browser import post_new_case

pytestmark = pytest.mark.browser
OPEN = {"status": "Em andamento", "end_date": ""}
COMPLETE = {"actions": [ACTIONS[0]], "reasons": [REASONS[0]]}  # what the seed's checklist lacks


def lane(page: Page, title: str):
    """The board's lane whose heading starts with ``title``."""
    return page.locator("section.lane").filter(has=page.get_by_role("heading", level=2, name=title))


def test_the_board_shows_lanes_with_their_counts(visit: Visit):
    day = "03/02/2019"
    opened = post_new_case(visit, another_dentist(start_date=day, **OPEN))
    closed = [post_new_case(visit, another_dentist(start_date=day)) for _ in range(2)]

    page = visit.goto(f"/painel?de={day}&ate={day}")

    expect(lane(page, "Em andamento").get_by_role("heading")).to_have_text("Em andamento 1")
    waiting = lane(page, "Aguardando assinatura")
    expect(waiting.get_by_role("heading")).to_have_text("Aguardando assinatura 2")
    expect(waiting.locator("article.card")).to_have_count(2)
    for case_id in closed:
        expect(waiting.locator("article.card", has_text=case_id)).to_contain_text("Desligamento")
    recent = lane(page, "Encerrados nos últimos 30 dias")
    expect(recent.get_by_role("heading")).to_have_text("Encerrados nos últimos 30 dias 0")
    expect(recent).to_contain_text("Nenhum caso.")
    card = lane(page, "Em andamento").locator("article.card", has_text=opened)
    chip = card.locator(".chip.late")
    expect(chip).to_have_text("em atraso")  # protocol opened in 2025: past the 30 days
    chip_box, card_box = chip.bounding_box(), card.bounding_box()
    assert chip_box and card_box and chip_box["width"] < card_box["width"] / 2  # a chip
    expect(page.get_by_role("link", name="Encerrados há mais de 30 dias")).to_have_text(
        "Encerrados há mais de 30 dias: nenhum caso"
    )
    visit.shot("board-lanes")


def sign_from_the_case_page(page: Page, comment: str) -> None:
    page.get_by_role("link", name="Assinar como supervisor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assinar o caso")
    page.get_by_label("Comentário da assinatura (opcional)").fill(comment)


def test_an_incomplete_checklist_needs_assinar_mesmo_assim(visit: Visit, server: Server):
    case_id = post_new_case(visit, another_dentist(start_date="04/02/2019"))
    page = visit.goto(f"/casos/{case_id}")
    sign_from_the_case_page(page, "Conferido com a analista.")
    expect(page.locator(".checklist-missing")).to_contain_text("Checklist incompleto (5/8)")
    visit.shot("sign-off-1-confirmation")

    page.get_by_role("button", name="Confirmar assinatura").click()

    expect(page.get_by_role("alert")).to_contain_text("O caso não foi assinado")
    expect(page.get_by_label("Comentário da assinatura (opcional)")).to_have_value(
        "Conferido com a analista."
    )
    visit.shot("sign-off-2-assinar-mesmo-assim")
    assert server.row(case_id)["Assinatura supervisor"] in (None, "")

    page.get_by_role("button", name="Assinar mesmo assim").click()

    expect(page.locator(".flash.success").first).to_contain_text(f"Caso {case_id} assinado")
    expect(page.locator(".signatures")).to_contain_text("Sara Supervisora")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("(comentário da assinatura): Conferido com a analista.")
    expect(timeline).to_contain_text("(assinado com o checklist incompleto)")
    visit.shot("sign-off-3-signed-anyway")
    assert server.row(case_id)["Assinatura supervisor"] == "Sara Supervisora"


def test_a_complete_checklist_signs_at_one_confirmation(visit: Visit, server: Server):
    case_id = post_new_case(visit, another_dentist(start_date="05/02/2019", **COMPLETE))
    page = visit.goto(f"/casos/{case_id}")
    expect(page.locator(".signatures")).to_contain_text("não assinado")
    sign_from_the_case_page(page, "")
    expect(page.locator(".checklist-missing")).to_have_count(0)

    page.get_by_role("button", name="Confirmar assinatura").click()

    expect(page.locator(".flash.success").first).to_contain_text(f"Caso {case_id} assinado")
    expect(page.locator(".signatures")).to_contain_text("Sara Supervisora")
    expect(page.locator(".signatures")).not_to_contain_text("não assinado")
    visit.shot("sign-off-complete-signed")
    assert server.row(case_id)["Assinatura supervisor"] == "Sara Supervisora"


def test_on_a_phone_the_lanes_stack_without_sideways_scrolling(phone: Visit):
    day = "07/02/2019"
    post_new_case(phone, another_dentist(start_date=day, **OPEN))

    page = phone.goto(f"/painel?de={day}&ate={day}")

    lefts = {
        round(box["x"])
        for box in (s.bounding_box() for s in page.locator("section.lane").all())
        if box
    }
    assert len(lefts) == 1  # one column: each lane under the other
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(lane(page, "Em andamento").locator("article .chip.late")).to_have_text("em atraso")
    phone.shot("board-phone")
