"""axe-core (from npm, injected into the page) finds no violation on the case form, the case
page, the case list, the board, the sign-off's confirmation, the team page and the indicators, on
a laptop and on a phone."""

import json

import pytest

from tests.browser.conftest import Visit
from tests.browser.people import another_dentist
from tests.browser.test_pages_in_a_browser import post_new_case

pytestmark = pytest.mark.browser

# Injected through the DevTools protocol, which the page's CSP (script-src 'self') does not
# govern: the page itself still runs only the app's own scripts.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return {passed: result.passes.length, violations: result.violations.map(v => ({id: v.id,
    impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))};
}"""
CLOSED = {"status": "Retenção Efetiva", "end_date": "30/05/2025", "reasons": ["Valores"]}
PAGES = [
    "form",
    "case",
    "list",
    "form-with-errors",
    "board",
    "sign-off",
    "team",
    "team-with-errors",
    "indicators",
]


def open_page(visit: Visit, which: str, case_id: str):
    """The page ``which`` as a person reaches it."""
    if which == "form":
        return visit.goto("/casos/novo")
    if which == "case":
        return visit.goto(f"/casos/{case_id}")
    if which == "list":
        return visit.goto("/?ordem=dias&sentido=desc")  # with a case, sorted by a column
    if which == "board":
        return visit.goto("/painel")
    if which == "sign-off":
        return visit.goto(f"/casos/{case_id}/assinar")
    if which == "team":
        return visit.goto("/equipe")
    if which == "team-with-errors":
        page = visit.goto("/equipe")
        page.get_by_label("E-mail").first.fill("sem-arroba")
        page.get_by_role("button", name="Salvar e-mail").first.click()
        page.locator(".errors").first.wait_for()
        return page
    if which == "indicators":
        return visit.goto("/indicadores")
    page = visit.goto("/casos/novo")
    page.locator("#cro").fill("12a")
    page.get_by_role("button", name="Salvar", exact=True).click()
    page.locator(".error-summary").wait_for()
    return page


def violations(visit: Visit, axe_source: str) -> list[dict]:
    """What axe finds wrong on the page as it is now (after checking that its rules ran)."""
    visit.page.evaluate(axe_source)
    result = visit.page.evaluate(RUN_AXE)
    assert result["passed"] >= 20, result  # axe ran its rules: labels, contrast, landmarks...
    return result["violations"]


@pytest.mark.parametrize("which", PAGES)
@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_axe_finds_no_violation(request, axe_source: str, device: str, which: str):
    visit: Visit = request.getfixturevalue(device)
    case_id = ""
    if which in ("case", "list", "sign-off"):
        case_id = post_new_case(visit, another_dentist())
    if which == "indicators":  # a closed case, so that every chart has something to draw
        post_new_case(visit, another_dentist(**CLOSED))
    open_page(visit, which, case_id)

    found = violations(visit, axe_source)

    assert found == [], json.dumps(found, indent=2, ensure_ascii=False)
