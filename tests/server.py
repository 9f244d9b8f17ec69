"""The app served as for the team: gunicorn with gunicorn.conf.py on a free port of 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0  # seconds for the server to answer its first request


@dataclass(frozen=True)
class Served:
    """A running server: its address and its master process."""

    url: str
    pid: int


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(settings: dict[str, str], log: Path, workers: int = 3) -> Iterator[Served]:
    """The production server with ``settings`` (never a developer's .env) until the block ends,
    once it answers. Its output goes to ``log``."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "FLASK_SKIP_DOTENV": "1", "PYTHONUNBUFFERED": "1", **settings}
    env.update(RETENCAO_BIND=url.removeprefix("http://"), RETENCAO_WORKERS=str(workers))
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url + "/saude", process, log)
        yield Served(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"the app did not answer {url} within {START_TIMEOUT:.0f} s:\n{log.read_text()}")
