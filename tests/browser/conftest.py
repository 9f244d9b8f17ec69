"""Browser tests: the app served as for the team (gunicorn, 3 worker processes) on 127.0.0.1,
driven by headless Chromium.

One server and one browser serve the whole session (starting them is the slow part); each test
gets a fresh browser context, signed in through the login page as the supervisor. The server
uses the local workbook backend in a temporary folder and keeps CSRF on, as in production.
Every page visited is saved as a full-page screenshot under ``artifacts/screenshots/``
(git-ignored).
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from auth.users import UserStore
from tests.conftest import PASSWORD, PEOPLE, WorkbookSheet
from tests.server import REPO, gunicorn

SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("RETENCAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_TIMEOUT = 10_000  # milliseconds for one browser action or navigation


@dataclass(frozen=True)
class Server:
    """The running app: where it listens and the workbook it writes."""

    url: str
    workbook: Path
    log: Path

    def sheet(self) -> WorkbookSheet:
        """The workbook as a supervisor opens it in Excel (openpyxl: load, edit, save)."""
        return WorkbookSheet(self.workbook)

    def rows(self) -> list[dict[str, object]]:
        """The data rows, header -> cell value; none before the app created the file."""
        return self.sheet().rows() if self.workbook.exists() else []

    def row(self, case_id: str) -> dict[str, object]:
        [found] = [row for row in self.rows() if row["ID do caso"] == case_id]
        return found


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn with 3 worker processes on a free port of 127.0.0.1 and a fresh workbook."""
    folder = tmp_path_factory.mktemp("browser-server")
    users = UserStore(folder / "users.sqlite3")
    for role, (username, name) in PEOPLE.items():
        users.add(username, name, role, PASSWORD)
    settings = {
        "GOOGLE_SHEET_ID": "",
        "RETENCAO_WORKBOOK": str(folder / "casos.xlsx"),
        "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
        "RETENCAO_OUTBOX_INTERVAL": "0",
        "RETENCAO_USERS": str(folder / "users.sqlite3"),
        "SECRET_KEY": "browser-tests",
        # As behind a reverse proxy: each request on a new connection, so on any of the workers.
        "GUNICORN_CMD_ARGS": "--keep-alive 0",
    }
    log = folder / "server.log"
    with gunicorn(settings, log, workers=3) as served:
        yield Server(served.url, folder / "casos.xlsx", log)
    assert "Traceback" not in log.read_text(), f"the server logged an error:\n{log.read_text()}"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded browser build)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: ./test.sh installs it")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The screenshot folder, emptied of the previous run's pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


class Visit:
    """A person's browser tab; ``shot`` saves what the page shows now."""

    def __init__(self, context: BrowserContext, server: Server, folder: Path):
        self.context = context
        self.page: Page = context.new_page()
        self.server = server
        self.folder = folder
        self.outside: list[str] = []
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        context.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/)"), self._refuse_outside)

    def _refuse_outside(self, route) -> None:
        """Only the app on 127.0.0.1 may be reached; anything else is recorded and aborted."""
        self.outside.append(route.request.url)
        route.abort()

    def sign_in(self, role: str) -> None:
        """Sign in through the login page, as a person does."""
        self.goto("/entrar")
        self.page.locator("#username").fill(PEOPLE[role][0])
        self.page.locator("#password").fill(PASSWORD)
        self.page.get_by_role("button", name="Entrar").click()
        self.page.wait_for_url(self.server.url + "/")

    def goto(self, path: str) -> Page:
        self.page.goto(self.server.url + path)
        return self.page

    def shot(self, name: str) -> Path:
        """A full-page screenshot of the page as it is now, as ``<name>.png``."""
        path = self.folder / f"{name}.png"
        assert not path.exists(), f"two screenshots named {name}"
        self.page.screenshot(path=path, full_page=True)
        return path


def _visit(browser, server, screenshots, **context_options) -> Iterator[Visit]:
    context = browser.new_context(
        locale="pt-BR", timezone_id="America/Sao_Paulo", **context_options
    )
    context.set_default_timeout(STEP_TIMEOUT)
    visit = Visit(context, server, screenshots)
    visit.sign_in("supervisor")
    yield visit
    context.close()
    assert visit.outside == [], f"the page tried to reach outside the app: {visit.outside}"
    assert visit.page_errors == [], f"script errors on the page: {visit.page_errors}"


@pytest.fixture
def visit(browser, server, screenshots) -> Iterator[Visit]:
    """A desktop browser tab (1280 px wide)."""
    yield from _visit(browser, server, screenshots, viewport={"width": 1280, "height": 900})


@pytest.fixture
def visit_without_scripts(browser, server, screenshots) -> Iterator[Visit]:
    """A desktop browser tab with JavaScript turned off."""
    yield from _visit(
        browser,
        server,
        screenshots,
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
    )


@pytest.fixture
def phone(browser, server, screenshots) -> Iterator[Visit]:
    """A phone's browser tab: 390 x 844 CSS pixels, touch, mobile layout."""
    yield from _visit(
        browser,
        server,
        screenshots,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )


LAPTOP = {"width": 1366, "height": 768}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def _visit_as(role: str, browser, server, screenshots, **context_options) -> Iterator[Visit]:
    """Like ``_visit``, signed in as the ``role`` person."""
    context = browser.new_context(
        locale="pt-BR", timezone_id="America/Sao_Paulo", **context_options
    )
    context.set_default_timeout(STEP_TIMEOUT)
    visit = Visit(context, server, screenshots)
    visit.sign_in(role)
    yield visit
    context.close()
    assert visit.outside == [], f"the page tried to reach outside the app: {visit.outside}"
    assert visit.page_errors == [], f"script errors on the page: {visit.page_errors}"


@pytest.fixture
def analyst(browser, server, screenshots) -> Iterator[Visit]:
    """A desktop browser tab (1280 px wide) signed in as the analyst."""
    yield from _visit_as("analista", browser, server, screenshots, viewport=LAPTOP)


@pytest.fixture
def laptop(browser, server, screenshots) -> Iterator[Visit]:
    """A laptop's browser tab: 1366 x 768, as the team's laptops."""
    yield from _visit_as("supervisor", browser, server, screenshots, viewport=LAPTOP)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as npm installed it from package-lock.json (``npm ci``; .ci/run does it)."""
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` in the repository folder")
    return AXE.read_text()
