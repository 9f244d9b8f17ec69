"""People, worker processes and servers saving at once into one sheet: nothing lost or merged."""

import multiprocessing
import shutil
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from app import create_app
from sheets import codec, get_book
from sheets.columns import ID_HEADER, KEY_HEADER
from sheets.google_client import Quota
from sheets.outbox import ADD, Entry
from sheets.planning import plan_for, renumbering
from sheets.table import Table
from tests.conftest import WorkbookSheet, created_id, post_new, sign_in
from tests.sample import full_case
from tests.seeds import CLINIC_FORM


@pytest.mark.slow
def test_twenty_threads_saving_at_once_lose_no_row(app, book, backend_kind, clinic_form, sheet):
    if backend_kind == "google":  # 20 new cases in a moment pass Google's 60 reads a minute
        book.backend.reads = Quota("leituras", 1000)  # (test_quota.py): not this test's point
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


class Server:
    """Another server of the team on the same sheet, with an instance folder of its own."""

    def __init__(self, app_config: dict, folder: Path) -> None:
        self.config = {
            **app_config,
            "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
            # This test is about IDs, not the quota: Google's per-minute budget is not spent here.
            "RETENCAO_GOOGLE_READS_PER_MINUTE": 100_000,
            "RETENCAO_GOOGLE_WRITES_PER_MINUTE": 100_000,
        }
        self.folder = folder
        self.app = self.start()

    def start(self):
        """The app started on the instance folder (made anew if missing)."""
        self.folder.mkdir(exist_ok=True)
        return create_app(self.config)

    def lose_the_instance_folder(self, how: str) -> None:
        """The instance folder is deleted; with "restart", the app then starts anew on an empty
        one (a container restarted with a fresh volume), else it goes on running."""
        shutil.rmtree(self.folder)
        if how == "restart":
            self.app = self.start()

    def save_fifty(self, prefix: str, saved: list, start: threading.Barrier, lose: str) -> None:
        """Save 50 new cases one after the other; halfway, lose the instance folder if told."""
        start.wait()
        for number in range(50):
            if lose and number == 25:
                self.lose_the_instance_folder(lose)
            with self.app.app_context():
                case = replace(full_case(""), dentist_name=f"{prefix} {number:02d}")
                saved.append(get_book().add(case, "Ana"))


@pytest.mark.slow
@pytest.mark.parametrize("backend_kind", ["local", "google"])
@pytest.mark.parametrize("lose", ["", "running", "restart"], ids=["kept", "deleted", "restarted"])
def test_two_servers_with_their_own_instance_folder_lose_and_merge_no_case(
    request, backend_kind, app_config, tmp_path, sheet, lose
):
    if backend_kind == "google":  # each call answered on its own, so the two servers interleave
        request.getfixturevalue("standin").latency = 0.002
    servers = [Server(app_config, tmp_path / name) for name in ("primeiro", "segundo")]
    start, saved = threading.Barrier(2), []
    threads = [
        threading.Thread(target=server.save_fifty, args=(prefix, saved, start, how))
        for server, prefix, how in zip(servers, ("PRIMEIRO", "SEGUNDO"), ("", lose), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rows = {row["ID do caso"]: row for row in sheet.rows()}
    assert len(rows) == len(sheet.rows()) == 100  # 100 rows, 100 distinct IDs
    assert len(saved) == 100
    assert [s.waiting for s in saved if s.waiting] == []  # every save acknowledged as in the sheet
    for s in saved:  # under the ID the user was told, the case the user saved
        assert rows[s.case.case_id]["Nome dentista"] == s.case.dentist_name
        assert rows[s.case.case_id]["Chave de gravação"] == s.case.write_key


@pytest.mark.parametrize("backend_kind", ["google"])
def test_two_google_servers_reading_the_same_free_id_end_with_two_ids(app_config, tmp_path, sheet):
    first, second = (Server(app_config, tmp_path / n).app for n in ("primeiro", "segundo"))
    with first.app_context():
        first_book = get_book()
    with second.app_context():
        second_book = get_book()
    second_case = replace(full_case("RET-2025-0001"), dentist_name="Segundo", write_key="b")
    told: list = []

    def first_plan(table):
        # The second server appends the same ID after the first read the sheet, before it
        # appends: the race two servers run when they save at the same moment.
        told.append(second_book.backend.write(plan_for([entry(second_case)])))
        return plan_for([entry(replace(second_case, dentist_name="Primeiro", write_key="a"))])(
            table
        )

    written = first_book.backend.write(first_plan)

    assert [dict(r)["ID do caso"] for r in told[0].rows] == ["RET-2025-0001"]
    assert [dict(r)["ID do caso"] for r in written.rows] == ["RET-2025-0002"]
    names = {row["ID do caso"]: row["Nome dentista"] for row in sheet.rows()}
    assert names == {"RET-2025-0001": "Segundo", "RET-2025-0002": "Primeiro"}


def entry(case) -> Entry:
    """A queued new case."""
    return Entry(0, case.case_id, ADD, codec.encode(case), {}, "Ana", datetime(2025, 6, 17))


@pytest.mark.parametrize(("moved", "renumbered"), [((), {}), (("a",), {"a": "RET-2025-0003"})])
def test_a_row_renumbered_in_place_yields_its_new_id_to_any_other_row(moved, renumbered):
    # Our row (key "a") got RET-2025-0002 in place; the row below it was appended with the
    # same ID by a server that read before that and may have stopped checking: ours moves on.
    table = Table(
        (ID_HEADER, KEY_HEADER),
        (("RET-2025-0001", "x"), ("RET-2025-0002", "a"), ("RET-2025-0002", "b")),
    )

    assert renumbering(table, {"a"}, set(moved)) == renumbered
    assert renumbering(table, {"b"}, set()) == {"b": "RET-2025-0003"}  # below: always yields
