"""Board render and sync time with many cases, on the local workbook and on Google (stand-in).

Google calls sleep ``--latency`` seconds in the stand-in. Run from the repository folder:

    .venv/bin/python bench/board_sync.py [--cases 10000] [--latency 0.15]
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from sheets import codec, get_book  # noqa: E402
from sheets.google import to_cell  # noqa: E402
from sheets.google_setup import prepare  # noqa: E402
from tests.conftest import SERVICE_ACCOUNT, TAB, GoogleSheet, WorkbookSheet  # noqa: E402
from tests.sample import full_case  # noqa: E402
from tests.standin import SheetsStandIn, service_account_info  # noqa: E402


def rows(cases: int, header) -> list[list[object]]:
    """``cases`` synthetic cases as cell rows in ``header`` order."""
    out = []
    for number in range(1, cases + 1):
        values = codec.encode(full_case(f"RET-2025-{number:05d}"))
        out.append([values.get(h) for h in header])
    return out


def local_app(folder: Path, cases: int):
    """An app on a local workbook holding ``cases`` cases, and the sheet as a person sees it."""
    path = folder / "casos.xlsx"
    with create_app(_config(folder) | {"RETENCAO_WORKBOOK": str(path)}).app_context():
        header = get_book().backend.read().headers  # creates the workbook with its header row
    workbook = openpyxl.load_workbook(path)
    for row in rows(cases, header):
        workbook[TAB].append(row)
    workbook.save(path)
    return create_app(_config(folder) | {"RETENCAO_WORKBOOK": str(path)}), WorkbookSheet(path), None


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
        _config(folder)
        | {
            "GOOGLE_SHEET_ID": key,
            "GOOGLE_APPLICATION_CREDENTIALS": str(folder / "key.json"),
            "SHEETS_TRANSPORT": standin.adapter(),
        }
    )
    with app.app_context():
        backend = get_book().backend
        prepare(backend)
        header = backend.read().headers
        body = [[to_cell(v) for v in row] for row in rows(cases, header)]
        backend.http.values_append(
            key, f"'{TAB}'!A1", params={"valueInputOption": "RAW"}, body={"values": body}
        )
    return app, GoogleSheet(standin, key), standin


def _config(folder: Path) -> dict:
    return {
        "SECRET_KEY": "bench",
        "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
        "RETENCAO_OUTBOX_INTERVAL": 0,
        "RETENCAO_SYNC_SECONDS": 3600,
    }


def timed(action) -> float:
    """Seconds ``action`` took."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(kind: str, cases: int, latency: float) -> list[tuple[str, float, str]]:
    """(measure, seconds, Sheets calls) for one backend."""
    with tempfile.TemporaryDirectory() as folder:
        app, sheet, standin = (google_app if kind == "google" else local_app)(Path(folder), cases)
        if standin:
            standin.latency = latency
        client = app.test_client()
        with app.app_context():
            sync = get_book().sync
        results = []

        def step(name, action):
            if standin:
                standin.reset_calls()
            seconds = timed(action)
            results.append((name, seconds, str(standin.count()) if standin else "-"))

        step("primeira sincronização (leitura completa)", sync.refresh)
        step("painel com instantâneo recente", lambda: client.get("/painel"))
        step("lista de casos com instantâneo recente", lambda: client.get("/"))
        step("sincronização sem mudança", sync.refresh)
        sheet.set_cell(f"RET-2025-{cases // 2:05d}", "Status retenção", "Desligamento")
        step("sincronização com 1 célula mudada", sync.refresh)
        step("painel após a mudança", lambda: client.get("/painel"))
        return results


def main() -> None:
    """Print one row per measure and backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per Google call")
    args = parser.parse_args()
    print(f"{args.cases} casos; latência simulada do Google: {args.latency * 1000:.0f} ms/chamada")
    print(f"{'planilha':<8} {'medida':<44} {'tempo (ms)':>10} {'chamadas':>8}")
    for kind in ("local", "google"):
        for name, seconds, calls in run(kind, args.cases, args.latency):
            print(f"{kind:<8} {name:<44} {seconds * 1000:>10.0f} {calls:>8}")


if __name__ == "__main__":
    main()
