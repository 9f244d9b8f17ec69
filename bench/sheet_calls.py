"""Sheets calls and wall time per operation on the Google backend, against the test stand-in.

Each Google call sleeps ``--latency`` seconds in the stand-in, as the real API would take. Run
from the repository folder:

    .venv/bin/python bench/sheet_calls.py [--latency 0.15] [--cases 100 1000]
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from sheets import codec, get_book  # noqa: E402
from sheets.book import fingerprint  # noqa: E402
from sheets.google import to_cell  # noqa: E402
from sheets.google_setup import prepare  # noqa: E402
from tests.conftest import SERVICE_ACCOUNT, TAB  # noqa: E402
from tests.sample import full_case  # noqa: E402
from tests.standin import SheetsStandIn, service_account_info  # noqa: E402

BUDGET = {"salvar caso novo": 2, "salvar edição": 2, "listar casos": 1}


def build(folder: Path, cases: int) -> tuple[object, SheetsStandIn]:
    """An app on a stand-in spreadsheet already holding ``cases`` cases."""
    standin = SheetsStandIn()
    info = service_account_info(SERVICE_ACCOUNT)
    standin.register_service_account(info)
    key = standin.create_spreadsheet(
        title="Bench", worksheets=(TAB,), shared_with=(SERVICE_ACCOUNT,)
    )
    (folder / "key.json").write_text(json.dumps(info))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "GOOGLE_SHEET_ID": key,
            "GOOGLE_APPLICATION_CREDENTIALS": str(folder / "key.json"),
            "SHEETS_TRANSPORT": standin.adapter(),
            "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
            "RETENCAO_OUTBOX_INTERVAL": 0,
        }
    )
    with app.app_context():
        backend = get_book().backend
        prepare(backend)
        header = backend.read().headers
        rows = []
        for number in range(1, cases + 1):
            values = codec.encode(full_case(f"RET-2025-{number:04d}"))
            rows.append([to_cell(values.get(h)) for h in header])
        if rows:
            backend.http.values_append(
                key, f"'{TAB}'!A1", params={"valueInputOption": "RAW"}, body={"values": rows}
            )
    return app, standin


def measure(standin: SheetsStandIn, action) -> tuple[int, float]:
    """Sheets calls made and seconds taken by ``action``."""
    standin.reset_calls()
    start = time.perf_counter()
    action()
    return standin.count(), time.perf_counter() - start


def run(cases: int, latency: float) -> dict[str, tuple[int, float]]:
    """Calls and seconds of each operation with ``cases`` cases in the sheet."""
    with tempfile.TemporaryDirectory() as folder:
        app, standin = build(Path(folder), cases)
        standin.latency = latency
        with app.app_context():
            book = get_book()
            book.cases()  # the list was open before the form, as in real use
            added: list = []
            results = {
                "salvar caso novo": measure(
                    standin, lambda: added.append(book.add(full_case(""), "Ana").case)
                )
            }
            edited = replace(added[0], city="Dourados")
            results["salvar edição"] = measure(
                standin, lambda: book.update(edited.case_id, edited, fingerprint(added[0]), "Bia")
            )
            results["listar casos"] = measure(standin, book.cases)
    return results


def main() -> None:
    """Print one table row per operation and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per Google call")
    parser.add_argument("--cases", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    print(f"Latência simulada por chamada: {args.latency * 1000:.0f} ms")
    print(f"{'casos':>6}  {'operação':<18} {'chamadas':>8} {'limite':>6} {'tempo (ms)':>10}")
    for cases in args.cases:
        for operation, (calls, seconds) in run(cases, args.latency).items():
            print(
                f"{cases:>6}  {operation:<18} {calls:>8} {BUDGET[operation]:>6}"
                f" {seconds * 1000:>10.0f}"
            )


if __name__ == "__main__":
    main()
