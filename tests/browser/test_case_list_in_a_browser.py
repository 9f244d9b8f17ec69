"""The case list as a supervisor reads it: fits a laptop, cards on a phone, sortable columns,
search as you type with the same rows as the form without scripts, whole rows clickable."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, Visit, _visit_as
from tests.browser.people import another_dentist, cnpj_for
from tests.browser.test_pages_in_a_browser import post_new_case

pytestmark = pytest.mark.browser

TAG = "ZAFIRA"  # in every name below and nowhere else in the session's cases
LONG_ANALYST = "MARIA APARECIDA DOS SANTOS OLIVEIRA FERNANDES DE ALBUQUERQUE"
PEOPLE = [
    # name, status, days since Dt. abertura protocolo, CNPJ (Tipo J) or none (Tipo F)
    (f"{TAG} ALBUQUERQUE CAVALCANTI DE ANDRADE PEREIRA DA SILVA NETO", "Em andamento", 40, 1),
    (f"{TAG} BEATRIZ", "Em andamento", 5, None),
    (f"{TAG} CAMARGO ODONTOLOGIA ESPECIALIZADA E ESTÉTICA LTDA", "Desligamento", 90, 2),
    (f"{TAG} DANIELA{'W' * 40}", "Não se trata de Retenção", 12, 3),
    (f"{TAG} ÉLIDA", "Em andamento", 70, None),
]


def _typed(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture(scope="module")
def listed(browser, server, screenshots) -> dict[str, str]:
    """The cases above, opened in the session's workbook: name -> case ID."""
    today = date.today()
    ids = {}
    for visit in _visit_as("supervisor", browser, server, screenshots, viewport=LAPTOP):
        for number, (name, status, days, cnpj) in enumerate(PEOPLE):
            form = another_dentist(
                dentist_name=name,
                status=status,
                analyst=LONG_ANALYST,
                operator="ODONTOLIFE ASSISTÊNCIA ODONTOLÓGICA INTEGRADA",
                protocol=f"SAD00000000000{number}123456",
                protocol_date=_typed(today - timedelta(days=days)),
                start_date=_typed(today - timedelta(days=days)),
                end_date="" if status == "Em andamento" else _typed(today),
                confirmar_duplicado="1",
            )
            if cnpj:
                form.update(person_type="J", cnpj=cnpj_for(900_000_000_000 + cnpj * 1_000))
            ids[name] = post_new_case(visit, form)
    return ids


def listed_ids(page: Page) -> list[str]:
    """The case IDs of the list's rows, top to bottom."""
    return page.locator("table.cases tbody .row-link").all_inner_texts()


def lines_of(page: Page, selector: str) -> list[int]:
    """How many lines the text of each element matching ``selector`` takes."""
    return page.eval_on_selector_all(
        selector,
        """cells => cells.map(cell => {
             const range = document.createRange();
             range.selectNodeContents(cell);
             return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
           })""",
    )


def sideways(page: Page, selector: str) -> dict[str, int]:
    """The element's full width against the width it shows."""
    return page.eval_on_selector(
        selector, "e => ({scrollWidth: e.scrollWidth, clientWidth: e.clientWidth})"
    )


def test_the_list_fits_a_laptop_without_sideways_scroll(laptop: Visit, listed):
    page = laptop.goto("/")
    expect(page.locator("table.cases")).to_be_visible()
    laptop.shot("case-list-laptop")

    whole = sideways(page, "html")
    table = sideways(page, ".table-wrap")
    assert whole["scrollWidth"] <= whole["clientWidth"], whole
    assert table["scrollWidth"] <= table["clientWidth"], table
    assert page.get_by_role("columnheader", name="Colaborador").is_visible()
    assert set(lines_of(page, "td.id a")) == {1}  # IDs on one line
    assert set(lines_of(page, "td.doc")) == {1}  # CNPJ not split
    assert "dias em aberto" in page.locator("table.cases thead").inner_text().lower()


def test_a_phone_shows_cards_with_the_filters_folded(phone: Visit, listed):
    page = phone.goto("/")
    cards = page.locator(".case-card")
    expect(cards.first).to_be_visible()
    phone.shot("case-list-phone")

    expect(page.locator("table.cases")).to_be_hidden()
    assert cards.count() >= len(PEOPLE)
    expect(page.locator("#q")).to_be_visible()  # search stays at hand
    expect(page.locator("#status")).to_be_hidden()
    whole = sideways(page, "html")
    assert whole["scrollWidth"] <= whole["clientWidth"], whole
    still_open = cards.filter(has_text=f"{TAG} BEATRIZ")
    expect(still_open.locator(".chip")).to_have_text("Em andamento")
    expect(still_open.locator("dd").first).to_have_text(re.compile(r"^\d+$"))  # days open
    closed = cards.filter(has_text=f"{TAG} CAMARGO")
    expect(closed.locator(".chip")).to_have_text("Desligamento")
    expect(closed.locator("dd").first).to_have_text("—encerrado")

    page.get_by_text("Filtros", exact=True).click()
    expect(page.locator("#status")).to_be_visible()
    phone.shot("case-list-phone-filters-open")


def test_a_phone_sorts_from_the_folded_filters(phone: Visit, listed):
    page = phone.goto(f"/?q={TAG.lower()}")
    page.get_by_text("Filtros", exact=True).click()

    page.get_by_label("Ordenar por").select_option(label="Dias em aberto")

    expect(page).to_have_url(re.compile(r"ordem=dias&sentido=desc"))
    expect(page.get_by_label("Sentido")).to_have_value("desc")  # longest open first
    phone.shot("case-list-phone-sorted")
    ids = [link.split()[-1] for link in page.locator(".case-card .row-link").all_inner_texts()]
    assert ids[:3] == [listed[PEOPLE[i][0]] for i in (4, 0, 1)]


def test_a_header_sorts_the_list_and_keeps_the_search(visit_without_scripts: Visit, listed):
    page = visit_without_scripts.goto(f"/?q={TAG.lower()}")
    header = page.get_by_role("columnheader", name="Dentista")
    assert header.get_attribute("aria-sort") is None

    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    visit_without_scripts.shot("case-list-sorted-by-name")
    assert [listed[name] for name, *_ in PEOPLE] == listed_ids(page)
    expect(page.locator("#q")).to_have_value(TAG.lower())

    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert [listed[name] for name, *_ in reversed(PEOPLE)] == listed_ids(page)

    days = page.get_by_role("columnheader", name="Dias em aberto")
    days.get_by_role("link").click()
    expect(days).to_have_attribute("aria-sort", "descending")  # longest open first
    assert header.get_attribute("aria-sort") is None
    open_longest_first = [listed[PEOPLE[i][0]] for i in (4, 0, 1)]
    assert listed_ids(page)[:3] == open_longest_first  # closed cases (no days) last
    assert re.search(r"q=zafira", page.url) and "ordem=dias" in page.url


def submitted(page: Page, text: str, status: str) -> list[str]:
    """The rows a search gives when typed and sent with "Filtrar", as without scripts."""
    page.locator("#q").fill(text)
    page.locator("#status").select_option(status)
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url(re.compile(r"status="))
    return listed_ids(page)


def test_search_as_you_type_shows_what_the_form_shows(
    laptop: Visit, visit_without_scripts: Visit, listed
):
    expected = submitted(visit_without_scripts.goto("/"), TAG.lower(), "Em andamento")
    assert set(expected) == {listed[PEOPLE[i][0]] for i in (0, 1, 4)}

    page = laptop.goto("/")
    page.evaluate("window.stillThisPage = true")
    page.locator("#q").press_sequentially(TAG.lower(), delay=30)
    expect(page).to_have_url(re.compile(r"\?q=zafira$"))
    page.locator("#status").select_option("Em andamento")
    expect(page).to_have_url(re.compile(r"status=Em\+andamento"))
    expect(page.locator("#results-status")).to_have_text("3 casos")
    laptop.shot("case-list-searched-as-typed")

    assert listed_ids(page) == expected
    assert page.evaluate("window.stillThisPage") is True  # swapped in place, no page load


def test_the_whole_row_opens_the_case_and_each_row_keeps_a_link(laptop: Visit, listed):
    page = laptop.goto(f"/?q={TAG.lower()}+beatriz")
    row = page.locator("table.cases tbody tr").first
    link = row.get_by_role("link")
    expect(link).to_have_attribute("href", f"/casos/{listed[PEOPLE[1][0]]}")

    cell = row.locator("td").last.bounding_box()  # the Colaborador cell, away from the link
    assert cell is not None
    page.mouse.click(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2)

    page.wait_for_url(re.compile(rf"/casos/{listed[PEOPLE[1][0]]}$"))
