"""Cases stored as rows of a spreadsheet: the column list, the case book and its backends."""

import logging
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from sheets.backend import Backend
from sheets.book import CaseBook
from sheets.outbox import Outbox
from sheets.workbook import WorkbookBackend

_EXTENSION = "retencao.book"


def init_app(app: Flask) -> None:
    """Open the case book the configuration names (the local workbook by default)."""
    instance = Path(app.instance_path)
    outbox = Outbox(Path(app.config["RETENCAO_OUTBOX"] or instance / "outbox.sqlite3"))
    zone = ZoneInfo(app.config["RETENCAO_TIMEZONE"])

    def clock() -> datetime:
        return datetime.now(zone).replace(tzinfo=None, microsecond=0)

    book = CaseBook(_backend(app), outbox, clock)
    app.extensions[_EXTENSION] = book
    interval = float(app.config["RETENCAO_OUTBOX_INTERVAL"])
    if interval > 0:
        _start_drainer(book, interval, app.logger)


def get_book() -> CaseBook:
    """The current app's case book."""
    return current_app.extensions[_EXTENSION]


def _backend(app: Flask) -> Backend:
    path = Path(app.config["RETENCAO_WORKBOOK"] or Path(app.instance_path) / "retencao.xlsx")
    app.logger.info(
        "Casos gravados na planilha local %s (nenhuma planilha Google configurada).", path
    )
    return WorkbookBackend(path, app.config["RETENCAO_WORKSHEET"])


def _start_drainer(book: CaseBook, interval: float, logger: logging.Logger) -> None:
    """Send what the outbox holds every ``interval`` seconds, for as long as the app runs."""

    def drain_forever() -> None:
        while True:
            threading.Event().wait(interval)
            try:
                if book.outbox.entries():
                    waiting = book.flush()
                    if waiting:
                        logger.warning("Envios à planilha aguardando: %s", waiting)
            except Exception:  # the drainer must outlive any one failure
                logger.exception("Falha ao enviar a fila para a planilha.")

    threading.Thread(target=drain_forever, name="outbox-drainer", daemon=True).start()
