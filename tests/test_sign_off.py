"""Sign-off: a confirmation that shows the checklist and takes a comment; an incomplete
checklist needs "assinar mesmo assim"; the comment and the skipped steps go to the history."""

import openpyxl
import pytest

from retention.choices import ACTIONS, REASONS
from sheets import get_book
from tests.conftest import created_id, post_new, sign_in
from tests.html import text

pytestmark = pytest.mark.parametrize("backend_kind", ["local"])
COMPLETE = {"actions": [ACTIONS[0]], "reasons": [REASONS[0]]}  # the seed lacks only these
COMMENT = "Comentário assinatura supervisor"


def case_of(app, case_id: str):
    with app.app_context():
        return get_book().get(case_id)


def page_text(response) -> str:
    return text(response.get_data(as_text=True))


def test_the_confirmation_shows_the_checklist_and_what_is_missing(client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    page = page_text(client.get(f"/casos/{case_id}/assinar"))

    assert f"Assinar o caso {case_id}" in page
    assert "Checklist do processo 5/8" in page
    assert "☑ Prints no protocolo" in page and "☐ Ofertas de retenção registradas" in page
    assert (
        "Checklist incompleto (5/8): Ofertas de retenção registradas;"
        " Motivo do desligamento registrado." in page
    )
    assert "Comentário da assinatura (opcional)" in page
    assert "Confirmar assinatura" in page and "Assinar mesmo assim" not in page


def test_an_incomplete_checklist_needs_assinar_mesmo_assim(app, client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    first = client.post(f"/casos/{case_id}/assinar", data={"comentario": "Conferido por telefone."})

    assert first.status_code == 200
    page = page_text(first)
    assert "O caso não foi assinado" in page and "Assinar mesmo assim" in page
    assert "Conferido por telefone." in page  # the comment is kept
    assert not case_of(app, case_id).is_signed

    second = client.post(
        f"/casos/{case_id}/assinar",
        data={"comentario": "Conferido por telefone.", "mesmo_assim": "1"},
    )

    assert second.headers["Location"] == f"/casos/{case_id}"
    assert case_of(app, case_id).supervisor_signature == "Sara Supervisora"
    timeline = page_text(client.get(f"/casos/{case_id}")).split("Histórico")[-1]
    assert "Sara Supervisora (comentário da assinatura): Conferido por telefone." in timeline
    assert (
        "Sara Supervisora (assinado com o checklist incompleto): faltava: Ofertas de retenção"
        " registradas; Motivo do desligamento registrado" in timeline
    )


def test_a_complete_checklist_signs_at_the_first_confirmation(app, client, clinic_form):
    case_id = created_id(post_new(client, {**clinic_form, **COMPLETE}))
    confirmation = page_text(client.get(f"/casos/{case_id}/assinar"))
    assert "Checklist do processo 7/8" in confirmation
    assert "Checklist incompleto" not in confirmation

    signed = client.post(f"/casos/{case_id}/assinar", data={"comentario": ""})

    assert signed.headers["Location"] == f"/casos/{case_id}"
    assert case_of(app, case_id).is_signed
    page = page_text(client.get(f"/casos/{case_id}"))
    assert "Checklist do processo 8/8" in page
    assert "(comentário da assinatura)" not in page  # no comment, no entry
    assert "(assinado com o checklist incompleto)" not in page


def test_the_case_page_leads_to_the_confirmation_not_to_a_signature(app, client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    page = client.get(f"/casos/{case_id}").get_data(as_text=True)

    assert f'<a class="button" href="/casos/{case_id}/assinar">Assinar como supervisor</a>' in page
    assert not case_of(app, case_id).is_signed


def test_only_a_supervisor_reaches_the_confirmation(app, clinic_form):
    analyst = sign_in(app, "analista")
    case_id = created_id(post_new(analyst, clinic_form))

    assert analyst.get(f"/casos/{case_id}/assinar").status_code == 403
    refused = analyst.post(f"/casos/{case_id}/assinar", data={"mesmo_assim": "1"})
    assert refused.status_code == 403
    assert not case_of(app, case_id).is_signed


def test_a_signed_case_is_not_signed_twice(app, client, clinic_form):
    case_id = created_id(post_new(client, {**clinic_form, **COMPLETE}))
    client.post(f"/casos/{case_id}/assinar")

    again = client.get(f"/casos/{case_id}/assinar")

    assert again.headers["Location"] == f"/casos/{case_id}"
    assert "O caso já foi assinado por Sara Supervisora" in page_text(
        client.get(f"/casos/{case_id}")
    )


def test_the_comment_is_kept_beside_the_signature_in_the_sheet_and_leaves_with_it(
    client, clinic_form, sheet
):
    case_id = created_id(post_new(client, {**clinic_form, **COMPLETE}))

    client.post(f"/casos/{case_id}/assinar", data={"comentario": "=Tudo conferido."})

    [row] = sheet.rows()
    assert row["Assinatura supervisor"] == "Sara Supervisora"
    assert row[COMMENT] == "=Tudo conferido."  # text, not a formula
    page = page_text(client.get(f"/casos/{case_id}"))
    assert "Assinado por Sara Supervisora em" in page and "Comentário: =Tudo conferido." in page

    client.post(f"/casos/{case_id}/reabrir")

    [row] = sheet.rows()
    assert row["Assinatura supervisor"] in (None, "")
    assert row[COMMENT] in (None, "")


def test_a_sheet_made_before_the_comment_column_gets_it_at_the_first_commented_sign_off(
    client, clinic_form, sheet, workbook_path
):
    case_id = created_id(post_new(client, {**clinic_form, **COMPLETE}))
    workbook = openpyxl.load_workbook(workbook_path)
    tab = workbook["Casos"]
    headers = [cell.value for cell in tab[1]]
    tab.delete_cols(headers.index(COMMENT) + 1)  # the sheet as it was before this column
    workbook.save(workbook_path)
    assert COMMENT not in sheet.grid()[0]

    client.post(f"/casos/{case_id}/assinar", data={"comentario": "Conferido."})

    header = sheet.grid()[0]
    assert header[-1] == COMMENT  # added after the last column
    [row] = sheet.rows()
    assert (row["Assinatura supervisor"], row[COMMENT]) == ("Sara Supervisora", "Conferido.")
