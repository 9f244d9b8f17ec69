"""The Google Sheets stand-in, driven through the real gspread and google-auth."""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import gspread
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account

from tests.standin import SheetsStandIn, service_account_info

EMAIL = "retencao@proj.iam.gserviceaccount.com"
SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
]
UNFORMATTED = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
RAW = {"valueInputOption": "RAW"}
USER_ENTERED = {"valueInputOption": "USER_ENTERED"}
HEADER = ["ID", "Nome", "CPF"]
DATE_TIME = "%d/%m/%Y %H:%M:%S"


@pytest.fixture(scope="module")
def info() -> dict[str, str]:
    """The project's service-account key file."""
    return service_account_info(EMAIL)


@pytest.fixture
def standin(info) -> SheetsStandIn:
    """A fresh stand-in that knows the project's service account."""
    standin = SheetsStandIn()
    standin.register_service_account(info)
    return standin


@pytest.fixture
def key(standin) -> str:
    """A spreadsheet with an empty "Casos" tab, shared with the project's account."""
    return standin.create_spreadsheet(title="Retenção", worksheets=("Casos",), shared_with=(EMAIL,))


def connect(
    standin: SheetsStandIn, info: dict[str, str], scopes: list[str] = SCOPES
) -> gspread.Client:
    """A gspread client wired the way the project wires it."""
    adapter = standin.adapter()
    creds = service_account.Credentials.from_service_account_info(info, scopes=scopes)
    refresh_session = requests.Session()
    refresh_session.mount("https://", adapter)
    session = AuthorizedSession(creds, auth_request=Request(session=refresh_session))
    session.mount("https://", adapter)
    return gspread.Client(creds, session=session)


@pytest.fixture
def book(standin, info, key) -> gspread.Spreadsheet:
    """That spreadsheet, opened through gspread."""
    return connect(standin, info).open_by_key(key)


def put(book: gspread.Spreadsheet, cell: str, value: object, params: dict = RAW) -> None:
    """Write one value into a cell of "Casos"."""
    book.values_update(f"'Casos'!{cell}", params=params, body={"values": [[value]]})


def rows(book: gspread.Spreadsheet, params: dict = UNFORMATTED) -> list[list]:
    """The values of "Casos" as values.get returns them."""
    return book.values_get("'Casos'", params=params).get("values", [])


def append(book: gspread.Spreadsheet, *values: list) -> dict:
    """Append rows to "Casos" the way the project does (RAW, INSERT_ROWS)."""
    params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
    return book.values_append("'Casos'!A1", params=params, body={"values": list(values)})


def api_error(call: Callable[[], object]) -> gspread.exceptions.APIError:
    """The APIError that `call` raises."""
    with pytest.raises(gspread.exceptions.APIError) as caught:
        call()
    return caught.value


# ---- authentication and access


def test_token_exchange_lets_gspread_open_the_spreadsheet(standin, book):
    assert book.title == "Retenção"
    assert [call.status for call in standin.calls if call.kind == "token"] == [200]


def test_a_key_google_does_not_know_for_that_account_is_refused(standin, info, key):
    other = service_account_info("outra@proj.iam.gserviceaccount.com")
    standin.register_service_account(other)
    forged = {
        **info,
        "private_key": other["private_key"],
        "private_key_id": other["private_key_id"],
    }
    with pytest.raises(RefreshError, match="invalid_grant"):
        connect(standin, forged).open_by_key(key)


def test_a_call_without_token_is_401(standin, key):
    session = requests.Session()
    session.mount("https://", standin.adapter())
    error = api_error(lambda: gspread.Client(None, session=session).open_by_key(key))
    assert (error.code, error.error["status"]) == (401, "UNAUTHENTICATED")


def test_a_spreadsheet_not_shared_with_the_account_is_403(standin, info):
    private = standin.create_spreadsheet(worksheets=("Casos",), shared_with=("x@y.com",))
    with pytest.raises(PermissionError) as caught:
        connect(standin, info).open_by_key(private)
    assert caught.value.__cause__.error["message"] == "The caller does not have permission"


def test_an_unknown_id_is_404(standin, info):
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        connect(standin, info).open_by_key("1" + "x" * 43)


def test_other_hosts_are_unreachable(standin):
    session = requests.Session()
    session.mount("https://", standin.adapter())
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get("https://example.com/")


# ---- what a value becomes


def test_raw_keeps_text_exactly(book):
    formula = '=IMPORTXML("http://x","//a")'
    book.values_update("'Casos'!A1", params=RAW, body={"values": [["01234567890", formula, "'a"]]})
    assert rows(book) == [["01234567890", formula, "'a"]]


def test_raw_text_that_looks_like_a_formula_is_not_one(standin, book, key):
    put(book, "A1", '=IMPORTXML("http://x","//a")')
    assert not standin.is_formula(key, "Casos", "A1")


def test_user_entered_drops_leading_zeros_and_makes_formulas(standin, book, key):
    body = {"values": [["01234567890", "=A1"]]}
    book.values_update("'Casos'!A1", params=USER_ENTERED, body=body)
    assert standin.cell(key, "Casos", "A1") == 1234567890
    assert standin.is_formula(key, "Casos", "B1")
    assert rows(book, {"valueRenderOption": "FORMULA"}) == [[1234567890, "=A1"]]


def test_user_entered_leading_apostrophe_means_text(book):
    put(book, "A1", "'0123", USER_ENTERED)
    assert rows(book) == [["0123"]]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1.971", 1971), ("0,30", 0.3), ("R$ 1.234,56", 1234.56), ("0123", 123), ("falso", False)],
)
def test_user_entered_reads_pt_br_numbers(book, typed, stored):
    put(book, "A1", typed, USER_ENTERED)
    assert rows(book) == [[stored]]


def test_user_entered_dates_become_serials_with_a_date_format(standin, book, key):
    put(book, "A1", "17/06/2025", USER_ENTERED)
    assert rows(book) == [[45825]]
    assert standin.number_format(key, "Casos", "A1")["type"] == "DATE"
    assert rows(book, {}) == [["17/06/2025"]]


def test_user_entered_date_times_keep_the_time(standin, book, key):
    put(book, "A1", "17/06/2025 09:03", USER_ENTERED)
    assert rows(book) == [[pytest.approx(45825 + (9 * 60 + 3) / 1440)]]
    assert standin.number_format(key, "Casos", "A1")["type"] == "DATE_TIME"


def test_a_plain_text_cell_keeps_user_entered_input_as_typed(standin, book, key):
    text = {"type": "TEXT", "pattern": "@"}
    column_c = {"sheetId": 0, "startColumnIndex": 2, "endColumnIndex": 3}
    cell = {"userEnteredFormat": {"numberFormat": text}}
    fields = "userEnteredFormat.numberFormat"
    book.batch_update(
        {"requests": [{"repeatCell": {"range": column_c, "cell": cell, "fields": fields}}]}
    )
    standin.person_type(key, "Casos", "C5", "01234567890")
    assert standin.cell(key, "Casos", "C5") == "01234567890"


# ---- reading


def test_trailing_empty_cells_and_rows_are_trimmed(book):
    book.values_update("'Casos'!A1", params=RAW, body={"values": [["a", "", "c", ""], ["", ""]]})
    put(book, "B3", "")
    assert rows(book) == [["a", "", "c"]]


def test_an_empty_sheet_has_no_values_key(book):
    answer = book.values_get("'Casos'", params=UNFORMATTED)
    assert answer == {"range": "Casos!A1:Z1000", "majorDimension": "ROWS"}


def test_an_unknown_sheet_cannot_be_parsed(book):
    error = api_error(lambda: book.values_get("'Nada'!A1"))
    assert error.error["message"] == "Unable to parse range: 'Nada'!A1"


# ---- appending and writing


def test_append_insert_rows_goes_after_the_last_row_and_grows_the_grid(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"])
    answer = append(book, ["2", "Bia", "222"])
    assert answer["tableRange"] == "Casos!A1:C2"
    assert answer["updates"]["updatedRange"] == "Casos!A3:C3"
    assert standin.grid_size(key, "Casos") == (1003, 26)


def test_append_spans_a_column_a_person_added(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"])
    standin.person_insert_column(key, "Casos", before_col=2, header="Minha nota")
    answer = append(book, ["2", "Bia", "222"])
    assert answer["tableRange"] == "Casos!A1:D2"
    assert rows(book) == [
        ["ID", "Minha nota", "Nome", "CPF"],
        ["1", "", "Ana", "111"],
        ["2", "Bia", "222"],
    ]


def test_rows_append_inserts_take_the_format_of_the_row_above(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"])
    date = {"type": "DATE", "pattern": "dd/mm/yyyy"}
    row_2 = {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2}
    cell = {"userEnteredFormat": {"numberFormat": date}}
    fields = "userEnteredFormat.numberFormat"
    book.batch_update(
        {"requests": [{"repeatCell": {"range": row_2, "cell": cell, "fields": fields}}]}
    )
    append(book, ["2", "Bia", "222"])
    assert standin.number_format(key, "Casos", "D3") == date


def test_append_into_an_empty_first_row_writes_there(book):
    append(book, HEADER, ["2", "Bia", "222"])
    book.sheet1.insert_rows([["1", "Ana", "111"]], row=2)
    assert rows(book) == [HEADER, ["1", "Ana", "111"], ["2", "Bia", "222"]]


def test_append_without_value_input_option_is_refused(book):
    error = api_error(lambda: book.values_append("'Casos'!A1", params={}, body={"values": [[1]]}))
    assert error.error["message"] == "'valueInputOption' is required but not specified"


def test_writing_past_the_grid_is_refused_like_google(book):
    error = api_error(lambda: put(book, "AA1", "x"))
    assert error.response.json() == {
        "error": {
            "code": 400,
            "message": "Range ('Casos'!AA1) exceeds grid limits. Max rows: 1000, max columns: 26",
            "status": "INVALID_ARGUMENT",
        }
    }
    assert error.response.headers["Content-Type"] == "application/json; charset=UTF-8"


def test_growing_past_ten_million_cells_is_refused(book):
    grow = {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 400_000}}
    error = api_error(lambda: book.batch_update({"requests": [grow]}))
    assert "above the limit of 10000000 cells" in error.error["message"]


def test_more_than_50000_characters_in_a_cell_is_refused(book):
    put(book, "A1", "x" * 50_000)
    error = api_error(lambda: put(book, "A2", "x" * 50_001))
    assert "maximum of 50000 characters in a single cell" in error.error["message"]


def test_batch_update_is_all_or_nothing(standin, book, key):
    freeze = {
        "updateSheetProperties": {
            "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount",
        }
    }
    broken = {"appendDimension": {"sheetId": 999, "dimension": "ROWS", "length": 1}}
    error = api_error(lambda: book.batch_update({"requests": [freeze, broken]}))
    assert error.error["message"].startswith("Invalid requests[1].appendDimension: ")
    assert standin.frozen_rows(key, "Casos") == 0


def test_batch_update_sets_formats_validation_and_protection(standin, book, key):
    column_d = {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 3, "endColumnIndex": 4}
    date_format = {"type": "DATE", "pattern": "dd/mm/yyyy"}
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Sim"}]}}
    header = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}
    book.batch_update(
        {
            "requests": [
                {
                    "repeatCell": {
                        "range": column_d,
                        "cell": {"userEnteredFormat": {"numberFormat": date_format}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                },
                {"setDataValidation": {"range": column_d, "rule": rule}},
                {"addProtectedRange": {"protectedRange": {"range": header, "warningOnly": True}}},
            ]
        }
    )
    assert standin.number_format(key, "Casos", "D2") == date_format
    assert standin.validation(key, "Casos", "D1000") == rule
    assert standin.protected_ranges(key, "Casos")[0]["range"] == header


def test_a_sheet_can_be_added_hidden_and_shown_again(standin, book, key):
    properties = {"title": "_oculta", "hidden": True}
    reply = book.batch_update({"requests": [{"addSheet": {"properties": properties}}]})
    sheet_id = reply["replies"][0]["addSheet"]["properties"]["sheetId"]
    assert reply["replies"][0]["addSheet"]["properties"]["hidden"] is True
    assert standin.hidden(key, "_oculta") and not standin.hidden(key, "Casos")
    shown = {"properties": {"sheetId": sheet_id, "hidden": False}, "fields": "hidden"}
    book.batch_update({"requests": [{"updateSheetProperties": shown}]})
    assert "hidden" not in book.fetch_sheet_metadata()["sheets"][1]["properties"]


# ---- what people do in the UI


def test_a_row_a_person_inserts_above_shifts_the_data(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"])
    standin.person_insert_rows(key, "Casos", before_row=2)
    assert rows(book) == [HEADER, [], ["1", "Ana", "111"]]


def test_a_person_sorting_keeps_the_header(standin, book, key):
    append(book, HEADER, ["2", "Bia", "222"], ["1", "Ana", "111"])
    standin.person_sort(key, "Casos", by_col=2)
    assert rows(book) == [HEADER, ["1", "Ana", "111"], ["2", "Bia", "222"]]


def test_a_person_deleting_a_row_shifts_the_data_up(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"], ["2", "Bia", "222"])
    standin.person_delete_rows(key, "Casos", row=2)
    assert rows(book) == [HEADER, ["2", "Bia", "222"]]
    assert standin.grid_size(key, "Casos") == (1002, 26)


def test_a_person_moving_a_column_moves_its_header_and_data(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"])
    standin.person_move_column(key, "Casos", from_col=3, to_col=1)
    assert rows(book) == [["CPF", "ID", "Nome"], ["111", "1", "Ana"]]


def test_a_person_typing_counts_as_user_entered_and_is_no_api_call(standin, key):
    standin.person_type(key, "Casos", "C5", "01234567890")
    assert standin.cell(key, "Casos", "C5") == 1234567890
    assert standin.calls == []


# ---- the Apps Script a supervisor pastes into the spreadsheet (sheets/apps_script.gs)


CASES = [["ID do caso", "Dentista"], ["RET-2025-0001", "Ana"], ["RET-2025-0002", "Bia"]]


@pytest.fixture
def cases(book, key) -> str:
    """The spreadsheet's key, once the app has written two cases to "Casos"."""
    append(book, *CASES)
    return key


def test_a_persons_edit_runs_the_installed_script(standin, cases):
    standin.install_script(cases)
    standin.person_type(cases, "Casos", "B3", "Bianca")
    log = standin.grid(cases, "_retencao")
    assert log[:2] == [["Revisão", 1], ["Versão do script", 1]]
    assert log[3][:4] == [1, 3, 3, "RET-2025-0002"]
    assert standin.hidden(cases, "_retencao")


def test_the_script_logs_when_in_the_spreadsheets_time_zone(standin, book, cases):
    standin.install_script(cases)
    standin.person_type(cases, "Casos", "B2", "Ana Maria")
    logged = datetime.strptime(book.values_get("'_retencao'!E4")["values"][0][0], DATE_TIME)
    now = datetime.now(ZoneInfo("America/Sao_Paulo")).replace(tzinfo=None)
    assert abs(logged - now) < timedelta(minutes=1)


def test_without_the_script_a_persons_edit_logs_nothing(standin, cases):
    standin.person_type(cases, "Casos", "B3", "Bianca")
    standin.person_open(cases)
    assert standin.titles(cases) == ["Casos"]


def test_api_writes_never_run_the_script(standin, book, cases):
    standin.install_script(cases)
    put(book, "B3", "Bianca")
    append(book, ["RET-2025-0003", "Carla"])
    book.values_clear("'Casos'!B2")
    assert standin.titles(cases) == ["Casos"]


def test_rows_columns_and_sorting_do_not_run_the_script(standin, cases):
    standin.install_script(cases)
    standin.person_insert_rows(cases, "Casos", before_row=2)
    standin.person_delete_rows(cases, "Casos", row=2)
    standin.person_move_column(cases, "Casos", from_col=2, to_col=1)
    standin.person_sort(cases, "Casos", by_col=2, descending=True)
    assert standin.titles(cases) == ["Casos"]


def test_the_header_of_a_column_a_person_inserts_asks_for_a_full_reread(standin, cases):
    standin.install_script(cases)
    standin.person_insert_column(cases, "Casos", before_col=2, header="UF")
    assert standin.grid(cases, "_retencao")[3][:4] == [1, 1, 1, "*"]


def test_a_paste_and_a_tick_are_one_edit_each(standin, cases):
    standin.install_script(cases)
    standin.person_paste(cases, "Casos", "B2", [["Ana Maria", "Sim"], ["Bianca", "Não"]])
    standin.person_tick(cases, "Casos", "D3", True)
    log = standin.grid(cases, "_retencao")
    assert log[0] == ["Revisão", 2]
    assert [row[:4] for row in log[3:]] == [
        [1, 2, 3, "RET-2025-0001\nRET-2025-0002"],
        [2, 3, 3, "RET-2025-0002"],
    ]
    assert standin.cell(cases, "Casos", "D3") is True


# ---- Drive metadata


def test_modified_time_moves_on_writes_only(standin, book):
    standin.drive_lag = 0
    before = book.get_lastUpdateTime()
    rows(book)
    assert book.get_lastUpdateTime() == before
    put(book, "A1", "x")
    assert book.get_lastUpdateTime() > before


def test_modified_time_moves_when_a_person_edits(standin, book, key):
    standin.drive_lag = 0
    before = book.get_lastUpdateTime()
    standin.person_type(key, "Casos", "A1", "x")
    assert book.get_lastUpdateTime() == standin.modified_time(key) > before


def test_modified_time_lags_behind_writes_as_on_google(standin, book, key):
    now = [1000.0]
    standin.clock = lambda: now[0]
    standin.drive_lag = 180
    before = book.get_lastUpdateTime()
    put(book, "A1", "x")
    now[0] = 1079.0  # the next refresh of Drive's stamp is at 1080

    assert book.get_lastUpdateTime() == before
    now[0] = 1080.0
    after_refresh = book.get_lastUpdateTime()
    assert after_refresh == standin.modified_time(key) > before
    now[0] = 1100.0
    standin.person_type(key, "Casos", "A2", "y")
    now[0] = 1259.0
    assert book.get_lastUpdateTime() == after_refresh
    now[0] = 1260.0
    assert book.get_lastUpdateTime() == standin.modified_time(key) > after_refresh


def test_drive_needs_a_drive_scope(standin, info, key):
    book = connect(standin, info, scopes=SCOPES[:1]).open_by_key(key)
    error = api_error(book.get_lastUpdateTime)
    assert error.error["message"] == "Request had insufficient authentication scopes."


# ---- faults


def test_fail_next_answers_googles_429_then_recovers(standin, book):
    standin.fail_next(3, status=429)
    errors = [api_error(lambda: rows(book)) for _ in range(3)]
    assert {error.error["status"] for error in errors} == {"RESOURCE_EXHAUSTED"}
    assert errors[0].error["message"].startswith("Quota exceeded for quota metric 'Read requests'")
    assert rows(book) == []


def test_go_down_answers_503_until_come_up(standin, book):
    standin.go_down()
    assert api_error(lambda: rows(book)).code == 503
    assert api_error(lambda: put(book, "A1", "x")).code == 503
    standin.come_up()
    assert rows(book) == []


def test_a_lost_answer_still_applies_the_write(standin, book, key):
    standin.lose_next_answers(1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        put(book, "A1", "x")
    assert standin.cell(key, "Casos", "A1") == "x"


def test_latency_sleeps_per_api_call(standin, book):
    slept = []
    standin.sleep = slept.append
    standin.latency = 0.25
    rows(book)
    assert slept == [0.25]


def test_lost_answers_can_be_limited_to_some_kinds(standin, book, key):
    standin.lose_next_answers(1, kinds=("values_append",))
    rows(book)
    with pytest.raises(requests.exceptions.ReadTimeout):
        append(book, ["x"])
    assert standin.grid(key, "Casos") == [["x"]]


def test_calls_are_counted_per_kind(standin, book):
    standin.reset_calls()
    rows(book)
    put(book, "A1", "x")
    append(book, ["y"])
    assert standin.count("values_get") == 1
    assert standin.count("values_update", "values_append") == 2
    assert standin.count() == 3
    assert standin.calls[1].params == {"valueInputOption": "RAW"}


def test_answer_sizes_are_summed_per_kind(standin, book, key):
    append(book, HEADER, ["1", "Ana", "111"])
    standin.reset_calls()
    answer = book.client.request("get", f"https://sheets.googleapis.com/v4/spreadsheets/{key}")
    rows(book)
    put(book, "A3", "x")
    sizes = [call.response_bytes for call in standin.calls]
    assert sizes[0] == len(answer.content)
    assert standin.bytes("get_spreadsheet", "values_get") == sizes[0] + sizes[1]
    assert standin.bytes() == sum(sizes)


def test_quota_per_minute_counts_reads_and_writes_apart(standin, book):
    now = [0.0]
    standin.clock = lambda: now[0]
    standin.quota_per_minute = 2
    rows(book)
    rows(book)
    error = api_error(lambda: rows(book))
    assert (error.code, error.error["status"]) == (429, "RESOURCE_EXHAUSTED")
    put(book, "A1", "write quota is separate")
    now[0] = 60.0
    assert rows(book) == [["write quota is separate"]]


def test_twenty_threads_appending_lose_no_row(standin, info, key):
    books = [connect(standin, info).open_by_key(key) for _ in range(20)]
    threads = [
        threading.Thread(target=append, args=(book, [str(n)])) for n, book in enumerate(books)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(int(row[0]) for row in standin.grid(key, "Casos")) == list(range(20))
