"""An in-process stand-in of Google Sheets API v4, Drive file metadata and the OAuth token service.

Behaviour that is deliberately simpler than Google's is listed in `SIMPLIFICATIONS`.
"""

import builtins
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from tests.standin.adapter import LOSE_ANSWER, WSGIAdapter
from tests.standin.auth import DRIVE_METADATA, SHEETS_READ, SHEETS_WRITE, Tokens
from tests.standin.batch_requests import apply_requests
from tests.standin.errors import QUOTA_MESSAGE, ApiError, OAuthError, drive_not_found
from tests.standin.grid import DRIVE_LAG, Book, check_cap
from tests.standin.ui import SheetsUI
from tests.standin.values import (
    values_append,
    values_batch_clear,
    values_batch_get,
    values_batch_update,
    values_clear,
    values_get,
    values_update,
)

SIMPLIFICATIONS = """
- Formulas are stored, never evaluated: a formula cell's value (formatted or not) is "#N/A".
- FORMATTED_VALUE renders numbers with Python's str() (Google would use the pt_BR locale and the
  cell's format, e.g. "0,3" or "R$ 1.234,56"); only DATE/TIME/DATE_TIME patterns are applied,
  and of those only the numeric tokens d, dd, m, mm, yy, yyyy, h, hh, ss.
- USER_ENTERED recognises formulas, a leading apostrophe, TRUE/FALSE/VERDADEIRO/FALSO, pt_BR
  numbers (with R$ and %) and dd/mm/yyyy [hh:mm[:ss]] or hh:mm[:ss]; only dates and times get an
  automatic number format. Other forms Google converts (ISO dates, 17/06, ...) stay text.
- Of a cell's format only userEnteredFormat.numberFormat is kept; other format fields are ignored.
- values.append: if the range's first row is empty the values go there; otherwise "the table"
  runs from that row to the last non-empty row of the sheet, blank rows in between included.
- Inserted rows/columns copy the number format and validation (nothing else) of the row/column
  before them (insertDimension: as inheritFromBefore says; append INSERT_ROWS and a person: before,
  or after when there is none before). Rows/columns added at the grid's end get none.
- In a cell formatted TEXT (plain text), USER_ENTERED input is stored as typed, apostrophe too.
- Protected ranges follow inserted and deleted rows/columns but not moved ones; they never get
  an `editors` list.
- Reads clamp a range to the grid and refuse one that starts outside it. Error messages quote
  the sheet name of a GridRange, and of an A1 range when the request quoted it.
- Quota is a fixed 60 s window per account and kind (read/write), Drive calls included.
- Only majorDimension=ROWS is served. Endpoints not modelled answer 404 "Method not found.";
  batchUpdate requests and field masks not modelled answer 400 naming the stand-in.
- Drive's modifiedTime of a Sheets file lags as on Google (which refreshes it only every few
  minutes): changes are published on a fixed schedule every `drive_lag` seconds of the stand-in's
  clock (default 180); set `drive_lag = 0` for a stamp that moves on every change.
- install_script runs a model of sheets/apps_script.gs (tests/standin/apps_script.py) as its
  simple triggers: person_type, person_paste, person_tick and the header person_insert_column
  types run onEdit, person_open runs onOpen; API writes and people's row, column and sort
  changes run nothing (on Google those fire only an installable onChange). The trigger's change
  is committed right after the person's, under the stand-in's lock taken anew, so another
  thread's call may see the edit before its log entry (as on Google, where the trigger runs a
  moment later). The script's document lock is granted at once, or refused while
  script_lock_refused is set; two triggers never race. Edits of several ranges at once, undo,
  fill and find-and-replace are not modelled. A date in the ID column is logged as its serial
  number (the script would log JavaScript's text of the Date).
- Call.response_bytes and bytes() count the JSON body as the stand-in sends it: indented as
  Google's (prettyPrint), never gzip-compressed (Google compresses when the client accepts gzip,
  as requests does); whitespace and key order may differ a little from Google's.
- Access tokens never expire. google-auth's background Regional Access Boundary lookup is not
  served: the adapter cannot be deep-copied, so google-auth skips it.
"""

SHEETS_HOST = "sheets.googleapis.com"
DRIVE_HOST = "www.googleapis.com"
OAUTH_HOST = "oauth2.googleapis.com"
HOSTS = frozenset({SHEETS_HOST, DRIVE_HOST, OAUTH_HOST})

READS = frozenset({"get_spreadsheet", "values_get", "values_batch_get", "drive_get"})

ROUTES = Map(
    [
        Rule("/token", host=OAUTH_HOST, methods=["POST"], endpoint="token"),
        Rule("/drive/v3/files/<key>", host=DRIVE_HOST, methods=["GET"], endpoint="drive_get"),
        Rule(
            "/v4/spreadsheets/<key>", host=SHEETS_HOST, methods=["GET"], endpoint="get_spreadsheet"
        ),
        Rule(
            "/v4/spreadsheets/<key>:batchUpdate",
            host=SHEETS_HOST,
            methods=["POST"],
            endpoint="batch_update",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values:batchGet",
            host=SHEETS_HOST,
            methods=["GET"],
            endpoint="values_batch_get",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values:batchUpdate",
            host=SHEETS_HOST,
            methods=["POST"],
            endpoint="values_batch_update",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values:batchClear",
            host=SHEETS_HOST,
            methods=["POST"],
            endpoint="values_batch_clear",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values/<path:rng>",
            host=SHEETS_HOST,
            methods=["GET"],
            endpoint="values_get",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values/<path:rng>",
            host=SHEETS_HOST,
            methods=["PUT"],
            endpoint="values_update",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values/<path:rng>:append",
            host=SHEETS_HOST,
            methods=["POST"],
            endpoint="values_append",
        ),
        Rule(
            "/v4/spreadsheets/<key>/values/<path:rng>:clear",
            host=SHEETS_HOST,
            methods=["POST"],
            endpoint="values_clear",
        ),
    ],
    host_matching=True,
)


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered."""

    method: str
    kind: str
    path: str
    params: dict
    body: dict | None
    status: int
    response_bytes: int  # the length of the JSON body as sent
    served_seconds: float = 0.0  # the stand-in's own work for it, the latency sleep aside


# ---- HTTP plumbing


def json_response(payload: dict, status: int) -> Response:
    """A JSON answer with Google's content type."""
    return Response(
        json.dumps(payload, ensure_ascii=False, indent=2),
        status=f"{status} {HTTPStatus(status).phrase}",
        content_type="application/json; charset=UTF-8",
    )


def _params(request: Request) -> dict:
    # A repeated parameter (values:batchGet's `ranges`) becomes a list; others stay strings.
    return {k: v[0] if len(v) == 1 else v for k, v in request.args.to_dict(flat=False).items()}


def _json_body(request: Request) -> dict | None:
    data = request.get_data()
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError as error:
        raise ApiError(400, f"Invalid JSON payload received. {error}") from None


# ---- the service


class SheetsStandIn(SheetsUI):
    """Google Sheets v4, Drive files.get and the OAuth token endpoint, in-process."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.latency = 0.0
        self.sleep: Callable[[float], None] = time.sleep
        self.quota_per_minute: int | None = None
        self.drive_lag = DRIVE_LAG
        self._tokens = Tokens()
        self._failures: list[int] = []
        self._down: int | None = None
        self._losses: list[frozenset[str]] = []
        self._quota: dict[tuple[str, bool], tuple[float, int]] = {}

    # -- set-up

    def register_service_account(self, info: dict[str, str]) -> None:
        """Learn the public key of a service account's key file."""
        with self._lock:
            self._tokens.register(info)

    def adapter(self) -> WSGIAdapter:
        """A requests adapter to mount on "https://" so Google's URLs reach this stand-in."""
        return WSGIAdapter(self.wsgi_app, HOSTS)

    # -- faults and accounting

    def count(self, *kinds: str) -> int:
        """How many calls of those kinds were answered (all API calls if none named)."""
        with self._lock:
            if kinds:
                return sum(call.kind in kinds for call in self.calls)
            return sum(call.kind != "token" for call in self.calls)

    def bytes(self, *kinds: str) -> int:
        """The size of the answers to calls of those kinds (all API calls if none named)."""
        with self._lock:
            if kinds:
                return sum(call.response_bytes for call in self.calls if call.kind in kinds)
            return sum(call.response_bytes for call in self.calls if call.kind != "token")

    def served(self) -> float:
        """Seconds the stand-in itself spent answering API calls (Google's own work, which
        its latency includes), the simulated latency aside."""
        with self._lock:
            return sum(call.served_seconds for call in self.calls if call.kind != "token")

    def reset_calls(self) -> None:
        """Forget the calls answered so far."""
        with self._lock:
            self.calls.clear()

    def fail_next(self, n: int, status: int = 429) -> None:
        """Answer the next `n` API calls with that error, doing nothing else."""
        with self._lock:
            self._failures.extend([status] * n)

    def go_down(self, status: int = 503) -> None:
        """Answer every API call with that error until come_up()."""
        with self._lock:
            self._down = status

    def come_up(self) -> None:
        """Serve API calls again after go_down()."""
        with self._lock:
            self._down = None

    def lose_next_answers(self, n: int, kinds: Iterable[str] = ()) -> None:
        """Carry out the next `n` API calls (of those kinds, if named) but lose their answers."""
        with self._lock:
            self._losses.extend([frozenset(kinds)] * n)

    # -- HTTP

    # builtins.bytes: in this class, "bytes" is the method above.
    def wsgi_app(self, environ: dict, start_response: Callable) -> Iterable[builtins.bytes]:
        """Answer one HTTP request as Google's servers would."""
        request = Request(environ)
        try:
            kind, args = ROUTES.bind_to_environ(environ).match()
        except HTTPException:
            kind, args = "unknown", {}
        respond = self._token if kind == "token" else self._api
        return respond(request, kind, args)(environ, start_response)

    def _token(self, request: Request, kind: str, args: dict) -> Response:
        form = request.form.to_dict()
        with self._lock:
            try:
                payload, status = self._tokens.grant(form), 200
            except OAuthError as error:
                payload, status = (
                    {"error": error.error, "error_description": error.description},
                    400,
                )
            response = json_response(payload, status)
            size = len(response.get_data())
            self.calls.append(Call(request.method, kind, request.path, {}, form, status, size))
        return response

    def _api(self, request: Request, kind: str, args: dict) -> Response:
        if self.latency:
            self.sleep(self.latency)
        with self._lock:
            started, body = time.perf_counter(), None
            try:
                body = _json_body(request)
                payload, status = self._serve(request, kind, args, body), 200
            except ApiError as error:
                payload, status = error.body(), error.code
            if self._take_loss(kind):
                request.environ[LOSE_ANSWER] = True
            response = json_response(payload, status)
            params, size = _params(request), len(response.get_data())
            served = time.perf_counter() - started
            call = Call(request.method, kind, request.path, params, body, status, size, served)
            self.calls.append(call)
        return response

    def _take_loss(self, kind: str) -> bool:
        loss = next((i for i, kinds in enumerate(self._losses) if not kinds or kind in kinds), None)
        if loss is None:
            return False
        del self._losses[loss]
        return True

    def _serve(self, request: Request, kind: str, args: dict, body: dict | None) -> dict:
        if self._down is not None or self._failures:
            status = self._down if self._down is not None else self._failures.pop(0)
            raise ApiError(status, self._quota_message(kind) if status == 429 else None)
        grant = self._tokens.authenticate(request.headers.get("Authorization"))
        handler = getattr(self, f"_serve_{kind}", None)
        if handler is None:
            raise ApiError(404, "Method not found.")
        if not grant.scopes & _scopes_for(kind):
            raise ApiError(403, "Request had insufficient authentication scopes.")
        email = grant.email
        self._spend_quota(email, kind)
        return handler(request, email, body, **args)

    def _spend_quota(self, email: str, kind: str) -> None:
        if self.quota_per_minute is None:
            return
        now, bucket = self.clock(), (email, kind in READS)
        start, used = self._quota.get(bucket, (now, 0))
        if now - start >= 60:
            start, used = now, 0
        if used >= self.quota_per_minute:
            raise ApiError(429, self._quota_message(kind))
        self._quota[bucket] = (start, used + 1)

    @staticmethod
    def _quota_message(kind: str) -> str:
        return QUOTA_MESSAGE.format("Read" if kind in READS else "Write")

    def _book(self, key: str, email: str) -> Book:
        book = self._books.get(key)
        if book is None:
            raise ApiError(404)
        if email not in book.shared_with:
            raise ApiError(403)
        return book

    def _write(self, key: str, email: str, change: Callable[[Book], dict]) -> dict:
        # All or nothing: changes go to a draft that replaces the book only if all went well.
        draft = self._book(key, email).copy()
        result = change(draft)
        check_cap(draft)
        self._commit(draft)
        return result

    # -- endpoints

    def _serve_get_spreadsheet(self, request: Request, email: str, body: None, key: str) -> dict:
        return self._book(key, email).metadata()

    def _serve_drive_get(self, request: Request, email: str, body: None, key: str) -> dict:
        book = self._books.get(key)
        if book is None or email not in book.shared_with:
            raise drive_not_found(key)
        book.publish(self.clock(), self.drive_lag)
        return book.drive_metadata(request.args.get("fields"))

    def _serve_values_get(
        self, request: Request, email: str, body: None, key: str, rng: str
    ) -> dict:
        read = values_get(request.args, rng)
        return read(self._book(key, email))

    def _serve_values_batch_get(self, request: Request, email: str, body: None, key: str) -> dict:
        read = values_batch_get(request.args)
        return read(self._book(key, email))

    def _serve_batch_update(self, request: Request, email: str, body: dict, key: str) -> dict:
        requests = (body or {}).get("requests", [])
        replies = self._write(key, email, lambda book: apply_requests(book, requests))
        return {"spreadsheetId": key, "replies": replies}

    def _serve_values_update(
        self, request: Request, email: str, body: dict, key: str, rng: str
    ) -> dict:
        return self._write(key, email, values_update(request.args, body, rng))

    def _serve_values_append(
        self, request: Request, email: str, body: dict, key: str, rng: str
    ) -> dict:
        return self._write(key, email, values_append(request.args, body, rng))

    def _serve_values_batch_update(
        self, request: Request, email: str, body: dict, key: str
    ) -> dict:
        return self._write(key, email, values_batch_update(body))

    def _serve_values_batch_clear(self, request: Request, email: str, body: dict, key: str) -> dict:
        return self._write(key, email, values_batch_clear(body))

    def _serve_values_clear(
        self, request: Request, email: str, body: dict, key: str, rng: str
    ) -> dict:
        return self._write(key, email, values_clear(rng))


def _scopes_for(kind: str) -> frozenset[str]:
    if kind == "drive_get":
        return DRIVE_METADATA
    return SHEETS_READ if kind in READS else SHEETS_WRITE
