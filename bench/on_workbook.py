"""The local workbook's benchmark: realistic cases, the app's times beside openpyxl's.

Imported by bench/run.py. Each size gets a workbook of unique cases (names, notes, dates and
statuses varied from a seeded random generator, not copies of one case) written by openpyxl
with shared strings, as a saved workbook holds them. The openpyxl figures are the old path,
measured on the same file: a load (every first request after a change, and every save, read
the whole file so) and a save (every save and every history flush wrote the whole file so).
"""

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import openpyxl
from submitters import concurrent_submitters

from app import create_app
from retention.case import CONTACT_SLOTS, Case, Contact
from retention.choices import ACTIONS, AREAS, CHANNELS, REASONS, SECTORS, STATUSES, UFS
from sheets import codec, get_book
from sheets.columns import HEADERS
from sheets.planning import fingerprint

ROOT = Path(__file__).resolve().parent.parent
TAB = "Casos"
WORDS = (
    "bom dia sem retorno mensagem enviada clinica respondeu proposta valores glosa prazo"
    " reajuste contrato atendimento central suporte agenda paciente protocolo ligação retorno"
    " email confirmou desligamento interesse divulgação treinamento rede convênio"
).split()
NAMES = "Ana Bruno Carla Daniel Elisa Fábio Gabriela Heitor Iara João Karina Lucas Marta".split()
SURNAMES = "Silva Souza Lima Costa Rocha Alves Pereira Gomes Ribeiro Martins Barbosa".split()


def realistic_case(rng: random.Random, number: int) -> Case:
    """Case ``number``: unique texts, dates over three years, any status, a few contacts."""
    start = date(2023, 1, 2) + timedelta(days=rng.randrange(3 * 365))
    status = rng.choice(STATUSES)
    closed = status != STATUSES[0]
    return Case(
        case_id=f"RET-{start.year}-{number:05d}",
        status=status,
        form_date=start,
        cro_count=rng.randint(1, 5),
        operator=rng.choice(("ODONTOLIFE", "DENTALUN", "SORRIR", "BOCA SAUDÁVEL")),
        cro=f"{rng.randrange(10**7):07d}",
        cro_uf=rng.choice(UFS),
        cpf=f"{rng.randrange(10**11):011d}",
        protocol=f"SAD{number:012d}",
        protocol_date=start,
        uf=rng.choice(UFS),
        city=f"Cidade {rng.randrange(900)}",
        lives=rng.randrange(5000),
        currency_value=Decimal(rng.randrange(100, 9999)) / 10000,
        start_date=start,
        end_date=start + timedelta(days=rng.randrange(90)) if closed else None,
        contacts=_contacts(rng, start, number),
        areas=frozenset(rng.sample(AREAS, rng.randint(0, 4))),
        dentists_per_area=MappingProxyType({AREAS[0]: rng.randrange(40)}),
        actions=frozenset(rng.sample(ACTIONS, rng.randint(0, 3))),
        reasons=frozenset(rng.sample(REASONS, rng.randint(0, 3))) if closed else frozenset(),
        responsible_sector=rng.choice(SECTORS),
        **_people_and_notes(rng, start, number),
    )


def _people_and_notes(rng: random.Random, start: date, number: int) -> dict[str, object]:
    midnight = datetime.combine(start, datetime.min.time())
    return {
        "analyst": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
        "dentist_name": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        f" {number}",
        "reasons_note": _sentence(rng, number, 8),
        "general_notes": _sentence(rng, number, rng.randint(5, 60)),
        "created_at": midnight + timedelta(minutes=number),
        "updated_at": midnight + timedelta(hours=number % 500),
        "updated_by": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
    }


def _contacts(rng: random.Random, start: date, number: int) -> tuple[Contact, ...]:
    filled = rng.randint(1, 4)
    return tuple(
        Contact(start + timedelta(days=2 * n), rng.choice(CHANNELS), _sentence(rng, number, 30))
        if n < filled
        else Contact()
        for n in range(CONTACT_SLOTS)
    )


def _sentence(rng: random.Random, number: int, words: int) -> str:
    return f"#{number}: " + " ".join(rng.choice(WORDS) for _ in range(words))


def realistic_workbook(path: Path, count: int) -> None:
    """A workbook of ``count`` realistic cases, made by the app and filled by openpyxl."""
    with create_app(app_settings(path.parent, path)).app_context():
        get_book().backend.read()  # the app creates the file with its header row
    workbook = openpyxl.load_workbook(path)
    rng = random.Random(count)
    for number in range(1, count + 1):
        values = codec.encode(realistic_case(rng, number))
        workbook[TAB].append([values.get(h) for h in HEADERS])
    workbook.save(path)


def app_settings(folder: Path, workbook: Path) -> dict:
    return {
        "SECRET_KEY": "bench",
        "RETENCAO_WORKBOOK": str(workbook),
        "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
        "RETENCAO_USERS": str(folder / "users.sqlite3"),
        "RETENCAO_OUTBOX_INTERVAL": 0,
        "RETENCAO_SYNC_SECONDS": 3600,
        "RETENCAO_FULL_SYNC_SECONDS": 3600,
    }


def _ms(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def app_times(path: Path, saves: int = 5) -> dict[str, float]:
    """Milliseconds of the app on the workbook at ``path``: first load, save, edit, a save
    right after another process saved, reload, history flush (medians of ``saves``)."""
    other = create_app(app_settings(path.parent, path))  # a second worker process, as it were
    with other.app_context():
        get_book().sync.refresh(True)  # it has served pages: its snapshot is loaded
    with create_app(app_settings(path.parent, path)).app_context():
        book = get_book()
        times = {"first load": _ms(lambda: book.sync.refresh(True))}
        rng = random.Random(7)
        added = [book.add(realistic_case(rng, 0), "Ana").case]
        times["save"] = statistics.median(
            _ms(lambda: book.add(realistic_case(rng, 0), "Ana")) for _ in range(saves)
        )
        edits = []
        for number in range(saves):
            edited = replace(added[0], city=f"Dourados {number}")
            base = fingerprint(book.get(added[0].case_id))
            edits.append(_ms(lambda: book.update(edited.case_id, edited, base, "Bia")))  # noqa: B023
        times["edit"] = statistics.median(edits)
        with other.app_context():
            times["save after another"] = _ms(lambda: get_book().add(realistic_case(rng, 0), "Bia"))
        times["history flush"] = _ms(book.flush)
        Path(path).touch()  # as if someone else saved the file
        times["reload"] = _ms(lambda: book.sync.refresh(True))
    return times


def openpyxl_times(path: Path) -> dict[str, float]:
    """Milliseconds of the old path on the same file: openpyxl's load, and its save."""
    start = time.perf_counter()
    workbook = openpyxl.load_workbook(path)
    rows = list(workbook[TAB].iter_rows(values_only=True))
    load = (time.perf_counter() - start) * 1000
    copy = path.with_name("openpyxl-copy.xlsx")
    save = _ms(lambda: workbook.save(copy))
    copy.unlink()
    assert rows
    return {"load": load, "save": save}


MEMORY_PROBE = """
import gc, sys
sys.path.insert(0, {root!r})

def resident():
    status = open("/proc/self/status").read()
    return int(status.split("VmRSS:")[1].split()[0])

before = resident()
if {old!r}:
    import openpyxl
    workbook = openpyxl.load_workbook({path!r})
    table = list(workbook[{tab!r}].iter_rows(values_only=True))
else:
    from sheets.workbook import WorkbookBackend
    backend = WorkbookBackend({path!r})
    table = backend.read()
gc.collect()
print(resident() - before)
"""


def memory_mib(path: Path, old: bool) -> float:
    """MiB a fresh process holds once it read the workbook (the app's backend, which keeps the
    table, or openpyxl, which kept the workbook and the table), its imports included."""
    probe = MEMORY_PROBE.format(root=str(ROOT), old=old, path=str(path), tab=TAB)
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return int(answer.stdout.split()[-1]) / 1024


def sizes_table(sizes: list[int], submitters: int, each: int) -> list[dict[str, float]]:
    """Every figure of the workbook table, one dict per size."""
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "casos.xlsx"
            realistic_workbook(path, size)
            crowd = Path(folder) / "crowd"
            crowd.mkdir()
            shutil.copy(path, crowd / "casos.xlsx")
            row: dict[str, float] = {"cases": size, "MiB": path.stat().st_size / 2**20}
            row |= {f"old {k}": v for k, v in openpyxl_times(path).items()}
            row |= {"mem": memory_mib(path, old=False), "old mem": memory_mib(path, old=True)}
            row |= app_times(path)
            crowded = concurrent_submitters(crowd / "casos.xlsx", submitters, each)
            row |= {f"crowd {k}": v for k, v in crowded.items()}
        results.append(row)
    return results


def print_sizes(results: list[dict[str, float]], submitters: int, each: int) -> None:
    """The workbook's table, the app beside the openpyxl path it replaced (in ms, MiB)."""
    print("## Planilha local (.xlsx): o app e, entre parênteses, o caminho openpyxl de antes")
    print(
        f"{'casos':>6} {'MiB':>5}  {'1ª carga':>15} {'reler':>15} {'salvar':>14}"
        f" {'editar':>7} {'após outro':>10} {'histórico':>15} {'memória MiB':>13}"
    )
    for r in results:
        print(
            f"{r['cases']:>6} {r['MiB']:>5.1f}  {r['first load']:>6.0f} ({r['old load']:>6.0f})"
            f" {r['reload']:>6.0f} ({r['old load']:>6.0f})"
            f" {r['save']:>5.0f} ({r['old save']:>6.0f})"
            f" {r['edit']:>7.0f} {r['save after another']:>10.0f}"
            f" {r['history flush']:>6.0f} ({r['old save']:>6.0f})"
            f" {r['mem']:>5.0f} ({r['old mem']:>5.0f})"
        )
    print(f"\n## {submitters} pessoas salvando {each} casos cada, servidor real, sobre a planilha")
    for r in results:
        print(
            f"{r['cases']:>6} casos: salvos {r['crowd cases']},"
            f" {r['crowd per_minute']:.0f} casos/min,"
            f" p50 {r['crowd p50']:.0f} ms, p95 {r['crowd p95']:.0f} ms,"
            f" perdidos {r['crowd lost']}, duplicados {r['crowd duplicated']},"
            f" respostas de erro {r['crowd errors']}"
        )
