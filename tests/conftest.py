"""Fixtures: an app on a fresh workbook in a temporary folder, its client and its book."""

from pathlib import Path

import openpyxl
import pytest

from app import create_app
from sheets import get_book
from tests.seeds import CLINIC_FORM


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    return tmp_path / "casos.xlsx"


@pytest.fixture
def app(workbook_path: Path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "RETENCAO_WORKBOOK": str(workbook_path),
            "RETENCAO_OUTBOX": str(workbook_path.with_name("outbox.sqlite3")),
            "RETENCAO_OUTBOX_INTERVAL": 0,
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def book(app):
    with app.app_context():
        yield get_book()


@pytest.fixture
def clinic_form() -> dict[str, object]:
    return dict(CLINIC_FORM)


def post_new(client, form: dict[str, object]):
    """Submit the new-case form."""
    return client.post("/casos/novo", data=form)


def created_id(response) -> str:
    """The case ID a successful submission redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1]


def sheet_rows(path: Path, worksheet: str = "Casos") -> list[dict[str, object]]:
    """The workbook's data rows as header -> value, read straight from the file."""
    sheet = openpyxl.load_workbook(path)[worksheet]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
