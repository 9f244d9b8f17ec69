"""Retenção benchmarks: Sheets calls and time per operation, workbook I/O, concurrent saves, quota.

Prints tables; asserts nothing (the tests do that). Google is the in-process stand-in from
tests/standin, sleeping ``--latency`` seconds per call. Run from the repository folder:

    .venv/bin/python bench/run.py [--sizes 100 1000 10000] [--latency 0.15]
"""

import argparse
import json
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import DEFAULTS, create_app  # noqa: E402
from auth.users import UserStore  # noqa: E402
from sheets import codec, get_book  # noqa: E402
from sheets.google_client import Quota, to_cell  # noqa: E402
from sheets.google_setup import prepare  # noqa: E402
from sheets.planning import fingerprint  # noqa: E402
from tests.conftest import PASSWORD, SERVICE_ACCOUNT, TAB, GoogleSheet  # noqa: E402
from tests.sample import full_case  # noqa: E402
from tests.seeds import CLINIC_FORM  # noqa: E402
from tests.standin import SheetsStandIn, service_account_info  # noqa: E402

logging.disable(logging.INFO)  # the apps built here would announce their sheet each time


def synthetic_rows(count: int, header) -> list[list[object]]:
    """``count`` full synthetic cases as rows in ``header`` order."""
    rows = []
    for number in range(1, count + 1):
        values = codec.encode(full_case(f"RET-2025-{number:05d}"))
        rows.append([values.get(h) for h in header])
    return rows


def config(folder: Path) -> dict:
    """Settings shared by every app the benchmark builds."""
    return {
        "SECRET_KEY": "bench",
        "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
        "RETENCAO_USERS": str(folder / "users.sqlite3"),
        "RETENCAO_OUTBOX_INTERVAL": 0,
        "RETENCAO_SYNC_SECONDS": 3600,
    }


def signed_in(app):
    """A test client signed in as a supervisor, so pages are timed, not the sign-in redirect."""
    store = UserStore(Path(app.config["RETENCAO_USERS"]))
    if store.find("bench") is None:
        store.add("bench", "Bench", "supervisor", PASSWORD)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = store.find("bench").get_id()
        session["_fresh"] = True
    return client


def google_app(folder: Path, cases: int):
    """An app on a stand-in spreadsheet already holding ``cases`` cases."""
    standin = SheetsStandIn()
    info = service_account_info(SERVICE_ACCOUNT)
    standin.register_service_account(info)
    key = standin.create_spreadsheet(
        title="Bench", worksheets=(TAB,), shared_with=(SERVICE_ACCOUNT,)
    )
    (folder / "key.json").write_text(json.dumps(info))
    app = create_app(
        config(folder)
        | {
            "GOOGLE_SHEET_ID": key,
            "GOOGLE_APPLICATION_CREDENTIALS": str(folder / "key.json"),
            "SHEETS_TRANSPORT": standin.adapter(),
        }
    )
    standin.install_script(key)
    standin.person_open(key)  # a supervisor pasted the script and reopened the sheet
    with app.app_context():
        backend = get_book().backend
        prepare(backend)
        header = backend.read().headers
        body = [[to_cell(v) for v in row] for row in synthetic_rows(cases, header)]
        if body:
            backend.http.values_append(
                key, f"'{TAB}'!A1", params={"valueInputOption": "RAW"}, body={"values": body}
            )
    return app, standin, GoogleSheet(standin, key)


def google_operations(cases: int, latency: float) -> list[tuple]:
    """(cases, operation, Sheets calls, KiB received, ms, ms without the stand-in's own work,
    that as a multiple of its floor, calls x latency) for each operation on Google, the sheet's
    script installed and Drive's stamp lagging.

    The stand-in's own work (copying and scanning its grid, encoding answers) is Google's work
    on Google, where the latency already holds it, so the multiple leaves it out.
    """
    with tempfile.TemporaryDirectory() as folder:
        app, standin, sheet = google_app(Path(folder), cases)
        standin.latency = latency
        client = signed_in(app)
        results = []

        def measure(name, action):
            standin.reset_calls()
            start = time.perf_counter()
            action()
            ms, calls = (time.perf_counter() - start) * 1000, standin.count()
            own = ms - standin.served() * 1000
            floor = own / (calls * latency * 1000) if calls and latency else None
            results.append((cases, name, calls, standin.bytes() / 1024, ms, own, floor))

        with app.app_context():
            book = get_book()
            book.sync.full_every = 3600  # the scheduled full read stays out of the figures
            measure("leitura completa (antes: toda gravação)", lambda: book.sync.refresh(True))
            added = []
            measure("salvar caso novo", lambda: added.append(book.add(full_case(""), "Ana").case))
            edited = replace(added[0], city="Dourados")
            base = fingerprint(added[0])
            measure("salvar edição", lambda: book.update(edited.case_id, edited, base, "Bia"))
            book.sync.refresh()
            measure("lista de casos", lambda: client.get("/"))
            measure("painel", lambda: client.get("/painel"))
            measure("verificação sem mudança", book.sync.refresh)
            sheet.set_cell(added[0].case_id, "Status retenção", "Desligamento")
            measure("verificação com edição na planilha", book.sync.refresh)
        return results


def detection_delays(cases: int, latency: float, samples: int = 20) -> dict:
    """Seconds from a person's edit in the sheet until the board can show it.

    Pages check the sheet every ``RETENCAO_SYNC_SECONDS``; an edit lands at a random moment of
    that interval, so its wait is the rest of the interval (simulated) plus the check itself
    (measured: the log read and the read of the edited row, each with ``latency``; the
    stand-in's own work left out, as in the operations table).
    """
    rng = random.Random(11)
    delays, measured = [], []
    with tempfile.TemporaryDirectory() as folder:
        app, standin, sheet = google_app(Path(folder), cases)
        standin.latency = latency
        with app.app_context():
            book = get_book()
            interval, book.sync.full_every = DEFAULTS["RETENCAO_SYNC_SECONDS"], 3600
            book.sync.refresh(True)
            case_id = next(iter(book.sync.latest().cases))
            for number in range(samples):
                since_check = rng.uniform(0, interval)
                sheet.set_cell(case_id, "Cidade", f"CIDADE {number}")
                standin.reset_calls()
                start = time.perf_counter()
                book.sync.refresh()
                checked = time.perf_counter() - start
                assert book.get(case_id).city == f"CIDADE {number}"
                measured.append(interval - since_check + checked)
                delays.append(measured[-1] - standin.served())
    return {
        "p50": statistics.median(delays),
        "p95": statistics.quantiles(delays, n=20)[18],
        "max": max(delays),
        "p95_measured": statistics.quantiles(measured, n=20)[18],
    }


def workbook_io(cases: int) -> tuple[int, float, float, float]:
    """(cases, ms to load, ms to add one case, ms to read it back after someone saved)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "casos.xlsx"
        settings = config(Path(folder)) | {"RETENCAO_WORKBOOK": str(path)}
        with create_app(settings).app_context():
            header = get_book().backend.read().headers
        workbook = openpyxl.load_workbook(path)
        for row in synthetic_rows(cases, header):
            workbook[TAB].append(row)
        workbook.save(path)
        with create_app(settings).app_context():
            book = get_book()
            start = time.perf_counter()
            book.sync.refresh()
            load = time.perf_counter() - start
            start = time.perf_counter()
            book.add(full_case(""), "Ana")
            save = time.perf_counter() - start
            os.utime(path)  # as if someone saved the file
            start = time.perf_counter()
            book.sync.refresh()
            reload = time.perf_counter() - start
    return cases, load * 1000, save * 1000, reload * 1000


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def concurrent_submitters(submitters: int, each: int) -> dict:
    """Submitters posting the seed form at once through a real server on the local workbook."""
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        workbook = Path(folder) / "casos.xlsx"
        UserStore(Path(folder) / "users.sqlite3").add("bench", "Bench", "analista", PASSWORD)
        env = os.environ | {
            "RETENCAO_WORKBOOK": str(workbook),
            "RETENCAO_OUTBOX": str(Path(folder) / "outbox.sqlite3"),
            "RETENCAO_USERS": str(Path(folder) / "users.sqlite3"),
            "SECRET_KEY": "bench",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base)
            latencies: list[float] = []
            names: list[str] = []
            errors: list[str] = []
            start_line = threading.Barrier(submitters)
            threads = [
                threading.Thread(
                    target=_submit,
                    args=(base, n, each, start_line, latencies, names, errors),
                )
                for n in range(submitters)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
        sheet = openpyxl.load_workbook(workbook)[TAB]
        header, *rows = list(sheet.iter_rows(values_only=True))
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
    deadline = time.monotonic() + 30
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
    token = _token(session.get(base + "/entrar", timeout=60).text)
    session.post(base + "/entrar", data={**login, "csrf_token": token}, timeout=60)
    start_line.wait()
    for case in range(each):
        page = session.get(base + "/casos/novo", timeout=60).text
        token = _token(page)
        name = f"SUBMITTER {number:02d} CASE {case:02d}"
        form = {**CLINIC_FORM, "dentist_name": name, "csrf_token": token}
        started = time.perf_counter()
        answer = session.post(base + "/casos/novo", data=form, allow_redirects=False, timeout=60)
        latencies.append(time.perf_counter() - started)
        if answer.status_code == 302:
            names.append(name)
        else:
            errors.append(f"{answer.status_code}")


class FakeClock:
    """Seconds that only move when told to, shared by the app's quota and Google's."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def quota_burst(saves: int) -> dict:
    """A burst of saves from one process against Google's 60-a-minute quota."""
    with tempfile.TemporaryDirectory() as folder:
        app, standin, sheet = google_app(Path(folder), 0)
        clock = FakeClock()
        with app.app_context():
            book = get_book()
            book.sync.refresh()
            book.backend.reads = Quota("leituras", 60, clock)
            book.backend.writes = Quota("gravações", 60, clock)
            standin.clock, standin.quota_per_minute = clock, 60
            standin.reset_calls()
            saved = [book.add(full_case(""), "Ana") for _ in range(saves)]
            first_minute = standin.count("values_append")
            rejected = sum(1 for call in standin.calls if call.status == 429)
            waiting = sum(1 for s in saved if s.waiting)
            clock.now += 60
            standin.reset_calls()
            book.flush()
            appends = [unquote(c.path) for c in standin.calls if c.kind == "values_append"]
            history_appends = sum(book.history_tab in path for path in appends)
        ids = [row["ID do caso"] for row in sheet.rows()]
    return {
        "saves": saves,
        "writes_first_minute": first_minute,
        "429": rejected,
        "waiting": waiting,
        "drain_appends": len(appends) - history_appends,
        "history_appends": history_appends,
        "rows": len(ids),
        "unique": len(set(ids)),
    }


def main() -> None:
    """Run every benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per Google call")
    parser.add_argument("--submitters", type=int, default=20)
    parser.add_argument("--each", type=int, default=10)
    args = parser.parse_args()

    print(f"## Google Planilhas (stand-in, {args.latency * 1000:.0f} ms por chamada)")
    print("Script de detecção instalado; modifiedTime do Drive atrasado 180 s, como no Google.")
    print(
        f"{'casos':>6}  {'operação':<40} {'chamadas':>8} {'KiB recebidos':>13}"
        f" {'tempo (ms)':>10} {'sem o stand-in':>14} {'× piso':>6}"
    )
    for size in args.sizes:
        for cases, name, calls, kib, ms, own, floor in google_operations(size, args.latency):
            times = f"{floor:>6.2f}" if floor else f"{'-':>6}"
            print(
                f"{cases:>6}  {name:<40} {calls:>8} {kib:>13.1f} {ms:>10.0f} {own:>14.0f} {times}"
            )

    print("\n## Edição feita na planilha: segundos até o painel poder mostrá-la")
    print(f"{'casos':>6}  {'p50 (s)':>7} {'p95 (s)':>7} {'máx. (s)':>8} {'p95 medido (s)':>14}")
    for size in args.sizes:
        d = detection_delays(size, args.latency)
        print(
            f"{size:>6}  {d['p50']:>7.1f} {d['p95']:>7.1f} {d['max']:>8.1f}"
            f" {d['p95_measured']:>14.1f}"
        )

    print("\n## Planilha local (.xlsx)")
    print(f"{'casos':>6}  {'carregar (ms)':>13} {'salvar caso (ms)':>16} {'reler (ms)':>10}")
    for size in args.sizes:
        cases, load, save, reload = workbook_io(size)
        print(f"{cases:>6}  {load:>13.0f} {save:>16.0f} {reload:>10.0f}")

    print(f"\n## {args.submitters} pessoas salvando {args.each} casos cada, servidor real")
    result = concurrent_submitters(args.submitters, args.each)
    print(
        f"casos salvos {result['cases']}, {result['per_minute']:.0f} casos/min,"
        f" p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms,"
        f" perdidos {result['lost']}, duplicados {result['duplicated']},"
        f" respostas de erro {result['errors']}"
    )

    print("\n## Rajada de 100 gravações contra a cota de 60 por minuto")
    burst = quota_burst(100)
    print(
        f"gravações no 1º minuto {burst['writes_first_minute']} (limite 60),"
        f" respostas 429 {burst['429']}, aguardando na fila {burst['waiting']},"
        f" appends para esvaziar a fila {burst['drain_appends']}"
        f" (+{burst['history_appends']} do histórico),"
        f" linhas na planilha {burst['rows']} (únicas {burst['unique']})"
    )


if __name__ == "__main__":
    main()
