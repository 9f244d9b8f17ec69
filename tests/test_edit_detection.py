"""People's edits in the Google Sheet reach the app in seconds, through the sheet's Apps Script.

The stand-in's Drive ``modifiedTime`` lags 180 s as on Google and is not used. With the script
installed, a person's edit is logged in the hidden ``_retencao`` tab; the app's check reads that
log (one small ``values.get``) and then only the rows it names (one ``values.batchGet``).
"""

from urllib.parse import unquote

import pytest

from sheets.google_client import Quota
from tests.conftest import TAB, created_id, post_new
from tests.html import text
from tests.test_google_backend import cell_of
from tests.test_sheet_edited_by_people import add_cases, edit_data

pytestmark = pytest.mark.parametrize("backend_kind", ["google"])


@pytest.fixture
def now(book) -> list[float]:
    """The sync's clock, moved by hand: checks every 10 s, a full read every 120 s."""
    moment = [1000.0]
    book.sync.monotonic = lambda: moment[0]
    book.sync.max_age, book.sync.full_every = 10, 120
    return moment


@pytest.fixture
def scripted(standin, sheet) -> None:
    """A supervisor pasted the script and reopened the sheet."""
    standin.install_script(sheet.key)
    standin.person_open(sheet.key)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return text(response.get_data(as_text=True))


def whole_tab_reads(standin) -> int:
    """``values.get`` calls of the whole cases tab (not of the edit log)."""
    return sum(
        call.kind == "values_get" and "_retencao" not in unquote(call.path)
        for call in standin.calls
    )


def test_a_status_changed_in_the_sheet_shows_within_ten_seconds(
    client, clinic_form, now, scripted, standin, sheet
):
    case_id = created_id(post_new(client, {**clinic_form, "status": "Em andamento"}))
    page(client, "/painel")
    sheet.set_cell(case_id, "Status retenção", "Desligamento")
    standin.reset_calls()

    now[0] += 9.9
    before = page(client, f"/casos/{case_id}")
    now[0] += 0.1
    after = page(client, f"/casos/{case_id}")

    assert "☐ Desligamento" in before  # the snapshot was checked less than 10 s ago
    assert "☑ Desligamento" in after
    assert standin.count() == 2  # one look at the log, one read of the edited row
    assert standin.count("values_get") == standin.count("values_batch_get") == 1
    assert whole_tab_reads(standin) == 0
    assert "Detecção mais lenta" not in after


def test_a_checkbox_ticked_in_the_sheet_shows_within_ten_seconds(
    client, clinic_form, now, scripted, standin, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    page(client, f"/casos/{case_id}")
    standin.person_tick(sheet.key, TAB, cell_of(sheet, 2, "Ofertado Suporte"), True)
    standin.reset_calls()

    now[0] += 10

    assert "☑ Ofertado Suporte" in page(client, f"/casos/{case_id}")
    assert whole_tab_reads(standin) == 0


def test_the_board_lists_a_change_made_in_the_sheet_once(client, clinic_form, now, scripted, sheet):
    case_id = created_id(post_new(client, {**clinic_form, "status": "Em andamento"}))
    page(client, "/painel")
    sheet.set_cell(case_id, "Cidade", "DOURADOS")

    now[0] += 10
    board = page(client, "/painel")
    now[0] += 10
    again = page(client, "/painel")

    assert board.count("DOURADOS") == 1
    assert again.count("DOURADOS") == 1


def test_a_block_pasted_over_two_cases_is_read_in_one_call(
    client, clinic_form, now, scripted, standin, sheet
):
    ids = add_cases(client, clinic_form, ["ANA", "BIA", "CAROL"])
    page(client, "/")
    top = cell_of(sheet, 3, "Cidade")
    standin.person_paste(sheet.key, TAB, top, [["DOURADOS"], ["CORUMBÁ"]])
    standin.reset_calls()

    now[0] += 10
    listing = page(client, "/")

    assert "Cidade DOURADOS" in page(client, f"/casos/{ids['BIA']}")
    assert "Cidade CORUMBÁ" in page(client, f"/casos/{ids['CAROL']}")
    assert "Cidade CAMPO GRANDE" in page(client, f"/casos/{ids['ANA']}")
    assert "ANA" in listing
    assert standin.count("values_batch_get") == 1 and whole_tab_reads(standin) == 0


def test_rows_sorted_after_an_edit_make_the_check_read_the_whole_tab(
    client, clinic_form, now, scripted, standin, sheet
):
    ids = add_cases(client, clinic_form, ["ANA", "BIA", "CAROL"])
    page(client, "/")
    sheet.set_cell(ids["ANA"], "Cidade", "DOURADOS")
    name = sheet.grid()[0].index("Nome dentista") + 1
    standin.person_sort(sheet.key, TAB, by_col=name, descending=True)  # fires no onEdit
    standin.reset_calls()

    now[0] += 10

    assert "DOURADOS" in page(client, f"/casos/{ids['ANA']}")
    assert "DOURADOS" not in page(client, f"/casos/{ids['CAROL']}")
    assert whole_tab_reads(standin) == 1  # the logged row no longer holds ANA's case


def test_a_deleted_row_shows_at_the_scheduled_full_read(
    client, clinic_form, now, scripted, standin, sheet
):
    ids = add_cases(client, clinic_form, ["ANA", "BIA"])
    page(client, "/")
    sheet.delete_case_row(ids["ANA"])  # fires no onEdit: only a full read can tell

    now[0] += 119
    before = page(client, "/")
    now[0] += 10  # the next check: the last full read is now over 120 s old
    after = page(client, "/")

    assert ids["ANA"] in before
    assert ids["ANA"] not in after and ids["BIA"] in after


def test_without_the_script_the_footer_says_detection_is_slower(
    client, clinic_form, now, standin, sheet
):
    created_id(post_new(client, clinic_form))
    slow = page(client, "/")
    standin.install_script(sheet.key)
    standin.person_open(sheet.key)  # the supervisor reloads the sheet after pasting it

    now[0] += 10
    watched = page(client, "/")

    assert "Detecção mais lenta" in slow and "em até 2 min" in slow
    assert "Detecção mais lenta" not in watched


def test_change_detection_reads_at_most_twelve_times_a_minute(
    client, clinic_form, now, scripted, standin, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    page(client, "/painel")
    standin.reset_calls()

    for second in range(60):  # a board reloaded every second, an edit every 5 s
        if second % 5 == 0:
            sheet.set_cell(case_id, "Cidade", f"CIDADE {second}")
        now[0] += 1
        page(client, "/painel")

    assert standin.count() == standin.count("values_get", "values_batch_get") <= 12
    assert "CIDADE 55" in page(client, f"/casos/{case_id}")


def test_sheet_init_creates_the_hidden_edit_log_at_revision_zero(app, standin, sheet):
    grid = standin.grid(sheet.key, "_retencao")

    assert grid[0] == ["Revisão", 0]
    assert grid[1] == ["Versão do script"]
    assert grid[2][:4] == ["Revisão", "Primeira linha", "Última linha", "IDs"]


def test_sheet_script_prints_the_script_for_the_configured_tab(app):
    result = app.test_cli_runner().invoke(args=["sheet", "script"])

    assert result.exit_code == 0, result.output
    assert "function onEdit(e)" in result.stdout
    assert 'var CASES_TAB = "Casos";' in result.stdout
    assert "Extensões → Apps Script" in result.stderr


@pytest.mark.parametrize(
    "rearrange",
    [
        lambda standin, key, grid: standin.person_sort(
            key, TAB, by_col=grid[0].index("Nome dentista") + 1, descending=True
        ),
        lambda standin, key, grid: standin.person_insert_rows(key, TAB, before_row=2, count=2),
        lambda standin, key, grid: standin.person_move_column(
            key, TAB, from_col=grid[0].index("ID do caso") + 1, to_col=len(grid[0])
        ),
        lambda standin, key, grid: standin.person_move_column(
            key, TAB, from_col=grid[0].index("Cidade") + 1, to_col=1
        ),
    ],
    ids=["sorted", "rows-inserted-above", "id-column-moved", "column-moved"],
)
def test_an_edit_lands_in_its_cells_when_the_sheet_changed_between_load_and_save(
    client, clinic_form, standin, sheet, rearrange
):
    open_case = {**clinic_form, "status": "Em andamento", "end_date": ""}
    ids = add_cases(client, open_case, ["ANA", "BIA", "CAROL"])
    data = edit_data(client, ids["ANA"], open_case, dentist_name="ANA", city="DOURADOS")
    rearrange(standin, sheet.key, sheet.grid())
    before = {row["ID do caso"]: row for row in sheet.rows()}

    response = client.post(f"/casos/{ids['ANA']}/editar", data=data)

    assert response.status_code == 302
    after = {row["ID do caso"]: row for row in sheet.rows()}
    assert after[ids["ANA"]]["Cidade"] == "DOURADOS"
    assert after[ids["BIA"]] == before[ids["BIA"]]
    assert after[ids["CAROL"]] == before[ids["CAROL"]]
    assert "DOURADOS" in page(client, f"/casos/{ids['ANA']}")


def test_a_save_reads_the_header_the_ids_and_its_row_not_the_whole_tab(
    book, client, clinic_form, standin, sheet
):
    book.sync.max_age = book.sync.full_every = 3600
    book.backend.reads = Quota("leituras", 1000)  # 40 saves in a moment: not this test's point
    ids = add_cases(client, clinic_form, [f"DENTISTA {n}" for n in range(40)])
    page(client, "/")
    case_id = ids["DENTISTA 7"]
    data = edit_data(client, case_id, clinic_form, dentist_name="DENTISTA 7", city="DOURADOS")
    standin.reset_calls()
    book.sync.refresh(full=True)
    whole = standin.bytes("values_get")
    standin.reset_calls()

    client.post(f"/casos/{case_id}/editar", data=data)

    assert standin.count() == standin.count("values_batch_get", "values_batch_update") == 2
    [read] = [call for call in standin.calls if call.kind == "values_batch_get"]
    assert [unquote(r) for r in read.params["ranges"]][0] == f"'{TAB}'!1:1"
    assert standin.bytes("values_batch_get") * 10 < whole
