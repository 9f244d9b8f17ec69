"""Cases stored as rows of a spreadsheet: the column list, the case book and its backends."""

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from sheets.backend import Backend
from sheets.book import CaseBook
from sheets.cli import sheet_cli
from sheets.drafts import Drafts
from sheets.errors import SheetError
from sheets.outbox import Outbox
from sheets.upload import unprotected_xml
from sheets.workbook import WorkbookBackend

if TYPE_CHECKING:
    from sheets.google import GoogleSheetBackend

_EXTENSION = "retencao.book"
_DRAFTS = "retencao.drafts"
SENDER = "retencao.sender"


@dataclass(frozen=True)
class Sender:
    """The outbox's background sender of one process: ``sending`` once it holds the outbox's
    sender lock (so it is the one that sends); set ``stop`` to end it."""

    stop: threading.Event
    sending: threading.Event


def init_app(app: Flask, send_in_background: bool) -> None:
    """Open the case book the configuration names (the local workbook by default) and, in a
    process that serves pages, start the outbox's background sender."""
    problem = unprotected_xml()
    if problem:
        app.logger.critical(problem)
        raise RuntimeError(problem)
    instance = Path(app.instance_path)
    outbox = Outbox(
        Path(app.config["RETENCAO_OUTBOX"] or instance / "outbox.sqlite3"),
        url=app.config["RETENCAO_DATABASE_URL"],
    )
    zone = ZoneInfo(app.config["RETENCAO_TIMEZONE"])

    def clock() -> datetime:
        return datetime.now(zone).replace(tzinfo=None, microsecond=0)

    book = CaseBook(
        _backend(app),
        outbox,
        clock,
        float(app.config["RETENCAO_SYNC_SECONDS"]),
        app.config["RETENCAO_HISTORY_WORKSHEET"],
        float(app.config["RETENCAO_FULL_SYNC_SECONDS"]),
    )
    app.extensions[_EXTENSION] = book
    keep = timedelta(days=float(app.config["RETENCAO_DRAFT_DAYS"]))
    drafts = outbox.path.with_name("drafts.sqlite3")
    app.extensions[_DRAFTS] = Drafts(drafts, keep, clock, outbox.url)
    app.cli.add_command(sheet_cli)
    interval = float(app.config["RETENCAO_OUTBOX_INTERVAL"])
    if send_in_background and interval > 0:
        app.extensions[SENDER] = _start_sender(book, interval, app.logger)


def get_book() -> CaseBook:
    """The current app's case book."""
    return current_app.extensions[_EXTENSION]


def get_drafts() -> Drafts:
    """The current app's drafts of unsaved case forms."""
    return current_app.extensions[_DRAFTS]


def _backend(app: Flask) -> Backend:
    config = app.config
    if config["GOOGLE_SHEET_ID"]:
        return _google_backend(app)
    path = Path(config["RETENCAO_WORKBOOK"] or Path(app.instance_path) / "retencao.xlsx")
    app.logger.info(
        "Casos gravados na planilha local %s (nenhuma planilha Google configurada).", path
    )
    return WorkbookBackend(path, config["RETENCAO_WORKSHEET"])


def _google_backend(app: Flask) -> Backend:
    """The Google backend; a problem found at start-up is logged in pt-BR and shown on pages."""
    from sheets.unavailable import UnavailableBackend

    try:
        backend = _connect_google(app.config)
    except SheetError as error:
        app.logger.error("Planilha Google indisponível: %s", error)
        return UnavailableBackend(str(error))
    try:
        backend.check()
        app.logger.info("Casos gravados na %s.", backend.description)
    except SheetError as error:
        app.logger.error("Planilha Google indisponível: %s", error)
    return backend


def _connect_google(config: Mapping) -> "GoogleSheetBackend":
    """The Google backend the settings describe; SheetError if they cannot make one."""
    from sheets.google import GoogleSheetBackend  # gspread is imported only when needed
    from sheets.google_client import Quota, RetryPolicy, connect, spreadsheet_key

    key = spreadsheet_key(config["GOOGLE_SHEET_ID"])
    if not config["GOOGLE_APPLICATION_CREDENTIALS"]:
        raise SheetError(
            "GOOGLE_SHEET_ID está configurado, mas falta GOOGLE_APPLICATION_CREDENTIALS: o"
            " caminho do arquivo JSON da chave da conta de serviço."
        )
    retry = RetryPolicy(
        attempts=int(config["RETENCAO_GOOGLE_ATTEMPTS"]),
        base_delay=float(config["RETENCAO_GOOGLE_BACKOFF"]),
        timeout=float(config["RETENCAO_GOOGLE_TIMEOUT"]),
    )
    credentials = Path(config["GOOGLE_APPLICATION_CREDENTIALS"])
    client, email = connect(credentials, retry.timeout, config.get("SHEETS_TRANSPORT"))
    reads = Quota("leituras", int(config["RETENCAO_GOOGLE_READS_PER_MINUTE"]))
    writes = Quota("gravações", int(config["RETENCAO_GOOGLE_WRITES_PER_MINUTE"]))
    return GoogleSheetBackend(
        client, email, key, config["RETENCAO_WORKSHEET"], retry, reads, writes
    )


def _start_sender(book: CaseBook, interval: float, logger: logging.Logger) -> Sender:
    """Send what the outbox holds every ``interval`` seconds from the one process per outbox
    that holds its sender lock; the other processes' threads sleep on the lock, to take over
    when that process ends."""
    sender = Sender(threading.Event(), threading.Event())

    def send_forever() -> None:
        with book.outbox.sender_lock():
            sender.sending.set()
            while not sender.stop.wait(interval):
                _send(book, logger)

    threading.Thread(target=send_forever, name="outbox-sender", daemon=True).start()
    return sender


def _send(book: CaseBook, logger: logging.Logger) -> None:
    """Send the outbox and the history, if anything waits; log what still waits."""
    try:
        if book.pending():
            waiting = book.flush()
            if waiting:
                logger.warning("Envios à planilha aguardando: %s", waiting)
    except Exception:  # the sender must outlive any one failure
        logger.exception("Falha ao enviar a fila para a planilha.")
