"""Review before sign-off: the analyst corrects her closed case until the supervisor signs it,
and the supervisor can return it with what to correct."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Visit
from tests.browser.people import another_dentist
from tests.browser.test_pages_in_a_browser import post_new_case, shown

pytestmark = pytest.mark.browser


def test_an_analyst_corrects_her_closed_unsigned_case(analyst: Visit, server: Server):
    case_id = post_new_case(analyst, another_dentist())  # Desligamento, with its Data final
    page = analyst.goto(f"/casos/{case_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aguardando assinatura")
    expect(page.locator("p.flash.warning")).to_contain_text("o analista ainda pode corrigi-lo")
    expect(page.get_by_role("link", name="Assinar como supervisor")).to_have_count(0)
    analyst.shot("review-1-awaiting-sign-off")

    page.get_by_role("link", name="Editar").click()
    page.get_by_label("Cidade", exact=True).fill("DOURADOS")
    page.get_by_role("button", name="Salvar", exact=True).click()

    expect(page.locator(".flash.success")).to_have_text(f"Caso {case_id} atualizado na planilha.")
    expect(shown(page, "Cidade")).to_have_text("DOURADOS")
    analyst.shot("review-2-corrected")
    row = server.row(case_id)
    assert (row["Cidade"], row["Status retenção"]) == ("DOURADOS", "Desligamento")
    assert row["Atualizado por"] == "Ana Analista"


def test_a_supervisor_returns_a_case_to_the_analyst(visit: Visit, server: Server):
    case_id = post_new_case(visit, another_dentist())
    page = visit.goto(f"/casos/{case_id}")
    page.get_by_text("Devolver ao analista").first.click()
    page.get_by_label("O que o analista deve corrigir").fill("Falta registrar o 5º contato.")
    visit.shot("return-1-reason")
    page.get_by_role("button", name="Devolver ao analista").click()

    expect(page.locator(".flash.success").first).to_contain_text(
        f"Caso {case_id} devolvido ao analista"
    )
    returned = page.locator(".returned")
    expect(returned).to_contain_text("Devolvido ao analista por Sara Supervisora em")
    expect(returned).to_contain_text("Falta registrar o 5º contato.")
    expect(page.locator(".timeline")).to_contain_text(
        "Sara Supervisora (devolvido ao analista): Falta registrar o 5º contato."
    )
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Aguardando assinatura")
    visit.shot("return-2-returned")
    assert server.row(case_id)["Status retenção"] == "Em andamento"
