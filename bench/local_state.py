"""What a new case's save costs in the app's own state, on SQLite and on PostgreSQL.

``.venv/bin/python -m bench.local_state [saves]`` (as root it runs the private PostgreSQL
server of the tests as the ``postgres`` user). Each save does what CaseBook.add and its send do
to the local state, without the sheet: allocate an ID, queue the write, take the drain lock,
read the queue, record the history, confirm the write. Prints the median and the 95th
percentile of a save, in milliseconds, per engine.
"""

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sheets.history import Event, History
from sheets.outbox import ADD, Outbox
from tests.postgres import PostgresServer

NOW = datetime(2025, 12, 2, 10, 41)
VALUES = {"Nome dentista": "MARIA DA SILVA", "Cidade": "CORUMBÁ", "Criado em": NOW}


def one_save(outbox: Outbox, history: History) -> None:
    case_id = outbox.allocate_id(NOW.year, 0)
    seq = outbox.put(ADD, case_id, VALUES, "Ana", NOW)
    with outbox.draining():
        outbox.entries()
        history.record([Event(NOW, "Ana", case_id, "(caso criado)")])
        outbox.confirm(seq, case_id, VALUES)
    outbox.is_queued(seq)


def measure(folder: Path, url: str, saves: int) -> list[float]:
    """Milliseconds of each of ``saves`` saves."""
    outbox = Outbox(folder / "outbox.sqlite3", url=url)
    history = History(outbox.path, url)
    one_save(outbox, history)  # connections opened, tables created
    times = []
    for _ in range(saves):
        start = time.perf_counter()
        one_save(outbox, history)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    saves = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server = PostgresServer()
    server.start(fsync=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            engines = {
                "SQLite (WAL, synchronous=FULL)": "",
                "PostgreSQL (unix socket, fsync on)": server.url(server.create_database()),
            }
            for name, url in engines.items():
                times = measure(Path(folder), url, saves)
                p95 = statistics.quantiles(times, n=20)[-1]
                print(f"{name}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
