"""Cases stored as rows of a spreadsheet: the column list, the case book and its backends."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from sheets.book import CaseBook
from sheets.workbook import WorkbookBackend

_EXTENSION = "retencao.book"


def init_app(app: Flask) -> None:
    """Open the case book the configuration names (the local workbook by default)."""
    path = Path(app.config["RETENCAO_WORKBOOK"] or Path(app.instance_path) / "retencao.xlsx")
    backend = WorkbookBackend(path, app.config["RETENCAO_WORKSHEET"])
    zone = ZoneInfo(app.config["RETENCAO_TIMEZONE"])

    def clock() -> datetime:
        return datetime.now(zone).replace(tzinfo=None, microsecond=0)

    app.extensions[_EXTENSION] = CaseBook(backend, clock)
    app.logger.info("Casos gravados na %s (nenhuma planilha Google configurada).", path)


def get_book() -> CaseBook:
    """The current app's case book."""
    return current_app.extensions[_EXTENSION]
