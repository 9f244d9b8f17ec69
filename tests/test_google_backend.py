"""The Google Sheets backend on the stand-in: typed cells, setup, call budget, faults."""

import logging
from dataclasses import replace
from urllib.parse import unquote

import pytest
from gspread.utils import rowcol_to_a1

from app import create_app
from sheets import codec, get_book
from sheets.columns import HEADERS
from sheets.planning import fingerprint
from sheets.table import Append
from tests.conftest import SERVICE_ACCOUNT, TAB, created_id, post_new, sign_in
from tests.html import hidden_value, text
from tests.sample import full_case

pytestmark = pytest.mark.parametrize("backend_kind", ["google"])

FORMULA = '=IMPORTXML("http://x","//a")'


def cell_of(sheet, row: int, header: str) -> str:
    """The A1 address of ``header``'s cell in sheet row ``row``."""
    return rowcol_to_a1(row, sheet.grid()[0].index(header) + 1)


def test_text_stays_text_and_formulas_are_never_evaluated(client, clinic_form, standin, sheet):
    form = {**clinic_form, "person_type": "F", "cpf": "012.345.678-90", "contacts-0-notes": FORMULA}
    case_id = created_id(post_new(client, form))

    [row] = sheet.rows()
    assert row["CPF"] == "01234567890"
    assert row["1º contato - Obs."] == FORMULA
    assert not standin.is_formula(sheet.key, TAB, cell_of(sheet, 2, "1º contato - Obs."))
    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "CPF 012.345.678-90" in page
    assert FORMULA in page


def test_cells_are_typed_for_people_to_sort_and_tick(client, clinic_form, sheet):
    created_id(post_new(client, {**clinic_form, "actions": ["Ofertado Suporte"]}))

    header, row = sheet.grid()
    cells = dict(zip(header, row, strict=False))
    assert cells["Data início"] == 45779  # 02/05/2025 as a date serial number: it sorts
    assert cells["Nº de vidas"] == 1971
    assert cells["Moeda"] == pytest.approx(0.3)
    assert cells["Ofertado Suporte"] is True
    assert cells["Ofertado Novos Valores"] is False
    assert cells["CNPJ"] == "11222333000181"


def test_round_trip_keeps_every_field(book):
    case = full_case()
    book.backend.write(lambda _table: Append((codec.encode(case),)))

    [(_row, values)] = list(book.backend.read().records())
    assert codec.decode(values) == case


def setup_snapshot(standin, sheet) -> dict:
    """Every app column's validation rule and number format, by header."""
    return {
        header: (
            standin.validation(sheet.key, TAB, cell_of(sheet, 2, header)),
            standin.number_format(sheet.key, TAB, cell_of(sheet, 2, header)),
        )
        for header in HEADERS
    }


@pytest.mark.slow
def test_sheet_init_twice_gives_one_header_row_and_the_same_rules(app, standin, sheet):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["sheet", "init"])
    snapshot = setup_snapshot(standin, sheet)
    second = runner.invoke(args=["sheet", "init"])

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "Colunas adicionadas: 0." in second.output
    assert setup_snapshot(standin, sheet) == snapshot
    assert sheet.grid() == [list(HEADERS)]
    assert standin.frozen_rows(sheet.key, TAB) == 1
    [protection] = standin.protected_ranges(sheet.key, TAB)
    assert protection["warningOnly"] is True


def test_sheet_init_sets_dropdowns_checkboxes_and_formats(app, standin, sheet):
    def rule(header):
        return standin.validation(sheet.key, TAB, cell_of(sheet, 2, header))

    assert rule("Status retenção")["condition"]["type"] == "ONE_OF_LIST"
    ufs = [v["userEnteredValue"] for v in rule("UF")["condition"]["values"]]
    assert ufs[:3] == ["AC", "AL", "AM"] and len(ufs) == 27
    assert rule("Ofertado Suporte")["condition"]["type"] == "BOOLEAN"
    assert rule("Nome dentista") is None
    date_format = standin.number_format(sheet.key, TAB, cell_of(sheet, 500, "Data início"))
    assert date_format == {"type": "DATE", "pattern": "dd/mm/yyyy"}
    assert standin.number_format(sheet.key, TAB, cell_of(sheet, 500, "CPF"))["type"] == "TEXT"


def test_sheet_init_moves_nothing_a_person_arranged(app, standin, sheet):
    standin.person_insert_column(sheet.key, TAB, before_col=1, header="Minha coluna")
    standin.person_type(sheet.key, TAB, "A2", "minha nota")
    standin.person_move_column(sheet.key, TAB, from_col=10, to_col=2)
    before = sheet.grid()

    result = app.test_cli_runner().invoke(args=["sheet", "init"])

    assert result.exit_code == 0, result.output
    assert sheet.grid() == before


def test_sheet_init_creates_a_missing_tab(app, standin):
    key = standin.create_spreadsheet(
        title="Nova", worksheets=("Planilha1",), shared_with=(SERVICE_ACCOUNT,)
    )
    fresh = create_app({**app.config, "GOOGLE_SHEET_ID": key})

    result = fresh.test_cli_runner().invoke(args=["sheet", "init"])

    assert result.exit_code == 0, result.output
    assert 'Aba "Casos" criada.' in result.output
    assert standin.grid(key, TAB) == [list(HEADERS)]
    assert standin.grid(key, "Planilha1") == []


def test_saving_a_new_case_takes_three_sheets_calls_and_an_edit_two(client, book, standin):
    book.sync.max_age = 3600  # the snapshot is fresh, as within 30 s of the last page
    client.get("/")
    standin.reset_calls()
    saved = book.add(full_case(case_id=""), "Ana")
    # IDs and keys read, the append, and the IDs read back (another server's save)
    assert standin.count() == standin.count("values_batch_get", "values_append") == 3

    standin.reset_calls()
    edited = replace(saved.case, city="Dourados")
    book.update(saved.case.case_id, edited, fingerprint(saved.case), "Bia")
    assert standin.count() == standin.count("values_batch_get", "values_batch_update") == 2
    assert book.get(saved.case.case_id).city == "Dourados"


def test_pages_cost_no_call_while_the_snapshot_is_fresh(client, clinic_form, book, standin):
    case_id = created_id(post_new(client, clinic_form))
    client.get("/")
    book.sync.max_age = 3600
    standin.reset_calls()

    for page in ("/", f"/casos/{case_id}", f"/casos/{case_id}/editar"):
        assert client.get(page).status_code == 200

    assert standin.count() == 0


def test_an_unchanged_sheet_costs_one_read_of_the_edit_log_per_check(
    book, client, clinic_form, standin
):
    book.sync.full_every = 3600  # the last full read is recent
    created_id(post_new(client, clinic_form))
    client.get("/")
    standin.reset_calls()

    client.get("/")

    assert standin.count() == standin.count("values_get") == 1
    [call] = standin.calls
    assert "_retencao" in unquote(call.path)


def test_without_the_script_a_person_edit_shows_at_the_next_full_read(
    book, client, clinic_form, standin, sheet
):
    now = [1000.0]
    book.sync.monotonic = lambda: now[0]
    book.sync.full_every = 120
    case_id = created_id(post_new(client, clinic_form))
    client.get("/")
    sheet.set_cell(case_id, "Cidade", "DOURADOS")
    now[0] += 119
    standin.reset_calls()

    before = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    now[0] += 1
    after = text(client.get(f"/casos/{case_id}").get_data(as_text=True))

    assert "Cidade DOURADOS" not in before  # no script installed: nothing logs the edit
    assert "Cidade DOURADOS" in after
    assert "Detecção mais lenta" in before and "em até 2 min" in before
    assert standin.count() == standin.count("values_get") == 3  # 2 log checks, 1 full read


def test_rate_limited_for_three_calls_the_save_succeeds_after_backoff(
    client, clinic_form, standin, sheet
):
    standin.fail_next(3, status=429)

    case_id = created_id(post_new(client, clinic_form))

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert f"Caso {case_id} salvo na planilha." in page
    assert [row["ID do caso"] for row in sheet.rows()] == [case_id]


def test_google_down_keeps_the_case_and_a_flush_writes_it_once(
    app, client, clinic_form, standin, sheet
):
    standin.go_down(status=503)

    case_id = created_id(post_new(client, clinic_form))

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "aguardando envio à planilha" in page
    assert "fora do ar" in page
    assert "Nome dentista MARIA FICTICIA LIMA" in page
    assert sheet.rows() == []

    standin.come_up()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["sheet", "flush"])
    second = runner.invoke(args=["sheet", "flush"])

    assert first.exit_code == 0, first.output
    assert "Enviados: 1. Na fila: 0." in first.output
    assert "Enviados: 0. Na fila: 0." in second.output
    assert [row["ID do caso"] for row in sheet.rows()] == [case_id]
    assert "aguardando envio" not in text(client.get(f"/casos/{case_id}").get_data(as_text=True))


def test_cases_queued_while_google_is_down_are_sent_in_order(
    app, client, clinic_form, standin, sheet
):
    standin.go_down()
    ids = [
        created_id(post_new(client, {**clinic_form, "dentist_name": name}))
        for name in ("ANA", "BIA", "CAROL")
    ]
    assert "aguardando envio" in text(client.get("/").get_data(as_text=True))

    standin.come_up()
    with app.app_context():
        assert get_book().flush() is None

    assert [row["ID do caso"] for row in sheet.rows()] == ids
    assert [row["Nome dentista"] for row in sheet.rows()] == ["ANA", "BIA", "CAROL"]


def test_an_edit_queued_while_google_is_down_is_applied_later(
    app, client, clinic_form, standin, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    page = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)
    standin.go_down()

    data = {**clinic_form, "city": "DOURADOS", "base": hidden_value(page, "base")}
    response = client.post(f"/casos/{case_id}/editar", data=data)

    assert response.status_code == 302
    assert "aguardando envio" in text(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )
    standin.come_up()
    with app.app_context():
        assert get_book().flush() is None
    assert sheet.rows()[0]["Cidade"] == "DOURADOS"
    assert sheet.rows()[0]["Atualizado por"] == "Sara Supervisora"


def test_a_lost_answer_to_a_confirmed_append_is_not_written_twice(
    app, client, clinic_form, standin, sheet
):
    standin.lose_next_answers(1, kinds=("values_append",))

    case_id = created_id(post_new(client, clinic_form))

    assert [row["ID do caso"] for row in sheet.rows()] == [case_id]
    with app.app_context():
        assert get_book().outbox.entries() == []
        assert get_book().flush() is None
    assert len(sheet.rows()) == 1


def test_rate_limit_that_outlasts_the_retries_keeps_the_case_waiting(
    client, clinic_form, standin, sheet
):
    standin.fail_next(50, status=429)

    case_id = created_id(post_new(client, clinic_form))

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))
    assert "limite de uso por minuto" in page
    assert sheet.rows() == []


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("unknown_key", "não encontrada. Confira GOOGLE_SHEET_ID"),
        ("not_shared", f"Compartilhe a planilha com {SERVICE_ACCOUNT} como Editor."),
        ("missing_tab", 'A aba "Casos" não existe na planilha. Rode `flask sheet init`'),
        ("missing_key_file", "Não foi possível ler a chave da conta de serviço"),
    ],
)
def test_configuration_problems_are_explained_in_portuguese(
    app, standin, tmp_path, clinic_form, caplog, breakage, message
):
    config = {**app.config, "RETENCAO_OUTBOX": str(tmp_path / "other-outbox.sqlite3")}
    if breakage == "unknown_key":
        config["GOOGLE_SHEET_ID"] = "1" * 44
    elif breakage == "not_shared":
        config["GOOGLE_SHEET_ID"] = standin.create_spreadsheet(
            title="Outra", worksheets=(TAB,), shared_with=()
        )
    elif breakage == "missing_tab":
        config["GOOGLE_SHEET_ID"] = standin.create_spreadsheet(
            title="Sem aba", worksheets=("Planilha1",), shared_with=(SERVICE_ACCOUNT,)
        )
    else:
        config["GOOGLE_APPLICATION_CREDENTIALS"] = str(tmp_path / "nao-existe.json")

    with caplog.at_level(logging.ERROR):
        broken = create_app(config)
    client = sign_in(broken, "analista")
    listing = client.get("/")
    saved = post_new(client, clinic_form)

    assert message in caplog.text
    assert "Traceback" not in caplog.text
    assert listing.status_code == 503
    assert message in text(listing.get_data(as_text=True))
    case_page = text(client.get(saved.headers["Location"]).get_data(as_text=True))
    assert "aguardando envio à planilha" in case_page


def test_values_a_person_typed_are_understood(client, clinic_form, sheet):
    case_id = created_id(
        post_new(client, {**clinic_form, "status": "Em andamento", "end_date": ""})
    )
    sheet.set_cell(case_id, "Data final", "20/06/2025")
    sheet.set_cell(case_id, "Nº de vidas", "2.500")
    sheet.set_cell(case_id, "Ofertado Suporte", "VERDADEIRO")
    sheet.set_cell(case_id, "Status retenção", "retenção efetiva")

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))

    assert "Data final 20/06/2025" in page
    assert "Tempo finalização 49 dias" in page
    assert "Nº de vidas 2.500" in page
    assert "☑ Ofertado Suporte" in page
    assert "☑ Retenção Efetiva" in page


def test_a_sheet_without_the_write_key_column_gets_it_at_the_first_save(
    client, clinic_form, standin, sheet
):
    header = sheet.grid()[0]
    key_column = header.index("Chave de gravação") + 1
    standin.person_type(sheet.key, TAB, rowcol_to_a1(1, key_column), "")  # an older sheet

    case_id = created_id(post_new(client, clinic_form))

    [row] = sheet.rows()
    assert row["ID do caso"] == case_id
    assert len(str(row["Chave de gravação"])) == 32
    assert sheet.grid()[0].count("Chave de gravação") == 1
