"""The sheet is shared: people reorder columns, sort rows, add columns and edit cells."""

import re

import openpyxl
import pytest

from sheets import get_book
from tests.conftest import FOREIGN, created_id, post_new, sign_in
from tests.html import hidden_value, text


def add_cases(client, clinic_form, names):
    return {
        name: created_id(post_new(client, {**clinic_form, "dentist_name": name})) for name in names
    }


def edit_data(client, case_id, form, **changes):
    """What the browser posts: the loaded form, the user's changes, the hidden base."""
    page = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
    return {**form, **changes, "base": hidden_value(page, "base")}


def test_edit_lands_in_right_row_and_cells_after_people_rearranged_the_sheet(
    app, client, clinic_form, sheet
):
    open_case = {**clinic_form, "status": "Em andamento", "end_date": ""}
    ids = add_cases(client, open_case, ["ANA", "BEATRIZ", "CLARA"])
    sheet.rearrange()
    before = {row["ID do caso"]: row for row in sheet.rows()}
    header_before = sheet.grid()[0]

    analyst = sign_in(app, "analista")  # someone else than who created the cases
    data = edit_data(analyst, ids["BEATRIZ"], open_case, dentist_name="BEATRIZ", city="DOURADOS")
    response = analyst.post(f"/casos/{ids['BEATRIZ']}/editar", data=data)

    assert response.status_code == 302
    after = {row["ID do caso"]: row for row in sheet.rows()}
    changed = {
        header
        for header in after[ids["BEATRIZ"]]
        if after[ids["BEATRIZ"]][header] != before[ids["BEATRIZ"]][header]
    }
    # "Atualizado em" keeps its value when the edit falls in the same second as the creation.
    assert {"Cidade", "Atualizado por"} <= changed <= {"Cidade", "Atualizado por", "Atualizado em"}
    assert after[ids["BEATRIZ"]]["Cidade"] == "DOURADOS"
    assert after[ids["ANA"]] == before[ids["ANA"]]
    assert after[ids["CLARA"]] == before[ids["CLARA"]]
    assert [row[FOREIGN] for row in after.values()] == [row[FOREIGN] for row in before.values()]
    assert sheet.grid()[0] == header_before


def test_new_case_after_rearranging_goes_below_and_fills_the_right_columns(
    client, clinic_form, sheet
):
    add_cases(client, clinic_form, ["ANA", "BEATRIZ"])
    sheet.rearrange()

    new_id = created_id(post_new(client, {**clinic_form, "dentist_name": "DÉBORA"}))

    rows = sheet.rows()
    assert [r["Nome dentista"] for r in rows] == ["BEATRIZ", "ANA", "DÉBORA"]
    assert rows[-1]["ID do caso"] == new_id == "RET-" + new_id[4:8] + "-0003"
    assert rows[-1][FOREIGN] is None
    assert rows[-1]["CPF"] == "52998224725"


def test_supervisor_edit_in_the_sheet_shows_in_the_app(client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))
    assert "Desligamento" in text(client.get(f"/casos/{case_id}").get_data(as_text=True))

    sheet.set_cell(case_id, "Status retenção", "Retenção Efetiva")

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "☑ Retenção Efetiva" in page
    assert "☐ Desligamento" in page


def test_field_changed_in_sheet_and_not_by_user_is_kept(client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))
    data = edit_data(client, case_id, clinic_form, city="DOURADOS")
    sheet.set_cell(case_id, "Supervisor", "Supervisora Nova")

    response = client.post(f"/casos/{case_id}/editar", data=data)

    assert response.status_code == 302
    [row] = sheet.rows()
    assert row["Cidade"] == "DOURADOS"
    assert row["Supervisor"] == "Supervisora Nova"


def conflict_page(client, clinic_form, sheet):
    """A user edits Cidade and Supervisor while a supervisor changes Cidade in the sheet."""
    case_id = created_id(post_new(client, clinic_form))
    data = edit_data(client, case_id, clinic_form, city="CORUMBÁ", supervisor="Carla")
    sheet.set_cell(case_id, "Cidade", "DOURADOS")
    return case_id, data, client.post(f"/casos/{case_id}/editar", data=data)


def test_same_field_changed_on_both_sides_shows_both_and_writes_nothing(client, clinic_form, sheet):
    _case_id, _data, response = conflict_page(client, clinic_form, sheet)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    row = re.search(r"<td>Cidade</td>(.*?)</tr>", page, re.S).group(1)
    assert re.search(r'value="minha" checked> CORUMBÁ', row)
    assert re.search(r'value="planilha"> DOURADOS', row)
    assert 'value="CORUMBÁ"' in page  # the user's input is kept in the form
    [stored] = sheet.rows()
    assert stored["Cidade"] == "DOURADOS"
    assert stored["Supervisor"] == "Carlos Supervisor"


@pytest.mark.parametrize(("choice", "city"), [("minha", "CORUMBÁ"), ("planilha", "DOURADOS")])
def test_the_chosen_version_is_written_and_the_other_fields_merge(
    client, clinic_form, sheet, choice, city
):
    case_id, data, response = conflict_page(client, clinic_form, sheet)
    page = response.get_data(as_text=True)

    again = client.post(
        f"/casos/{case_id}/editar",
        data={**data, "base": hidden_value(page, "base"), "resolver:Cidade": choice},
    )

    assert again.status_code == 302
    [stored] = sheet.rows()
    assert stored["Cidade"] == city
    assert stored["Supervisor"] == "Carla"


def test_saving_an_unchanged_form_writes_nothing(client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))
    before = sheet.grid()

    response = client.post(f"/casos/{case_id}/editar", data=edit_data(client, case_id, clinic_form))

    assert response.status_code == 302
    assert sheet.grid() == before
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nenhuma alteração para salvar." in follow


def test_case_deleted_from_sheet_is_reported_not_recreated(client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))
    data = edit_data(client, case_id, clinic_form, city="DOURADOS")
    sheet.delete_case_row(case_id)

    response = client.post(f"/casos/{case_id}/editar", data=data)

    assert response.status_code == 404
    assert f"O caso {case_id} não foi encontrado na planilha." in response.get_data(as_text=True)
    assert sheet.rows() == []


@pytest.mark.parametrize("backend_kind", ["local"])
def test_unchanged_form_leaves_the_workbook_file_untouched(client, clinic_form, workbook_path):
    case_id = created_id(post_new(client, clinic_form))
    stamp = workbook_path.stat().st_mtime_ns

    client.post(f"/casos/{case_id}/editar", data=edit_data(client, case_id, clinic_form))

    assert workbook_path.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("backend_kind", ["local"])
@pytest.mark.parametrize("lock_name", ["~$casos.xlsx", ".~lock.casos.xlsx#"])
def test_workbook_open_in_excel_keeps_the_case_waiting_then_writes_it_once(
    app, client, clinic_form, sheet, lock_name
):
    add_cases(client, clinic_form, ["ANA"])
    lock = sheet.path.parent / lock_name
    lock.write_text("owner")

    response = post_new(client, {**clinic_form, "dentist_name": "BEATRIZ"})

    case_id = created_id(response)
    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "aguardando envio à planilha" in page
    assert "está aberta no Excel ou LibreOffice" in page
    assert "Nome dentista BEATRIZ" in page
    assert "aguardando envio" in text(client.get("/").get_data(as_text=True))
    assert len(sheet.rows()) == 1

    lock.unlink()
    with app.app_context():
        assert get_book().flush() is None
        assert get_book().flush() is None

    rows = sheet.rows()
    assert [r["Nome dentista"] for r in rows] == ["ANA", "BEATRIZ"]
    assert rows[1]["ID do caso"] == case_id
    assert "aguardando envio" not in text(client.get(f"/casos/{case_id}").get_data(as_text=True))


@pytest.mark.parametrize("backend_kind", ["local"])
def test_unreadable_workbook_gives_a_message_not_a_crash_and_keeps_the_case(
    client, clinic_form, workbook_path
):
    workbook_path.write_bytes(b"not a spreadsheet")

    listing = client.get("/")
    submitted = post_new(client, clinic_form)

    assert listing.status_code == 503
    assert "não é um .xlsx válido" in text(listing.get_data(as_text=True))
    case_page = text(client.get(f"/casos/{created_id(submitted)}").get_data(as_text=True))
    assert "aguardando envio à planilha" in case_page
    assert "Nome dentista MARIA FICTICIA LIMA" in case_page
    assert workbook_path.read_bytes() == b"not a spreadsheet"


@pytest.mark.parametrize("backend_kind", ["local"])
def test_missing_tab_is_named_in_the_message(client, workbook_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Planilha1"
    workbook.save(workbook_path)

    response = client.get("/")

    assert response.status_code == 503
    assert 'A aba "Casos" não existe' in text(response.get_data(as_text=True))
