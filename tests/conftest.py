"""Fixtures: the app on each backend (local workbook, Google on the stand-in), its client, its
book, and ``sheet``: the spreadsheet as a supervisor sees and edits it by hand; the app's own
state in SQLite files, or with ``--database=postgresql`` in a private PostgreSQL server."""

import json
import shutil
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from gspread.utils import rowcol_to_a1

from app import create_app
from auth.users import UserStore
from sheets import get_book
from sheets.codec import SERIAL_EPOCH
from sheets.columns import BY_HEADER, ID_HEADER, Kind
from sheets.google_setup import prepare
from store.database import close_all
from tests.postgres import PostgresServer
from tests.seeds import CLINIC_FORM
from tests.standin import SheetsStandIn, service_account_info

SERVICE_ACCOUNT = "retencao@retencao-testes.iam.gserviceaccount.com"
TAB = "Casos"
FOREIGN = "Anotação da supervisora"
PASSWORD = "senha-de-teste"
PEOPLE = {  # role -> (username, name): one signed-in person per role
    "supervisor": ("sara", "Sara Supervisora"),
    "analista": ("ana", "Ana Analista"),
    "leitura": ("leo", "Leo Leitor"),
}


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="where the apps the fixtures build keep their own state (RETENCAO_DATABASE_URL)",
    )


@pytest.fixture
def database_kind(request) -> str:
    """SQLite files, or PostgreSQL; --database picks it, a test pins it with parametrize."""
    return request.config.getoption("database")


@pytest.fixture(autouse=True)
def _close_connections():
    """Close each test's pooled connections after it (else they wait for the garbage
    collector, and the PostgreSQL server runs out of them)."""
    yield
    close_all()


@pytest.fixture(scope="session")
def postgres():
    """The session's private PostgreSQL server, started on first use (never skipped: a server
    that cannot start fails the tests that need it)."""
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def people_database(postgres: PostgresServer) -> str:
    """A PostgreSQL database holding the people of ``users_file``, copied for each test."""
    database = postgres.create_database()
    store = UserStore(Path(), postgres.url(database))
    for role, (username, name) in PEOPLE.items():
        store.add(username, name, role, PASSWORD)
    store.engine.dispose()  # a template must have no connections when it is copied
    return database


@pytest.fixture
def database_url(request, database_kind: str) -> str:
    """RETENCAO_DATABASE_URL: "" (SQLite files) or a fresh PostgreSQL database with the
    people of ``users_file`` in it."""
    if database_kind == "sqlite":
        return ""
    server = request.getfixturevalue("postgres")
    return server.url(server.create_database(template=request.getfixturevalue("people_database")))


@pytest.fixture
def nobody_config(request, database_kind: str, tmp_path: Path) -> dict[str, str]:
    """Settings that give an app a user store where nobody is registered yet."""
    if database_kind == "sqlite":
        return {"RETENCAO_USERS": str(tmp_path / "nobody.sqlite3")}
    server = request.getfixturevalue("postgres")
    return {"RETENCAO_DATABASE_URL": server.url(server.create_database())}


@pytest.fixture(params=["local", "google"])
def backend_kind(request) -> str:
    """Which sheet the app writes to; a test pins one with parametrize("backend_kind", [...])."""
    return request.param


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    return tmp_path / "casos.xlsx"


@pytest.fixture
def standin() -> SheetsStandIn:
    return SheetsStandIn()


@pytest.fixture(scope="session")
def service_account() -> dict[str, str]:
    """The app's service-account key (generating an RSA key is slow: once per run)."""
    return service_account_info(SERVICE_ACCOUNT)


def google_settings(standin: SheetsStandIn, key: str, folder: Path, info: dict) -> dict:
    """Settings for the Google backend on the stand-in's spreadsheet ``key``."""
    credentials = folder / "service-account.json"
    credentials.write_text(json.dumps(info))
    return {
        "GOOGLE_SHEET_ID": key,
        "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        "SHEETS_TRANSPORT": standin.adapter(),
        "RETENCAO_GOOGLE_BACKOFF": 0.001,
    }


@pytest.fixture(scope="session")
def prepared_sheet(tmp_path_factory, service_account: dict[str, str]) -> tuple[SheetsStandIn, str]:
    """A spreadsheet that ``flask sheet init`` prepared, once per run: formatting its 1,000 rows
    is the slow part of a Google test's set-up, so each test makes a copy of it."""
    standin = SheetsStandIn()
    standin.register_service_account(service_account)
    key = standin.create_spreadsheet(
        title="Retenção", worksheets=(TAB,), shared_with=(SERVICE_ACCOUNT,)
    )
    folder = tmp_path_factory.mktemp("prepared")
    settings = google_settings(standin, key, folder, service_account)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "RETENCAO_OUTBOX_INTERVAL": 0,
            "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
            "RETENCAO_USERS": str(folder / "users.sqlite3"),
            **settings,
        }
    )
    with app.app_context():
        prepare(get_book().backend)
    return standin, key


@pytest.fixture
def google_config(
    tmp_path: Path,
    standin: SheetsStandIn,
    service_account: dict[str, str],
    prepared_sheet: tuple[SheetsStandIn, str],
) -> dict[str, object]:
    """Settings for the Google backend on a copy of the prepared spreadsheet, shared with the
    app, in a fresh stand-in."""
    standin.register_service_account(service_account)
    key = standin.copy_spreadsheet(*prepared_sheet, title="Retenção")
    return google_settings(standin, key, tmp_path, service_account)


@pytest.fixture(scope="session")
def users_file(tmp_path_factory) -> Path:
    """A user store with one person per role (hashing passwords is slow: once per run)."""
    path = tmp_path_factory.mktemp("users") / "users.sqlite3"
    store = UserStore(path)
    for role, (username, name) in PEOPLE.items():
        store.add(username, name, role, PASSWORD)
    return path


@pytest.fixture
def app_config(
    request, backend_kind: str, workbook_path: Path, users_file: Path, database_url: str
) -> dict:
    """The test app's settings: its sheet, outbox and users, shared by all its workers."""
    users = workbook_path.with_name("users.sqlite3")
    shutil.copy(users_file, users)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "RETENCAO_WORKBOOK": str(workbook_path),
        "RETENCAO_OUTBOX": str(workbook_path.with_name("outbox.sqlite3")),
        "RETENCAO_OUTBOX_INTERVAL": 0,
        "RETENCAO_SYNC_SECONDS": 0,
        # Every check also reads the whole sheet, as a page does once the last read is old: a
        # test that needs the snapshot to stay fresh sets sync.max_age and sync.full_every.
        "RETENCAO_FULL_SYNC_SECONDS": 0,
        "RETENCAO_USERS": str(users),
        "RETENCAO_DATABASE_URL": database_url,
    }
    if backend_kind == "google":
        config.update(request.getfixturevalue("google_config"))
    return config


@pytest.fixture
def app(app_config: dict):
    return create_app(app_config)


@pytest.fixture
def client(app):
    """A browser signed in as the supervisor, who may do everything."""
    return sign_in(app, "supervisor")


def sign_in(app, role: str):
    """A new test client with the session of the ``role`` person (no password hashing)."""
    client = app.test_client()
    username, _name = PEOPLE[role]
    with app.app_context():
        user = app.extensions["retencao.users"].find(username)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def book(app):
    with app.app_context():
        yield get_book()


@pytest.fixture
def sheet(request, backend_kind: str, workbook_path: Path):
    if backend_kind == "google":
        standin = request.getfixturevalue("standin")
        return GoogleSheet(standin, request.getfixturevalue("google_config")["GOOGLE_SHEET_ID"])
    return WorkbookSheet(workbook_path)


@pytest.fixture
def clinic_form() -> dict[str, object]:
    return dict(CLINIC_FORM)


def post_new(client, form: dict[str, object]):
    """Submit the new-case form, saving anyway when the dentist already has an open case
    (tests/test_duplicates.py tries the warning itself)."""
    return client.post("/casos/novo", data={**form, "confirmar_duplicado": "1"})


def created_id(response) -> str:
    """The case ID a successful submission redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1]


class WorkbookSheet:
    """The local workbook, opened and saved by hand with openpyxl as Excel would."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def grid(self, tab: str = TAB) -> list[list[object]]:
        """Every row of a tab, header first, as cell values."""
        return [
            list(row) for row in openpyxl.load_workbook(self.path)[tab].iter_rows(values_only=True)
        ]

    def rows(self) -> list[dict[str, object]]:
        """The data rows as header -> value (dates as datetimes, as Excel stores them)."""
        header, *body = self.grid() or [[]]
        return [dict(zip(header, row, strict=False)) for row in body]

    def set_cell(self, case_id: str, header: str, value: object) -> None:
        """A supervisor changes one cell of a case's row."""
        workbook = openpyxl.load_workbook(self.path)
        sheet = workbook[TAB]
        headers = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[headers.index(ID_HEADER)].value == case_id:
                row[headers.index(header)].value = value
        workbook.save(self.path)

    def delete_case_row(self, case_id: str) -> None:
        """A supervisor deletes a case's row."""
        workbook = openpyxl.load_workbook(self.path)
        sheet = workbook[TAB]
        ids = [row[0] for row in sheet.iter_rows(values_only=True)]
        sheet.delete_rows(ids.index(case_id) + 1)
        workbook.save(self.path)

    def rearrange(self) -> None:
        """Reverse the columns, sort rows by name descending, insert a column of one's own."""
        workbook = openpyxl.load_workbook(self.path)
        sheet = workbook[TAB]
        header, *body = [list(r)[::-1] for r in sheet.iter_rows(values_only=True)]
        name = header.index("Nome dentista")
        body.sort(key=lambda r: r[name], reverse=True)
        header.insert(2, FOREIGN)
        for number, row in enumerate(body):
            row.insert(2, f"nota {row[name + 1]} #{number}")
        workbook.remove(sheet)
        sheet = workbook.create_sheet(TAB)
        for row in [header, *body]:
            sheet.append(row)
        workbook.save(self.path)


class GoogleSheet:
    """The stand-in spreadsheet, edited as a person would in the Sheets UI."""

    def __init__(self, standin: SheetsStandIn, key: str) -> None:
        self.standin = standin
        self.key = key

    def grid(self, tab: str = TAB) -> list[list[object]]:
        """Every row of a tab, header first, as effective cell values."""
        return self.standin.grid(self.key, tab)

    def rows(self) -> list[dict[str, object]]:
        """The data rows as header -> value, date serials turned into datetimes."""
        header, *body = self.grid() or [[]]
        return [
            {
                h: _serial_to_datetime(h, row[i] if i < len(row) else None)
                for i, h in enumerate(header)
            }
            for row in body
            if any(cell not in ("", None) for cell in row)
        ]

    def set_cell(self, case_id: str, header: str, value: object) -> None:
        """A supervisor types a value into one cell of a case's row."""
        self.standin.person_type(self.key, TAB, self._a1(case_id, header), str(value))

    def delete_case_row(self, case_id: str) -> None:
        """A supervisor deletes a case's row."""
        self.standin.person_delete_rows(self.key, TAB, row=self._row(case_id), count=1)

    def rearrange(self) -> None:
        """Reverse the columns, sort by name descending, add a column and a blank row above."""
        count = len(self.grid()[0])
        for target in range(1, count + 1):
            self.standin.person_move_column(self.key, TAB, from_col=count, to_col=target)
        name = self.grid()[0].index("Nome dentista") + 1
        self.standin.person_sort(self.key, TAB, by_col=name, descending=True)
        self.standin.person_insert_column(self.key, TAB, before_col=3, header=FOREIGN)
        grid = self.grid()
        for number, row in enumerate(grid[1:], start=2):
            note = f"nota {row[grid[0].index('Nome dentista')]} #{number - 2}"
            self.standin.person_type(self.key, TAB, f"C{number}", note)
        self.standin.person_insert_rows(self.key, TAB, before_row=2, count=1)

    def _row(self, case_id: str) -> int:
        grid = self.grid()
        column = grid[0].index(ID_HEADER)
        return next(
            n for n, row in enumerate(grid, start=1) if len(row) > column and row[column] == case_id
        )

    def _a1(self, case_id: str, header: str) -> str:
        return rowcol_to_a1(self._row(case_id), self.grid()[0].index(header) + 1)


def _serial_to_datetime(header: object, value: object) -> object:
    column = BY_HEADER.get(header)
    dated = column is not None and column.kind in (Kind.DATE, Kind.DATETIME)
    if dated and isinstance(value, int | float) and not isinstance(value, bool):
        return SERIAL_EPOCH + timedelta(seconds=round(value * 86400))
    return None if value == "" else value
