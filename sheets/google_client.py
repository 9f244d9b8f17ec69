"""Talking to Google: the service account's session, retries with backoff, the quota, cells.

The Sheets calls themselves are gspread's (``HTTPClient``); what is here is what every call
needs around it. ``connect`` takes a requests adapter so the tests' stand-in can answer.
"""

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import gspread
import requests
from google.auth import exceptions as auth_errors
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import ParamsType
from gspread.utils import a1_to_rowcol, extract_id_from_url, rowcol_to_a1

from sheets.codec import SERIAL_EPOCH
from sheets.columns import ID_HEADER
from sheets.errors import SheetError, SheetUnavailable, SheetUnreadable
from sheets.table import Table

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
READ_PARAMS: ParamsType = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
}
WRITE_PARAMS: ParamsType = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
TRANSIENT = (requests.RequestException, auth_errors.TransportError)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for Google: per-call timeout, and backoff between tries."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delays(self) -> Iterator[float]:
        """The waits between tries: doubling, capped, each scaled by a random 50-100%."""
        for attempt in range(self.attempts - 1):
            yield min(self.max_delay, self.base_delay * 2**attempt) * (0.5 + self.jitter() / 2)


class Quota:
    """At most ``per_minute`` calls of one kind in any 60 seconds from this process."""

    def __init__(
        self, kind: str, per_minute: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.kind = kind
        self.per_minute = per_minute
        self.clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Use one call; SheetUnavailable if the last minute has no room for it."""
        with self._lock:
            now = self.clock()
            while self._sent and now - self._sent[0] >= 60:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                raise SheetUnavailable(
                    f"limite de {self.per_minute} {self.kind} por minuto deste servidor atingido"
                    " (cota do Google); o envio continua sozinho em instantes"
                )
            self._sent.append(now)


def spreadsheet_key(key_or_url: str) -> str:
    """The spreadsheet key from the key itself or the sheet's full URL."""
    text = key_or_url.strip()
    if "/" not in text:
        return text
    try:
        return extract_id_from_url(text)
    except gspread.exceptions.NoValidUrlKeyFound:
        raise SheetUnreadable(
            f"GOOGLE_SHEET_ID não parece o endereço de uma planilha Google: {text}"
        ) from None


def connect(
    credentials_file: Path, timeout: float, transport: requests.adapters.BaseAdapter | None = None
) -> tuple[gspread.Client, str]:
    """A gspread client for the service account in ``credentials_file``, and its e-mail.

    ``transport`` replaces the HTTPS transport (the tests' Sheets stand-in); nothing else in
    the code path changes.
    """
    try:
        credentials = service_account.Credentials.from_service_account_file(
            str(credentials_file), scopes=SCOPES
        )
    except (OSError, ValueError) as error:
        raise SheetUnreadable(
            f"Não foi possível ler a chave da conta de serviço em {credentials_file} ({error})."
            " Confira GOOGLE_APPLICATION_CREDENTIALS: deve apontar para o arquivo JSON baixado"
            " do Google Cloud."
        ) from None
    refresh_session = requests.Session()
    session = AuthorizedSession(credentials, auth_request=Request(session=refresh_session))
    if transport is not None:
        for each in (refresh_session, session):
            each.mount("https://", transport)
    client = gspread.Client(credentials, session=session)
    client.set_timeout(timeout)
    return client, credentials.service_account_email


def log_tab_requests(tab: str, headers: Sequence[str]) -> list[dict]:
    """batchUpdate requests that add a history tab: frozen header row, times as dates."""
    sheet_id = random.randint(1, 2**31 - 1)
    grid = {"rowCount": 1000, "columnCount": len(headers), "frozenRowCount": 1}
    header_cells = [{"userEnteredValue": {"stringValue": h}} for h in headers]
    when = {"numberFormat": {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"}}
    return [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": tab, "gridProperties": grid}}},
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": header_cells}],
                "fields": "userEnteredValue",
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startRowIndex": 1, "endColumnIndex": 1},
                "cell": {"userEnteredFormat": when},
                "fields": "userEnteredFormat.numberFormat",
            }
        },
    ]


def quoted(title: str) -> str:
    """A tab's title as an A1 range names it."""
    return "'{}'".format(title.replace("'", "''"))


def column_letters(number: int) -> str:
    """The letters of the 1-based column ``number`` (1 -> A, 27 -> AA)."""
    return rowcol_to_a1(1, number)[:-1]


def is_transient(error: APIError) -> bool:
    return error.code == 429 or error.code >= 500


def unavailable_message(error: Exception) -> str:
    if isinstance(error, APIError) and error.code == 429:
        return "o Google Planilhas atingiu o limite de uso por minuto"
    if isinstance(error, APIError):
        return f"o Google Planilhas está fora do ar (erro {error.code})"
    return "sem resposta do Google Planilhas (rede ou tempo esgotado)"


def to_cell(value: object) -> object:
    """A Python value as the Sheets API takes it with RAW input: dates as serial numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (value - SERIAL_EPOCH).total_seconds() / 86400
    if isinstance(value, date):
        return (value - SERIAL_EPOCH.date()).days
    if isinstance(value, Decimal):
        return float(value)
    return value


def translate(error: APIError, email: str, key: str, worksheet: str) -> SheetError:
    """A refusal from Google as the project's error, saying in pt-BR what to do."""
    message = str(error.error.get("message", ""))
    if error.code == 403:
        return SheetUnavailable(
            f"A conta de serviço não tem acesso à planilha. Compartilhe a planilha com"
            f" {email} como Editor."
        )
    if error.code == 404:  # Drive also answers 404 for a file not shared with the account
        return SheetUnavailable(
            f"Planilha {key} não encontrada. Confira GOOGLE_SHEET_ID (a chave ou o"
            f" endereço da planilha). Compartilhe a planilha com {email} como Editor."
        )
    if "Unable to parse range" in message:
        return SheetUnreadable(missing_tab_message(worksheet))
    return SheetUnreadable(f"O Google recusou a gravação: {message}")


def missing_tab_message(worksheet: str) -> str:
    """What to do when the cases tab is missing."""
    return (
        f'A aba "{worksheet}" não existe na planilha. Rode `flask sheet init` para'
        " criá-la, ou ajuste RETENCAO_WORKSHEET."
    )


def append_columns(sheet_id: int, count: int) -> dict:
    """The batchUpdate request that adds ``count`` columns at the grid's end."""
    return {"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": count}}


def header_cells(sheet_id: int, first: int, headers: Sequence[str]) -> dict:
    """The batchUpdate request that writes ``headers`` in row 1 from the 0-based ``first``."""
    values = [{"userEnteredValue": {"stringValue": header}} for header in headers]
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": first},
            "rows": [{"values": values}],
            "fields": "userEnteredValue",
        }
    }


def row_spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs of consecutive rows."""
    spans: list[tuple[int, int]] = []
    for number in numbers:
        if spans and spans[-1][1] == number - 1:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))
    return spans


def first_row(values: list[list[object]]) -> tuple[object, ...]:
    """The first row of a range's values (empty if the range was empty)."""
    return tuple(values[0]) if values else ()


def column_table(headers: tuple[str, ...], columns: list[list[list[object]]]) -> Table:
    """Columns read from the first data row down, side by side as rows of a table."""
    height = max((len(column) for column in columns), default=0)
    cells = [
        [(column[n][0] if n < len(column) and column[n] else "") for n in range(height)]
        for column in columns
    ]
    return Table(headers, tuple(zip(*cells, strict=True)))


def rows_by_id(table: Table) -> dict[str, int]:
    """The sheet row of each case ID in ``table`` (the first, if an ID repeats)."""
    rows: dict[str, int] = {}
    for number, values in table.records():
        rows.setdefault(str(values[ID_HEADER]).strip(), number)
    return rows


def first_row_number(a1_range: str) -> int:
    """The first row of a range as Google names it (``'Casos'!A12:BH13`` -> 12)."""
    return a1_to_rowcol(a1_range.rpartition("!")[2].partition(":")[0])[0]
