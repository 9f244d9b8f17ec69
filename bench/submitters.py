"""People saving at once through a real server (``flask run``) on the local workbook.

Imported by bench/run.py and bench/on_workbook.py. Each submitter signs in, then saves the seed
form ``each`` times with a name of its own; afterwards the workbook is read with
python-calamine to count the names lost and the rows or IDs duplicated.
"""

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import python_calamine
import requests

from auth.users import UserStore
from tests.conftest import PASSWORD, TAB
from tests.seeds import CLINIC_FORM

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def concurrent_submitters(workbook: Path, submitters: int, each: int) -> dict:
    """``submitters`` people saving ``each`` cases at once into ``workbook`` (made if missing)."""
    folder = workbook.parent
    UserStore(folder / "users.sqlite3").add("bench", "Bench", "analista", PASSWORD)
    port = free_port()
    server = _server(workbook, port)
    try:
        _wait_for(f"http://127.0.0.1:{port}")
        names, latencies, errors, elapsed = _submit_all(port, submitters, each)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return _counted(workbook, names, latencies, errors, elapsed)


def _server(workbook: Path, port: int) -> subprocess.Popen:
    folder = workbook.parent
    env = os.environ | {
        "RETENCAO_WORKBOOK": str(workbook),
        "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
        "RETENCAO_USERS": str(folder / "users.sqlite3"),
        "SECRET_KEY": "bench",
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _submit_all(port: int, submitters: int, each: int) -> tuple[list, list, list, float]:
    latencies: list[float] = []
    names: list[str] = []
    errors: list[str] = []
    start_line = threading.Barrier(submitters)
    base = f"http://127.0.0.1:{port}"
    threads = [
        threading.Thread(target=_submit, args=(base, n, each, start_line, latencies, names, errors))
        for n in range(submitters)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return names, latencies, errors, time.perf_counter() - started


def _counted(workbook: Path, names: list, latencies: list, errors: list, elapsed: float) -> dict:
    grid = python_calamine.CalamineWorkbook.from_path(workbook).get_sheet_by_name(TAB).to_python()
    header, *rows = grid
    stored = [row[header.index("Nome dentista")] for row in rows]
    ids = [row[header.index("ID do caso")] for row in rows]
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "cases": len(names),
        "per_minute": len(names) / elapsed * 60,
        "p50": quantiles[49] * 1000,
        "p95": quantiles[94] * 1000,
        "lost": len(set(names) - set(stored)),
        "duplicated": len(ids) - len(set(ids)) + len(stored) - len(set(stored)),
        "errors": len(errors),
    }


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/entrar", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _token(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]


def _submit(base, number, each, start_line, latencies, names, errors) -> None:
    session = requests.Session()
    login = {"username": "bench", "password": PASSWORD}
    token = _token(session.get(base + "/entrar", timeout=120).text)
    session.post(base + "/entrar", data={**login, "csrf_token": token}, timeout=120)
    start_line.wait()
    for case in range(each):
        token = _token(session.get(base + "/casos/novo", timeout=120).text)
        name = f"SUBMITTER {number:02d} CASE {case:02d}"
        form = {**CLINIC_FORM, "dentist_name": name, "csrf_token": token}
        started = time.perf_counter()
        answer = session.post(base + "/casos/novo", data=form, allow_redirects=False, timeout=120)
        latencies.append(time.perf_counter() - started)
        if answer.status_code == 302:
            names.append(name)
        else:
            errors.append(f"{answer.status_code}")
