"""What a person sees in Chromium, and what lands in the workbook, on a real server.

The tests run in file order on one server: the first one opens the session's first case.
"""

import re
from datetime import date
from io import BytesIO
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from retention.choices import AREAS
from sheets.columns import HEADERS
from tests.browser.conftest import Server, Visit
from tests.browser.people import another_dentist
from tests.html import hidden_value
from tests.seeds import CLINIC_FORM, CLINIC_ROW, CONTACT_3
from tests.test_seed_form import BOOKKEEPING, _plain

pytestmark = pytest.mark.browser

A4_VIEWPORT = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch
SAVED = re.compile(r"Caso (RET-\d{4}-(\d{4})) salvo na planilha\.")
UPDATED = "Caso {} atualizado na planilha."
STAMPS = {"Atualizado em", "Atualizado por"}
KINDS = """names => names.map(name => {
  const control = document.getElementsByName(name)[0];
  return control.tagName === "INPUT" ? control.type : control.tagName.toLowerCase();
})"""


def fill_form(page: Page, form: dict[str, object]) -> None:
    """Type ``form`` (the test client's form data) into the page as a person would."""
    kinds = page.evaluate(KINDS, list(form))
    for (name, value), kind in zip(form.items(), kinds, strict=True):
        fill_field(page, name, value, kind)


def fill_field(page: Page, name: str, value: object, kind: str) -> None:
    """Type, pick or tick one field, first opening the collapsed section that hides it."""
    first = page.locator(f'[name="{name}"]').first
    if first.evaluate("e => !!e.closest('details:not([open])')"):
        summary = first.locator("xpath=ancestor::details[1]/summary")
        summary.click()
        expect(first).to_be_visible()
    if kind == "select":
        first.select_option(str(value))
    elif kind == "radio":
        page.locator(f'[name="{name}"][value="{value}"]').check()
    elif kind == "checkbox" and isinstance(value, list):
        for option in value:
            page.locator(f'[name="{name}"][value="{option}"]').check()
    elif kind == "checkbox":
        first.check()
    else:
        first.fill(str(value))


def shown_value(page: Page, name: str, typed: object) -> object:
    """What the page shows in field ``name``, in the shape it was typed in."""
    controls = page.locator(f'[name="{name}"]')
    [kind] = page.evaluate(KINDS, [name])
    if kind == "radio" or (kind == "checkbox" and isinstance(typed, list)):
        ticked = [c.get_attribute("value") for c in controls.all() if c.is_checked()]
        return ticked if isinstance(typed, list) else "".join(ticked)
    if kind == "checkbox":
        return "y" if controls.first.is_checked() else ""
    return controls.first.input_value()


def shown(page: Page, label: str) -> Locator:
    """The value the case page shows beside ``label``."""
    return page.locator(f'.item:has(dt:text-is("{label}")) dd')


def as_typed(value: object) -> object:
    """A textarea gives back ``\\n`` where the form data had the browser's ``\\r\\n``."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def row_as_read(row: dict[str, object]) -> dict[str, object]:
    """The filled form cells of a row, as test_seed_form compares them."""
    filled = {h: row[h] for h in HEADERS if h not in BOOKKEEPING and row[h] not in (None, "")}
    return {h: _plain(v) for h, v in filled.items()}


def post_new_case(visit: Visit, form: dict[str, object]) -> str:
    """Open a case for a test to start from, by posting the form from the browser's session
    (CSRF token included) without rendering it; its ID."""
    new_form = visit.context.request.get(f"{visit.server.url}/casos/novo")
    token = hidden_value(new_form.text(), "csrf_token")
    body = urlencode({**form, "csrf_token": token}, doseq=True)
    saved = visit.context.request.post(
        f"{visit.server.url}/casos/novo",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert saved.status == 302, saved.text()[:2000]
    return saved.headers["location"].rsplit("/", 1)[-1]


@pytest.fixture
def case_id(visit: Visit) -> str:
    """A case opened from the seed form."""
    return post_new_case(visit, CLINIC_FORM)


def test_the_whole_seed_form_typed_in_the_browser_becomes_the_seed_row(visit, server: Server):
    cases_before = len(server.rows())
    page = visit.goto("/casos/novo")
    visit.shot("new-case-1-empty-form")
    third_contact = page.locator("details.contact").nth(2)
    expect(third_contact).not_to_have_attribute("open", "")  # collapsed until clicked

    fill_form(page, CLINIC_FORM)
    visit.shot("new-case-2-filled")
    page.get_by_role("button", name="Salvar", exact=True).click()

    flash = page.locator(".flash.success")
    expect(flash).to_have_text(SAVED)
    visit.shot("new-case-3-saved")
    case_id, number = SAVED.search(flash.inner_text()).groups()
    assert int(number) == cases_before + 1  # RET-<ano>-0001 when the session starts
    assert page.url == f"{server.url}/casos/{case_id}"
    expect(page.locator("h1 small")).to_have_text(case_id)
    row = server.row(case_id)
    assert row_as_read(row) == {h: _plain(v) for h, v in CLINIC_ROW.items()}


def test_a_wrong_cpf_is_explained_beside_it_with_the_cursor_there_and_nothing_lost(
    visit, server: Server
):
    rows_before = server.rows()
    form = {**CLINIC_FORM, "cpf": "529.982.247-26"}
    page = visit.goto("/casos/novo")
    fill_form(page, form)
    visit.shot("bad-cpf-1-filled")
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Salvar", exact=True).click()

    assert answer.value.status == 422
    expect(page.get_by_role("alert").first).to_contain_text("nada foi gravado ainda")
    visit.shot("bad-cpf-2-error-shown")
    cpf_field = page.locator(".field", has=page.locator("#cpf"))
    expect(cpf_field.locator(".errors")).to_have_text("CPF inválido: confira os dígitos.")
    expect(page.locator("#cpf")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.activeElement.id") == "cpf"
    for name, typed in form.items():
        assert shown_value(page, name, typed) == as_typed(typed), name
        expect(page.locator(f'[name="{name}"]').first).to_be_visible()
    assert server.rows() == rows_before


def test_an_edit_shows_on_the_case_page_and_changes_only_its_cells(
    visit, server: Server, case_id: str
):
    before = server.row(case_id)
    page = visit.goto(f"/casos/{case_id}/editar")
    expect(page.locator("#city")).to_have_value("CAMPO GRANDE")
    visit.shot("edit-1-form")
    page.get_by_label("Cidade", exact=True).fill("DOURADOS")
    page.get_by_label("Retenção Efetiva", exact=True).check()
    visit.shot("edit-2-filled")
    page.get_by_role("button", name="Salvar", exact=True).click()

    expect(page.locator(".flash.success")).to_have_text(UPDATED.format(case_id))
    visit.shot("edit-3-saved")
    expect(shown(page, "Cidade")).to_have_text("DOURADOS")
    expect(page.locator("li.on", has_text="Retenção Efetiva")).to_be_visible()
    after = server.row(case_id)
    assert after["Cidade"] == "DOURADOS"
    assert after["Status retenção"] == "Retenção Efetiva"
    assert after["Atualizado por"] == "Sara Supervisora"  # who is signed in
    changed = {h for h in after if after[h] != before.get(h)}
    assert changed - STAMPS == {"Cidade", "Status retenção"}  # stamps: same second, same value


def test_a_field_changed_in_excel_meanwhile_is_shown_side_by_side_and_saving_again_wins(
    visit, server: Server, case_id: str
):
    page = visit.goto(f"/casos/{case_id}/editar")
    page.get_by_label("Cidade", exact=True).fill("CORUMBÁ")
    visit.shot("conflict-1-edit-filled")
    server.sheet().set_cell(case_id, "Cidade", "TRÊS LAGOAS")  # a supervisor, in Excel
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Salvar", exact=True).click()

    assert answer.value.status == 409
    conflicts = page.locator(".conflicts")
    expect(conflicts).to_contain_text("Nada foi gravado")
    visit.shot("conflict-2-both-versions")
    expect(conflicts.locator("thead th")).to_have_text(
        ["Campo", "Sua versão", "Versão da planilha"]
    )
    expect(conflicts.locator("tbody tr")).to_have_count(1)
    expect(conflicts.locator("tbody tr td")).to_have_text(["Cidade", "CORUMBÁ", "TRÊS LAGOAS"])
    expect(page.get_by_label("Cidade", exact=True)).to_have_value("CORUMBÁ")
    assert server.row(case_id)["Cidade"] == "TRÊS LAGOAS"

    page.get_by_role("button", name="Salvar", exact=True).click()
    expect(page.locator(".flash.success")).to_have_text(UPDATED.format(case_id))
    visit.shot("conflict-3-saved-again")
    expect(shown(page, "Cidade")).to_have_text("CORUMBÁ")
    assert server.row(case_id)["Cidade"] == "CORUMBÁ"


def test_the_case_list_fits_a_phone_and_shows_the_status(phone: Visit):
    case_id = post_new_case(phone, CLINIC_FORM)
    page = phone.goto("/")
    phone.shot("phone-case-list")

    width = page.evaluate("window.innerWidth")
    assert width == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width
    page.evaluate("window.scrollTo(500, 0)")
    assert page.evaluate("window.scrollX") == 0
    card = page.locator(".case-card", has=page.get_by_role("link", name=case_id))
    status = card.locator(".chip")
    expect(status).to_be_visible()
    expect(status).to_have_text("Desligamento")
    box = status.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= width
    expect(page.locator("table.cases")).to_be_hidden()  # cards instead of a table


def test_the_board_shows_a_status_changed_in_excel_after_sincronizar(visit, server: Server):
    case_id = post_new_case(visit, another_dentist(start_date="06/02/2019"))
    page = visit.goto("/painel?de=06/02/2019&ate=06/02/2019")  # this test's case alone
    card = page.locator("section.lane", has_text="Aguardando assinatura").locator(
        "article.card", has_text=case_id
    )
    expect(card).to_contain_text("Desligamento")
    visit.shot("board-1-before")

    server.sheet().set_cell(case_id, "Status retenção", "Retenção Efetiva")  # in Excel
    page.get_by_role("button", name="Sincronizar agora").click()

    expect(page.locator(".flash.success")).to_contain_text("Sincronizado às")
    expect(card).to_contain_text("Retenção Efetiva")
    expect(card).to_contain_text("alterado na planilha")
    expect(page.locator("table", has_text="Notada em")).to_contain_text(
        "Status retenção Desligamento Retenção Efetiva"
    )
    visit.shot("board-2-after-sync")


def test_a_supervisor_signs_a_closed_case_off(visit, server: Server, case_id: str):
    page = visit.goto(f"/casos/{case_id}")
    page.get_by_role("link", name="Assinar como supervisor").click()
    page.get_by_role("button", name="Confirmar assinatura").click()
    page.get_by_role("button", name="Assinar mesmo assim").click()  # the seed's checklist: 5/8

    expect(page.locator(".flash.success").first).to_contain_text(f"Caso {case_id} assinado")
    expect(page.locator(".signatures")).to_contain_text("Sara Supervisora")
    expect(page.locator(".timeline")).to_contain_text(
        "Sara Supervisora alterou Assinatura supervisor"
    )
    visit.shot("case-signed-off")
    assert server.row(case_id)["Assinatura supervisor"] == "Sara Supervisora"


def test_the_print_page_draws_the_paper_form_with_its_boxes_and_signature_lines(
    visit, case_id: str
):
    page = visit.goto(f"/casos/{case_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Imprimir", exact=True).click()
    assert page.url.endswith(f"/casos/{case_id}/imprimir")
    expect(page.get_by_role("button", name="Imprimir")).to_be_visible()
    visit.shot("print-1-screen")
    page.set_viewport_size(A4_VIEWPORT)
    page.emulate_media(media="print")
    visit.shot("print-2-print-media")

    expect(page.get_by_role("navigation")).to_be_hidden()  # the toolbar stays off the paper
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulário - Processo de Retenção")
    areas = page.get_by_role("list", name="Áreas divulgadas").get_by_role("listitem")
    expect(areas).to_have_count(len(AREAS))
    for area, item in zip(AREAS, areas.all(), strict=True):
        expect(item).to_have_text(("☑ " if area in CLINIC_FORM["areas"] else "☐ ") + area)
        expect(item).to_be_visible()
    status = page.get_by_role("list", name="Status retenção")
    expect(status.locator("li.on")).to_have_text(["☑ Desligamento"])
    for signer, role in [("Beatriz Exemplo", "Colaborador"), ("", "Supervisor")]:
        block = page.locator(".signatures > div", has_text=role)
        expect(block.locator("strong")).to_have_text(signer)  # not signed off: a blank line
        line = block.locator(".line")
        assert line.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"
        box = line.bounding_box()
        assert box is not None and box["width"] > 200  # a line long enough to sign on
    expect(page.locator(".signatures .unsigned small")).to_have_text(
        "Supervisor · não assinado (Carlos Supervisor)"  # the typed Supervisor field
    )

    printed = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True))).pages  # Ctrl+P
    assert len(printed) >= 2
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in printed} == {
        (595, 842)
    }
    assert f"Página 1 de {len(printed)}" in printed[0].extract_text()


def test_a_pasted_whatsapp_chat_is_read_confirmed_and_saved_without_javascript(
    visit_without_scripts: Visit, server: Server
):
    visit = visit_without_scripts
    rows_before = server.rows()
    typed = {k: v for k, v in CLINIC_FORM.items() if k != "contacts-2-notes"}
    page = visit.goto("/casos/novo")
    fill_form(page, typed)
    contact = page.locator("details.contact").nth(2)
    contact.locator("summary").first.click()
    contact.get_by_text("Colar conversa do WhatsApp").click()
    contact.get_by_label("Conversa copiada do WhatsApp").fill(CONTACT_3)
    page.get_by_role("button", name="Salvar", exact=True).click()  # saving reads no chat

    paste = page.locator("#contacts-2-whatsapp")
    expect(page.locator("#contacts-2-whatsapp-erro")).to_contain_text("ainda não foi para as Obs.")
    expect(paste).to_have_value(CONTACT_3)
    expect(paste).to_be_focused()
    assert server.rows() == rows_before
    with page.expect_navigation() as answer:
        contact.get_by_role("button", name="Ler conversa").click()

    assert answer.value.status == 200
    assert page.url == f"{server.url}/casos/novo"
    preview = page.locator("#whatsapp-2 table.messages tbody tr")
    expect(preview).to_have_count(4)
    expect(preview.nth(2).locator("td")).to_have_text(
        ["16/05/2025", "12:34", "+55 67 90000-0001", "Olá É q estamos com agenda lotada No momento"]
    )
    use = page.get_by_role("button", name="Usar esta conversa")
    expect(use).to_be_focused()
    expect(use).to_be_in_viewport()
    expect(page.locator(".errors")).to_have_count(0)
    for name, value in typed.items():
        assert shown_value(page, name, value) == as_typed(value), name
    assert server.rows() == rows_before
    visit.shot("whatsapp-1-chat-read")
    use.click()

    expect(page.locator("#contacts-2-day")).to_have_value("09/05/2025")
    expect(page.locator("#contacts-2-channel")).to_have_value("WhatsApp")
    expect(page.locator("#contacts-2-notes")).to_have_value(CONTACT_3)
    expect(paste).to_have_value("")
    notice = page.locator("#whatsapp-2 .flash")
    expect(notice).to_contain_text("Nada foi gravado ainda")
    expect(notice).to_be_focused()
    expect(notice).to_be_in_viewport()
    visit.shot("whatsapp-2-chat-used")
    page.get_by_role("button", name="Salvar", exact=True).click()

    flash = page.locator(".flash.success")
    expect(flash).to_have_text(SAVED)
    visit.shot("whatsapp-3-saved")
    case_id = SAVED.search(flash.inner_text()).group(1)
    assert page.url == f"{server.url}/casos/{case_id}"
    assert row_as_read(server.row(case_id)) == {
        **{h: _plain(v) for h, v in CLINIC_ROW.items()},
        "3º contato - Data": date(2025, 5, 9),
        "3º contato - Canal": "WhatsApp",
    }
