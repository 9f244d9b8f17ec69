"""The board's benchmark: time and bytes of the pages, signed in, on a workbook of realistic cases.

Imported by bench/run.py. The cases are bench/on_workbook.py's realistic ones, their dates moved
so the newest starts today, and most closed ones signed off: every lane of the board has cards.
Each page is asked once to warm up (the app reads the workbook then), then timed ``repeat`` times
through Flask's test client, by the clock and in CPU time (the process's own work: on a machine
shared with other work the clock also counts the waits for a core); a page that does not answer
200 stops the run.
"""

import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
from on_workbook import TAB, app_settings, realistic_case

from app import create_app
from retention.case import Case
from sheets import codec, get_book
from sheets.columns import HEADERS

PAGES = {"painel": "/painel", "painel, uma raia inteira": "/painel?raia=andamento", "lista": "/"}
NEWEST_START = date(2025, 12, 31)  # realistic_case starts cases up to this day
SIGNED_SHARE = 0.8  # of the closed cases


def _as_of(case: Case, today: date, rng: random.Random) -> Case:
    """``case`` moved so that the newest cases start ``today``; most closed ones signed off."""
    shift = today - NEWEST_START

    def moved(day: date | None) -> date | None:
        return None if day is None else min(day + shift, today)

    end = moved(case.end_date)
    signed = end is not None and rng.random() < SIGNED_SHARE
    return replace(
        case,
        form_date=moved(case.form_date),
        protocol_date=moved(case.protocol_date),
        start_date=moved(case.start_date),
        end_date=end,
        supervisor_signature="Sara Supervisora" if signed else "",
        signed_on=end if signed else None,
    )


def board_workbook(path: Path, count: int) -> None:
    """A workbook of ``count`` realistic cases as of the app's today."""
    with create_app(app_settings(path.parent, path)).app_context():
        book = get_book()
        book.backend.read()  # the app creates the file with its header row
        today = book.clock().date()
    workbook = openpyxl.load_workbook(path)
    rng = random.Random(count)
    for number in range(1, count + 1):
        values = codec.encode(_as_of(realistic_case(rng, number), today, rng))
        workbook[TAB].append([values.get(h) for h in HEADERS])
    workbook.save(path)


def page_figures(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median milliseconds (clock, CPU) and bytes of ``url``, after a request that warms up."""
    sizes, times, cpu = set(), [], []
    for attempt in range(repeat + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        answer = client.get(url)
        elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code} {answer.location or ''}")
        sizes.add(len(answer.data))
        if attempt:
            times.append(elapsed * 1000)
            cpu.append(used * 1000)
    return statistics.median(times), statistics.median(cpu), max(sizes)


def board_table(sizes: list[int], signed_in, repeat: int = 10) -> list[tuple]:
    """(cases, page, ms, CPU ms, KiB) for each size and page; ``signed_in`` makes a signed-in
    client."""
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "casos.xlsx"
            board_workbook(path, size)
            client = signed_in(create_app(app_settings(path.parent, path)))
            for name, url in PAGES.items():
                ms, cpu, size_bytes = page_figures(client, url, repeat)
                rows.append((size, name, ms, cpu, size_bytes / 1024))
    return rows


def print_board(sizes: list[int], signed_in) -> None:
    """The board's table: median time and size of each page, signed in."""
    print("\n## Painel e lista, com sessão de supervisor (planilha local, casos realistas)")
    print(f"{'casos':>6}  {'página':<26} {'tempo (ms)':>10} {'CPU (ms)':>8} {'KiB':>8}")
    for cases, name, ms, cpu, kib in board_table(sizes, signed_in):
        print(f"{cases:>6}  {name:<26} {ms:>10.1f} {cpu:>8.1f} {kib:>8.1f}")
