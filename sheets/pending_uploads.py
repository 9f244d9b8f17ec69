"""Uploaded spreadsheets waiting between an import's preview and its confirmation."""

import os
import re
import secrets
import time
from pathlib import Path

KEEP_HOURS = 24
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_DATA, _NAME, _CLAIMED = ".dados", ".nome", ".importando"


class PendingUploads:
    """Files kept in ``folder`` under random tokens, readable by the owner only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def store(self, name: str, data: bytes) -> str:
        """Keep an uploaded file under a random token; files older than KEEP_HOURS go."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._prune()
        token = secrets.token_urlsafe(24)
        _write_private(self.folder / f"{token}{_NAME}", name.encode("utf-8"))
        _write_private(self.folder / f"{token}{_DATA}", data)
        return token

    def get(self, token: str) -> tuple[str, bytes] | None:
        """The name and content of the file kept under ``token``, or None if there is none."""
        if not _TOKEN.fullmatch(token):
            return None
        try:
            data = (self.folder / f"{token}{_DATA}").read_bytes()
        except FileNotFoundError:
            return None
        return self._name(token), data

    def claim(self, token: str) -> bool:
        """Take the file for importing; False if another request took it first (a double click)."""
        try:
            os.rename(self.folder / f"{token}{_DATA}", self.folder / f"{token}{_CLAIMED}")
        except FileNotFoundError:
            return False
        return True

    def discard(self, token: str) -> None:
        """Delete everything kept under ``token``."""
        for suffix in (_DATA, _NAME, _CLAIMED):
            (self.folder / f"{token}{suffix}").unlink(missing_ok=True)

    def _name(self, token: str) -> str:
        try:
            return (self.folder / f"{token}{_NAME}").read_text("utf-8")
        except FileNotFoundError:
            return ""

    def _prune(self) -> None:
        oldest = time.time() - KEEP_HOURS * 3600
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except FileNotFoundError:
                continue  # another request pruned it first


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
