"""HTML to PDF with WeasyPrint, reading nothing but the app's own static files from disk."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join


class StaticFilesOnly(URLFetcher):
    """Serves ``<base_url><static_path>/...`` from ``folder`` and refuses every other URL.

    The PDF is made offline: no request ever leaves the process, not even to this app.
    """

    def __init__(self, base_url: str, static_path: str, folder: str) -> None:
        super().__init__()
        self.prefix = base_url.rstrip("/") + static_path.rstrip("/") + "/"
        self.folder = folder

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The static file ``url`` names; ValueError for anything else."""
        if not url.startswith(self.prefix):
            raise ValueError(f"only the app's static files are read: {url}")
        relative = unquote(urlsplit(url[len(self.prefix) :]).path)
        path = safe_join(self.folder, relative)
        if path is None or not Path(path).is_file():
            raise ValueError(f"no such static file: {url}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})


def html_to_pdf(html: str, base_url: str, static_path: str, folder: str) -> bytes:
    """``html`` (a page whose links are relative to ``base_url``) laid out as a PDF."""
    fetcher = StaticFilesOnly(base_url, static_path, folder)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
