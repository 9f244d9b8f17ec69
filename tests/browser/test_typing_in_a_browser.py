"""Typing the form quickly: dates as people type them on a phone, masks with and without
scripts, defaults suggested, Enter that saves nothing, and the duplicate warning."""

import re
from datetime import date, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, Visit
from tests.browser.people import another_dentist
from tests.browser.test_pages_in_a_browser import fill_form, post_new_case

pytestmark = pytest.mark.browser

SAVED = re.compile(r"Caso (RET-\d{4}-\d{4}) salvo na planilha\.")
THIS_YEAR = date.today().year
DATES = {  # field: (typed as people type it, shown once typed, stored)
    "form_date": ("2/5/25", "02/05/2025", date(2025, 5, 2)),
    "inclusion_date": ("26/09/2024", "26/09/2024", date(2024, 9, 26)),
    "protocol_date": ("08/05", f"08/05/{THIS_YEAR}", date(THIS_YEAR, 5, 8)),
    "start_date": ("08052025", "08/05/2025", date(2025, 5, 8)),
    "end_date": ("170625", "17/06/2025", date(2025, 6, 17)),
}
HEADERS = {
    "form_date": "Data",
    "inclusion_date": "Data inclusão",
    "protocol_date": "Dt. abertura protocolo",
    "start_date": "Data início",
    "end_date": "Data final",
}


def save(page: Page) -> str:
    """Press Salvar; the new case's ID."""
    page.get_by_role("button", name="Salvar", exact=True).click()
    return save_confirmed(page)


def without(form: dict[str, object], *names: str) -> dict[str, object]:
    return {k: v for k, v in form.items() if k not in names}


def test_each_date_form_typed_on_a_phone_is_accepted(phone: Visit, server: Server):
    page = phone.goto("/casos/novo")
    fill_form(page, without(another_dentist(), *DATES))
    for name, (typed, shown, _stored) in DATES.items():
        field = page.locator(f"#{name}")
        assert field.get_attribute("inputmode") == "numeric"  # digits are all it needs
        field.fill("")
        field.press_sequentially(typed)
        field.blur()
        expect(field).to_have_value(shown)
        expect(page.locator(f".with-picker:has(#{name}) .pick")).to_have_count(1)  # a calendar
    final = page.locator("#final_message_at")
    final.fill("")
    final.press_sequentially("170620250903")
    expect(final).to_have_value("17/06/2025 09:03")
    phone.shot("phone-dates-typed")

    case_id = save(page)
    row = server.row(case_id)
    for name, (_typed, _shown, stored) in DATES.items():
        assert row[HEADERS[name]].date() == stored, name
    assert row["Mensagem final - Data"] == datetime(2025, 6, 17, 9, 3)


MASKED = {  # field: (typed, shown with scripts)
    "cpf": ("11144477735", "111.444.777-35"),
    "cnpj": ("11222333000181", "11.222.333/0001-81"),
    "start_date": ("020525", "02/05/2025"),
    "currency_value": ("1234,5", "1.234,50"),
    "final_message_at": ("170620250903", "17/06/2025 09:03"),
}


def type_masked(page: Page, form: dict[str, object]) -> None:
    fill_form(page, without(form, *MASKED))
    for name, (typed, _shown) in MASKED.items():
        field = page.locator(f"#{name}")
        field.fill("")
        field.press_sequentially(typed)
    page.locator("#city").focus()


def stored_masked(server: Server, case_id: str) -> dict[str, object]:
    row = server.row(case_id)
    headers = ("CPF", "CNPJ", "Data início", "Moeda", "Mensagem final - Data")
    return {header: row[header] for header in headers}


@pytest.mark.parametrize("scripts", [True, False], ids=["with-scripts", "without-scripts"])
def test_masks_show_what_is_typed_and_the_same_keys_save_the_same_without_scripts(
    request, server: Server, scripts: bool
):
    visit: Visit = request.getfixturevalue("visit" if scripts else "visit_without_scripts")
    form = another_dentist(person_type="J", cpf="11144477735")
    page = visit.goto("/casos/novo")
    type_masked(page, form)
    for name, (typed, shown) in MASKED.items():
        expect(page.locator(f"#{name}")).to_have_value(shown if scripts else typed)
    visit.shot(f"masks-{'on' if scripts else 'off'}")

    stored = stored_masked(server, save(page))
    assert stored == {
        "CPF": "11144477735",
        "CNPJ": "11222333000181",
        "Data início": datetime(2025, 5, 2),
        "Moeda": 1234.5,
        "Mensagem final - Data": datetime(2025, 6, 17, 9, 3),
    }


def test_defaults_are_suggested_and_never_overwrite_what_was_typed(visit: Visit):
    page = visit.goto("/casos/novo")
    page.locator("#cro_uf").select_option("MS")
    expect(page.locator("#uf")).to_have_value("MS")
    expect(page.locator("#uf-sugestao")).to_be_visible()
    page.locator("#cnpj").press_sequentially("11222333000181")
    page.locator("#cnpj").blur()
    expect(page.locator("#person_type")).to_have_value("J")
    page.locator("#protocol_date").press_sequentially("020525")
    page.locator("#protocol_date").blur()
    expect(page.locator("#start_date")).to_have_value("02/05/2025")
    visit.shot("defaults-suggested")

    page.locator("#uf").select_option("SP")  # the user's choice stays
    page.locator("#cro_uf").select_option("PR")
    expect(page.locator("#uf")).to_have_value("SP")
    expect(page.locator("#uf-sugestao")).to_be_hidden()
    page.locator("#start_date").fill("03/05/2025")
    page.locator("#protocol_date").fill("04/05/2025")
    page.locator("#protocol_date").blur()
    expect(page.locator("#start_date")).to_have_value("03/05/2025")


def test_enter_in_a_field_moves_on_and_saves_nothing(visit: Visit, server: Server):
    rows_before = len(server.rows())
    page = visit.goto("/casos/novo")
    page.locator("#city").fill("DOURADOS")
    page.locator("#city").press("Enter")

    expect(page.locator("#lives")).to_be_focused()
    assert page.url.endswith("/casos/novo")
    assert len(server.rows()) == rows_before


def test_enter_saves_nothing_without_scripts_either(visit_without_scripts: Visit, server: Server):
    rows_before = len(server.rows())
    page = visit_without_scripts.goto("/casos/novo")
    fill_form(page, another_dentist())
    page.locator("#city").press("Enter")
    page.wait_for_timeout(500)

    assert page.url.endswith("/casos/novo")
    expect(page.locator("#city")).to_have_value("CAMPO GRANDE")
    assert len(server.rows()) == rows_before


def test_the_same_dentist_is_warned_of_as_soon_as_cro_and_uf_or_the_cpf_are_typed(
    visit: Visit,
):
    dentist = another_dentist(status="Em andamento", end_date="")
    first = post_new_case(visit, dentist)
    page = visit.goto("/casos/novo")
    warning = page.locator(".duplicates-live")
    page.locator("#cro").fill(str(dentist["cro"]))
    page.locator("#cro_uf").select_option(str(dentist["cro_uf"]))
    expect(warning).to_be_visible()
    expect(warning.get_by_role("link", name=first)).to_have_attribute("href", f"/casos/{first}")
    expect(warning).to_contain_text(f"mesmo CRO {dentist['cro']}/{dentist['cro_uf']}")
    visit.shot("duplicate-1-cro")

    page.locator("#cro").fill("55555")
    page.locator("#cro").blur()
    expect(warning).to_be_hidden()
    page.locator("#cpf").press_sequentially(str(dentist["cpf"]))
    page.locator("#cpf").blur()
    expect(warning).to_contain_text("mesmo CPF")
    expect(warning.get_by_role("link", name=first)).to_be_visible()
    visit.shot("duplicate-2-cpf")


def test_saving_a_second_open_case_of_a_dentist_asks_first_then_saves_anyway(
    visit: Visit, server: Server
):
    dentist = another_dentist(status="Em andamento", end_date="")
    first = post_new_case(visit, dentist)
    page = visit.goto("/casos/novo")
    fill_form(page, {**dentist, "cro": "55555"})  # another CRO, the same CPF
    page.get_by_role("button", name="Salvar", exact=True).click()

    asked = page.locator(".duplicates")
    expect(asked).to_contain_text("já tem um caso em andamento")
    expect(asked).to_contain_text("mesmo CPF")
    expect(asked.get_by_role("link", name=first)).to_be_visible()
    visit.shot("duplicate-3-asked")
    page.get_by_role("button", name="Salvar mesmo assim").click()
    case_id = save_confirmed(page)
    assert case_id != first
    assert server.row(case_id)["CPF"] == dentist["cpf"]


def save_confirmed(page: Page) -> str:
    """The ID of the case the page says it saved."""
    flash = page.locator(".flash.success")
    expect(flash).to_have_text(SAVED)
    return SAVED.search(flash.inner_text()).group(1)
