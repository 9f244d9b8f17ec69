"""Retenção benchmarks: Sheets calls and time per operation, workbook I/O, concurrent saves, quota,
the board's time and bytes.

Prints tables; asserts nothing (the tests do that). Google is the in-process stand-in from
tests/standin, sleeping ``--latency`` seconds per call. Run from the repository folder:

    .venv/bin/python bench/run.py [--sizes 100 1000 10000] [--latency 0.15]
    .venv/bin/python bench/run.py --only board [--board-sizes 1000 10000]
"""

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import board  # noqa: E402  (bench/ is on sys.path when this script runs)
import on_workbook  # noqa: E402

from app import DEFAULTS, create_app  # noqa: E402
from auth.users import UserStore  # noqa: E402
from sheets import codec, get_book  # noqa: E402
from sheets.google_client import Quota, to_cell  # noqa: E402
from sheets.google_setup import prepare  # noqa: E402
from sheets.planning import fingerprint  # noqa: E402
from tests.conftest import PASSWORD, SERVICE_ACCOUNT, TAB, GoogleSheet  # noqa: E402
from tests.sample import full_case  # noqa: E402
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
    """A test client signed in as a supervisor, so pages are timed, not the sign-in redirect
    (nor the first-access page, which a store without users leads to)."""
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


def measured(standin, latency: float, cases: int, name: str, action) -> tuple:
    """One operation's row: calls, KiB, ms, ms without the stand-in's work, × its floor."""
    standin.reset_calls()
    start = time.perf_counter()
    action()
    ms, calls = (time.perf_counter() - start) * 1000, standin.count()
    own = ms - standin.served() * 1000
    floor = own / (calls * latency * 1000) if calls and latency else None
    return cases, name, calls, standin.bytes() / 1024, ms, own, floor


def google_operations(cases: int, latency: float) -> list[tuple]:
    """``measured`` rows for each operation on Google, the sheet's script installed and Drive's
    stamp lagging. The stand-in's own work (copying and scanning its grid, encoding answers) is
    Google's work on Google, inside the latency there, so the multiple leaves it out."""
    with tempfile.TemporaryDirectory() as folder:
        app, standin, sheet = google_app(Path(folder), cases)
        standin.latency = latency
        client = signed_in(app)

        def measure(name, action):
            results.append(measured(standin, latency, cases, name, action))

        results: list[tuple] = []
        with app.app_context():
            book = get_book()
            book.sync.full_every = 3600  # the scheduled full read stays out of the figures
            measure("leitura completa (antes: toda gravação)", lambda: book.sync.refresh(True))
            added = []
            measure("salvar caso novo", lambda: added.append(book.add(full_case(""), "Ana").case))
            edited, base = replace(added[0], city="Dourados"), fingerprint(added[0])
            measure("salvar edição", lambda: book.update(edited.case_id, edited, base, "Bia"))
            book.sync.refresh()
            measure("lista de casos", lambda: page(client, "/"))
            measure("lista por dias em aberto", lambda: page(client, "/?ordem=dias&sentido=desc"))
            measure("lista, busca ao digitar", lambda: page(client, "/?q=silva"))
            measure("painel", lambda: page(client, "/painel"))
            measure("verificação sem mudança", book.sync.refresh)
            sheet.set_cell(added[0].case_id, "Status retenção", "Desligamento")
            measure("verificação com edição na planilha", book.sync.refresh)
        return results


def page(client, url: str) -> None:
    """Ask for a page; stop the run if it is not the page itself (a redirect, an error)."""
    answer = client.get(url)
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code} {answer.location or ''}")


def detection_delays(cases: int, latency: float, samples: int = 20) -> dict:
    """Seconds from a person's edit in the sheet until the board can show it.

    Pages check the sheet every ``RETENCAO_SYNC_SECONDS``; an edit lands at a random moment of
    that interval, so its wait is the rest of the interval (simulated) plus the check itself
    (measured: the log read and the read of the edited row, each with ``latency``; the
    stand-in's own work left out, as in the operations table).
    """
    rng, interval = random.Random(11), DEFAULTS["RETENCAO_SYNC_SECONDS"]
    delays, measured = [], []
    with tempfile.TemporaryDirectory() as folder:
        app, standin, sheet = google_app(Path(folder), cases)
        standin.latency = latency
        with app.app_context():
            book = get_book()
            book.sync.full_every = 3600
            book.sync.refresh(True)
            case_id = next(iter(book.sync.latest().cases))
            for number in range(samples):
                checked, own = _check_after_edit(book, standin, sheet, case_id, f"CIDADE {number}")
                waited = interval - rng.uniform(0, interval)
                measured.append(waited + checked)
                delays.append(waited + own)
    quantiles = statistics.quantiles(delays, n=20)
    return {
        "p50": statistics.median(delays),
        "p95": quantiles[18],
        "max": max(delays),
        "p95_measured": statistics.quantiles(measured, n=20)[18],
    }


def _check_after_edit(book, standin, sheet, case_id: str, city: str) -> tuple[float, float]:
    """A person types ``city``; seconds the next check takes, whole and without the stand-in."""
    sheet.set_cell(case_id, "Cidade", city)
    standin.reset_calls()
    start = time.perf_counter()
    book.sync.refresh()
    checked = time.perf_counter() - start
    assert book.get(case_id).city == city
    return checked, checked - standin.served()


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
            result = {
                "saves": saves,
                "writes_first_minute": standin.count("values_append"),
                "429": sum(1 for call in standin.calls if call.status == 429),
                "waiting": sum(1 for s in saved if s.waiting),
            }
            clock.now += 60
            result |= _drained(book, standin)
        ids = [row["ID do caso"] for row in sheet.rows()]
    return result | {"rows": len(ids), "unique": len(set(ids))}


def _drained(book, standin) -> dict:
    """Send what waited; how many appends it took, for the cases and for the history."""
    standin.reset_calls()
    book.flush()
    appends = [unquote(c.path) for c in standin.calls if c.kind == "values_append"]
    history = sum(book.history_tab in path for path in appends)
    return {"drain_appends": len(appends) - history, "history_appends": history}


def main() -> None:
    """Run every benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per Google call")
    parser.add_argument("--submitters", type=int, default=20)
    parser.add_argument("--each", type=int, default=10)
    parser.add_argument("--board-sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--only", choices=["board"], help="run only that table")
    args = parser.parse_args()
    if args.only != "board":
        print_others(args)
    board.print_board(args.board_sizes, signed_in)


def print_others(args: argparse.Namespace) -> None:
    """Every table but the board's."""
    print_google(args.sizes, args.latency)
    print_detection(args.sizes, args.latency)
    print()
    workbook = on_workbook.sizes_table(args.sizes, args.submitters, args.each)
    on_workbook.print_sizes(workbook, args.submitters, args.each)
    print_burst()


def print_google(sizes: list[int], latency: float) -> None:
    """The table of Sheets calls, bytes and times per operation."""
    print(f"## Google Planilhas (stand-in, {latency * 1000:.0f} ms por chamada)")
    print("Script de detecção instalado; modifiedTime do Drive atrasado 180 s, como no Google.")
    print(
        f"{'casos':>6}  {'operação':<40} {'chamadas':>8} {'KiB recebidos':>13}"
        f" {'tempo (ms)':>10} {'sem o stand-in':>14} {'× piso':>6}"
    )
    for size in sizes:
        for cases, name, calls, kib, ms, own, floor in google_operations(size, latency):
            times = f"{floor:>6.2f}" if floor else f"{'-':>6}"
            print(
                f"{cases:>6}  {name:<40} {calls:>8} {kib:>13.1f} {ms:>10.0f} {own:>14.0f} {times}"
            )


def print_detection(sizes: list[int], latency: float) -> None:
    """The table of seconds until a person's edit can show."""
    print("\n## Edição feita na planilha: segundos até o painel poder mostrá-la")
    print(f"{'casos':>6}  {'p50 (s)':>7} {'p95 (s)':>7} {'máx. (s)':>8} {'p95 medido (s)':>14}")
    for size in sizes:
        d = detection_delays(size, latency)
        print(
            f"{size:>6}  {d['p50']:>7.1f} {d['p95']:>7.1f} {d['max']:>8.1f}"
            f" {d['p95_measured']:>14.1f}"
        )


def print_burst() -> None:
    """A burst of 100 saves against the quota."""
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
