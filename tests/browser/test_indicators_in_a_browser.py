"""The indicators page in Chromium: every chart shows as an image, CSV links download, a bad
date is explained beside its field, and the page fits a phone."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Visit
from tests.browser.test_pages_in_a_browser import post_new_case
from tests.seeds import CLINIC_FORM

pytestmark = pytest.mark.browser

CHARTS = 9
LEFT = {**CLINIC_FORM, "reasons": ["Valores", "Óbito"], "actions": ["Ofertado Suporte"]}
RETAINED = {
    **LEFT,
    "analyst": "Célia Fictícia",
    "status": "Retenção Efetiva",
    "end_date": "30/05/2025",
    "reasons": ["Valores"],
}
LOADED = "images => images.every(image => image.complete && image.naturalWidth > 0)"


def open_cases(visit: Visit) -> None:
    """Two closed cases, so that every chart has something to draw."""
    post_new_case(visit, LEFT)
    post_new_case(visit, RETAINED)


def show_every_chart(visit: Visit) -> None:
    """Scroll each chart into view (they load lazily) and wait until all are drawn."""
    images = visit.page.locator("figure.chart img")
    expect(images).to_have_count(CHARTS)
    for index in range(CHARTS):
        images.nth(index).scroll_into_view_if_needed()
    # Polled from here: wait_for_function evaluates a string, which the app's CSP forbids.
    deadline = time.monotonic() + 10
    while not images.evaluate_all(LOADED):
        assert time.monotonic() < deadline, "charts still not drawn after 10 s"
        time.sleep(0.1)


def test_every_chart_shows_and_each_table_downloads(visit: Visit):
    open_cases(visit)
    page = visit.goto("/indicadores")
    show_every_chart(visit)
    visit.shot("indicators")

    widths = page.locator("figure.chart img").evaluate_all("images => images.map(i => i.width)")
    assert all(width > 300 for width in widths)
    with page.expect_download() as download:
        page.get_by_role("link", name="Baixar CSV").first.click()
    assert download.value.suggested_filename == "indicadores-retencao.csv"
    content = Path(download.value.path()).read_bytes()
    assert content.startswith("\ufeffRetenção Efetiva;".encode())


def test_a_bad_date_is_explained_beside_the_field_and_kept(visit: Visit):
    page = visit.goto("/indicadores")
    page.get_by_label("Início de").fill("31/02/2025")
    page.get_by_role("button", name="Filtrar").click()

    field = page.get_by_label("Início de")
    expect(field).to_have_value("31/02/2025")
    expect(field).to_be_focused()
    expect(page.locator("#de-erro")).to_have_text("Data inexistente: confira dia e mês.")
    visit.shot("indicators-bad-date")


def test_the_indicators_fit_a_phone(phone: Visit):
    open_cases(phone)
    page = phone.goto("/indicadores")
    show_every_chart(phone)
    phone.shot("phone-indicators")

    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    boxes = page.locator("figure.chart img").evaluate_all(
        "images => images.map(i => i.getBoundingClientRect().right)"
    )
    assert all(right <= width for right in boxes)
