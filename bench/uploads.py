"""Hostile uploads: each attack file is built in memory and fed to the upload reader and to the
real ``/importar`` route (Flask test client), one subprocess per file and path, printing the
answer, the time and the peak memory: Python's (tracemalloc) and the process's resident set
during the call (Linux: the peak is reset through /proc/self/clear_refs, then read as VmHWM).
Prints figures; asserts nothing (the tests do that).

    .venv/bin/python bench/uploads.py [--bomb-mib 1024] [--only NAME ...]
"""

import argparse
import io
import json
import logging
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from app import DEFAULTS, create_app  # noqa: E402
from auth.users import UserStore  # noqa: E402
from sheets.export import to_csv, to_xlsx  # noqa: E402
from sheets.upload import read_upload  # noqa: E402
from sheets.upload_limits import UnreadableFile, UploadLimits  # noqa: E402
from tests import hostile_files as hostile  # noqa: E402
from tests.conftest import PASSWORD  # noqa: E402
from tests.html import field_errors  # noqa: E402
from tests.sample import full_case  # noqa: E402

logging.disable(logging.INFO)  # the app would announce its workbook
PATHS = ("leitor", "rota")


def attack_files(bomb_bytes: int) -> dict[str, tuple[str, Callable[[], bytes]]]:
    """Label -> (file name, builder) of every file the benchmark uploads."""
    cases = [full_case(f"RET-2025-{number:05d}") for number in range(1, 2001)]
    mib = bomb_bytes >> 20
    return {
        f"bomba zip ({mib} MiB declarados)": ("bomba.xlsx", lambda: hostile.zip_bomb(bomb_bytes)),
        f"bomba zip, tamanho falso (1 KB declarado, {mib} MiB reais)": (
            "falsa.xlsx",
            lambda: hostile.lying_zip_bomb(bomb_bytes),
        ),
        "billion laughs (10 níveis de entidades)": ("risos.xlsx", hostile.billion_laughs),
        "uma célula em XFD1048576": ("longe.xlsx", hostile.far_cell),
        "aba que declara A1:XFD1048576, com 2 células": (
            "dimensao.xlsx",
            hostile.declared_dimension,
        ),
        "CSV de 100.000 linhas": ("linhas.csv", hostile.csv_of_rows),
        "normal: 2.000 casos completos (.xlsx)": (
            "normal.xlsx",
            lambda: to_xlsx(cases, masked=False),
        ),
        "normal: 2.000 casos completos (.csv)": ("normal.csv", lambda: to_csv(cases, masked=False)),
    }


def read_directly(name: str, data: bytes) -> str:
    """The upload reader's answer: how many rows, or the pt-BR refusal."""
    try:
        upload = read_upload(name, data, "Casos", UploadLimits.from_config(DEFAULTS))
    except UnreadableFile as error:
        return f"recusado: {error}"
    return f"lido: {len(upload.rows)} linha(s)"


def route_client(folder: Path):
    """A test client of a real app on a fresh workbook, signed in as a supervisor."""
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RETENCAO_WORKBOOK": str(folder / "casos.xlsx"),
            "RETENCAO_USERS": str(folder / "users.sqlite3"),
            "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
            "RETENCAO_IMPORT_FOLDER": str(folder / "importacoes"),
            "RETENCAO_OUTBOX_INTERVAL": 0,
        }
    )
    store = UserStore(folder / "users.sqlite3")
    store.add("bench", "Bench", "supervisor", PASSWORD)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = store.find("bench").get_id()
        session["_fresh"] = True
    client.get("/")  # the workbook exists before the upload is timed
    return client


def post_upload(client, name: str, data: bytes) -> str:
    """The route's answer: its status and the error beside the field, or where it redirects."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    response = client.post(
        "/importar", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    errors = field_errors(response.get_data(as_text=True), "file")
    where = response.headers.get("Location", "")
    shown = " ".join(errors) or ("prévia" if "/importar/" in where else where)
    return f"{response.status_code}: {shown}"


def measure(path: str, name: str, data: bytes) -> dict[str, object]:
    """Run one path on one file: once timed, once under tracemalloc for its Python peak."""
    with tempfile.TemporaryDirectory() as folder:
        client = route_client(Path(folder)) if path == "rota" else None

        def run() -> str:
            return read_directly(name, data) if client is None else post_upload(client, name, data)

        before = resident_peak(reset=True)
        started = time.perf_counter()
        answer = run()
        seconds = time.perf_counter() - started
        peak = resident_peak()
        tracemalloc.start()
        run()
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "answer": answer,
        "seconds": seconds,
        "rss_before": before / 1024,
        "rss_peak": peak / 1024,
        "traced": traced / 2**20,
    }


def resident_peak(reset: bool = False) -> int:
    """The process's peak resident set in KiB (VmHWM); ``reset`` first lowers it to now."""
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


def child(path: str, file: Path) -> None:
    """In a subprocess of its own: measure one path on one file and print the figures as JSON."""
    data = file.read_bytes()
    print(json.dumps(measure(path, file.name, data)))


def run_all(bomb_bytes: int, only: list[str]) -> None:
    """Build every file once, then measure each path on each in a fresh process."""
    print(
        f"{'arquivo':58} {'bytes':>10} {'caminho':7} {'tempo (s)':>9} {'pico Python (MB)':>16}"
        f" {'RSS antes (MB)':>14} {'pico RSS (MB)':>13}  resposta"
    )
    with tempfile.TemporaryDirectory() as folder:
        for label, (name, build) in attack_files(bomb_bytes).items():
            if only and not any(word in label for word in only):
                continue
            file = Path(folder) / name
            file.write_bytes(build())
            for path in PATHS:
                figures = _in_subprocess(path, file)
                print(
                    f"{label:58} {file.stat().st_size:>10} {path:7} {figures['seconds']:>9.3f}"
                    f" {figures['traced']:>16.1f} {figures['rss_before']:>14.0f}"
                    f" {figures['rss_peak']:>13.0f}  {figures['answer'][:110]}"
                )


def _in_subprocess(path: str, file: Path) -> dict:
    command = [sys.executable, __file__, "--child", path, str(file)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse the command line; run every measurement, or one (as a subprocess of the others)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mib", type=int, default=1024, help="unpacked size of the bombs")
    parser.add_argument("--only", nargs="*", default=[], help="files whose label has a word")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "FILE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child[0], Path(arguments.child[1]))
    else:
        run_all(arguments.bomb_mib << 20, arguments.only)


if __name__ == "__main__":
    main()
