"""Many people saving at once into one workbook: no row lost, IDs unique."""

import multiprocessing
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app import create_app
from sheets import get_book
from tests.conftest import WorkbookSheet, created_id, post_new, sign_in
from tests.sample import full_case
from tests.seeds import CLINIC_FORM


@pytest.mark.slow
def test_twenty_threads_saving_at_once_lose_no_row(app, clinic_form, sheet):
    start = threading.Barrier(20)
    ids: list[str] = []
    failures: list[BaseException] = []

    def submit(number: int) -> None:
        client = sign_in(app, "analista")
        start.wait()
        try:
            ids.append(created_id(post_new(client, {**clinic_form, "dentist_name": f"D{number}"})))
        except BaseException as error:  # reported below, with the others
            failures.append(error)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    rows = sheet.rows()
    assert len(rows) == 20
    assert sorted(r["Nome dentista"] for r in rows) == sorted(f"D{n}" for n in range(20))
    assert len({r["ID do caso"] for r in rows}) == 20
    assert sorted(ids) == sorted(r["ID do caso"] for r in rows)


def _worker(path: str, users: str, worker: int, count: int, start) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "RETENCAO_WORKBOOK": path,
            "RETENCAO_OUTBOX": path + ".outbox.sqlite3",
            "RETENCAO_OUTBOX_INTERVAL": 0,
            "RETENCAO_USERS": users,
        }
    )
    client = sign_in(app, "analista")
    start.wait()
    for number in range(count):
        created_id(post_new(client, {**CLINIC_FORM, "dentist_name": f"P{worker}-{number}"}))


@pytest.mark.slow
def test_worker_processes_sharing_the_workbook_lose_no_row(tmp_path: Path, users_file: Path):
    # The local workbook only: worker processes cannot share the in-process Google stand-in.
    path = tmp_path / "casos.xlsx"
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(3)
    workers = [
        context.Process(target=_worker, args=(str(path), str(users_file), w, 5, start))
        for w in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    rows = WorkbookSheet(path).rows()
    assert len(rows) == 15
    assert len({r["ID do caso"] for r in rows}) == 15
    assert {r["Nome dentista"] for r in rows} == {f"P{w}-{n}" for w in range(3) for n in range(5)}


def _instance(app_config: dict, folder: Path):
    """Another server of the team on the same sheet, with an instance folder of its own."""
    folder.mkdir()
    return create_app({**app_config, "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3")})


def _save_fifty(app, prefix: str, saved: list, start: threading.Barrier) -> None:
    with app.app_context():
        book = get_book()
        start.wait()
        for number in range(50):
            case = replace(full_case(""), dentist_name=f"{prefix} {number:02d}")
            saved.append(book.add(case, "Ana"))


@pytest.mark.slow
@pytest.mark.parametrize("backend_kind", ["local"])
def test_two_servers_with_their_own_outbox_lose_and_merge_no_case(app, app_config, tmp_path, sheet):
    other = _instance(app_config, tmp_path / "segundo")
    start, saved = threading.Barrier(2), []
    threads = [
        threading.Thread(target=_save_fifty, args=(server, prefix, saved, start))
        for server, prefix in ((app, "PRIMEIRO"), (other, "SEGUNDO"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rows = {row["ID do caso"]: row["Nome dentista"] for row in sheet.rows()}
    assert len(rows) == len(sheet.rows()) == 100  # 100 rows, 100 distinct IDs
    assert all(s.waiting is None for s in saved)  # every save was acknowledged as in the sheet
    assert {rows[s.case.case_id] for s in saved} == {s.case.dentist_name for s in saved}
    assert len({s.case.dentist_name for s in saved}) == 100
