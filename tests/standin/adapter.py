"""A requests transport adapter that hands requests to a WSGI app in-process."""

from collections.abc import Callable, Iterable
from io import BytesIO
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import EnvironBuilder

# Set by the app in the environ when the answer it just gave must be lost on the way back.
LOSE_ANSWER = "standin.lose_answer"

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class WSGIAdapter(BaseAdapter):
    """Sends requests for the given hosts to a WSGI app; any other host is unreachable."""

    def __init__(self, wsgi_app: WSGIApp, hosts: Iterable[str]) -> None:
        super().__init__()
        self.wsgi_app = wsgi_app
        self.hosts = frozenset(hosts)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: object = None,
        verify: object = True,
        cert: object = None,
        proxies: object = None,
    ) -> requests.Response:
        """Run the request through the app and return its answer as a requests.Response."""
        url = urlsplit(request.url)
        if url.hostname not in self.hosts:
            raise requests.exceptions.ConnectionError(
                f"No network: cannot reach {url.hostname}", request=request
            )
        environ = _environ(request, url.scheme, url.netloc, url.path, url.query)
        status, headers, content = _run(self.wsgi_app, environ)
        if environ.get(LOSE_ANSWER):
            raise requests.exceptions.ReadTimeout(
                f"Read timed out waiting for {url.hostname}", request=request
            )
        return self._response(request, status, headers, content)

    def close(self) -> None:
        """Nothing to release."""

    def __deepcopy__(self, memo: dict) -> "WSGIAdapter":
        # google-auth deep-copies the transport to look up a Regional Access Boundary in a
        # background thread; refusing makes it skip that lookup, which keeps tests deterministic.
        raise TypeError("WSGIAdapter is shared state and cannot be deep-copied")

    def _response(
        self,
        request: requests.PreparedRequest,
        status: str,
        headers: list[tuple[str, str]],
        content: bytes,
    ) -> requests.Response:
        code, _, reason = status.partition(" ")
        response = requests.Response()
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = BytesIO(content)
        response._content = content
        response._content_consumed = True
        response.url = request.url
        response.request = request
        response.connection = self
        return response


def _environ(
    request: requests.PreparedRequest, scheme: str, netloc: str, path: str, query: str
) -> dict:
    body = request.body or b""
    return EnvironBuilder(
        path=path or "/",
        base_url=f"{scheme}://{netloc}",
        query_string=query,
        method=request.method,
        headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
        data=body.encode() if isinstance(body, str) else body,
    ).get_environ()


def _run(app: WSGIApp, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    started: list = []

    def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
        started[:] = [status, headers]
        return lambda data: None

    answer = app(environ, start_response)
    try:
        content = b"".join(answer)
    finally:
        getattr(answer, "close", lambda: None)()
    return started[0], started[1], content
