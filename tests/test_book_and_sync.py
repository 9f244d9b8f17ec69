"""The case book and the sync on an in-memory sheet: what is read, written and shown, and when."""

from dataclasses import replace
from datetime import datetime

import pytest

from sheets import codec
from sheets.book import CaseBook
from sheets.columns import HEADERS, ID_HEADER
from sheets.errors import CaseNotFound, EditConflict, SheetUnavailable
from sheets.history import CREATED
from sheets.outbox import Outbox
from sheets.planning import fingerprint
from sheets.table import Append
from tests.memory_backend import MemoryBackend
from tests.sample import full_case

NOW = datetime(2025, 6, 17, 10, 30)


@pytest.fixture
def sheet() -> MemoryBackend:
    return MemoryBackend(logged=True)


@pytest.fixture
def now() -> list[float]:
    return [1000.0]


@pytest.fixture
def book(tmp_path, sheet, now) -> CaseBook:
    """A book whose sync checks at every use and reads in full every 120 s of ``now``."""
    book = CaseBook(sheet, Outbox(tmp_path / "outbox.sqlite3"), lambda: NOW, 0, "Histórico", 120)
    book.sync.monotonic = lambda: now[0]
    return book


def added(book: CaseBook, *names: str) -> list[str]:
    saved = book.add_many([replace(full_case(""), dentist_name=n) for n in names], "Ana")
    return [s.case.case_id for s in saved]


def test_new_cases_go_in_one_write_numbered_above_the_sheets_highest(book, sheet):
    book.cases()
    sheet.calls.clear()

    ids = added(book, "ANA", "BIA", "CAROL")

    assert ids == ["RET-2025-0001", "RET-2025-0002", "RET-2025-0003"]
    assert sheet.calls.count("write") == 1
    assert [e.field for e in book.history_of("RET-2025-0002")] == [CREATED]


def test_an_edit_writes_only_the_changed_cells_and_records_old_and_new(book, sheet):
    [case_id] = added(book, "ANA")
    case = book.get(case_id)
    before = dict(zip(sheet.headers, sheet.rows[0], strict=True))

    book.update(case_id, replace(case, city="DOURADOS"), fingerprint(case), "Bia")

    after = dict(zip(sheet.headers, sheet.rows[0], strict=True))
    assert {h for h in after if after[h] != before[h]} == {"Cidade", "Atualizado por"}
    [event] = book.history_of(case_id)[:1]
    assert (event.field, event.new, event.user) == ("Cidade", "DOURADOS", "Bia")
    assert book.get(case_id).city == "DOURADOS" and book.get(case_id).updated_by == "Bia"
    assert {e.field for e in book.history_of(case_id)} == {CREATED, "Cidade"}


def test_a_field_changed_on_both_sides_writes_nothing(book, sheet):
    [case_id] = added(book, "ANA")
    case = book.get(case_id)
    sheet.person_set(case_id, "Cidade", "CORUMBÁ")
    writes = sheet.calls.count("write")

    with pytest.raises(EditConflict):
        book.update(case_id, replace(case, city="DOURADOS"), fingerprint(case), "Bia")

    assert sheet.calls.count("write") == writes + 1  # planned on a fresh read, nothing sent
    assert book.get(case_id).city == "CORUMBÁ"
    assert book.waiting(case_id) == []


def test_an_edit_of_a_deleted_row_is_reported(book, sheet):
    [case_id] = added(book, "ANA")
    case = book.get(case_id)
    sheet.person_delete(case_id)

    with pytest.raises(CaseNotFound):
        book.update(case_id, replace(case, city="DOURADOS"), fingerprint(case), "Bia")


def test_a_lost_answer_is_not_written_twice(book, sheet):
    sheet.lose_answers = 1

    [saved] = book.add_many([full_case("")], "Ana")

    assert saved.waiting
    assert book.flush() is None
    assert len(sheet.rows) == 1
    assert [e.field for e in book.history_of(saved.case.case_id)] == [CREATED]


def test_a_lost_answer_to_the_history_append_leaves_each_record_once(book, sheet):
    added(book, "A", "B")
    sheet.lose_answers = 1

    assert "Histórico aguardando envio" in (book.flush() or "")
    assert book.flush() is None
    assert [row[3] for row in sheet.logs["Histórico"]] == [CREATED, CREATED]


def test_a_lost_answer_to_a_renumbered_case_tells_the_id_the_sheet_holds(book, sheet):
    book.cases()  # the sheet is empty when the ID is given out
    sheet.write(lambda _table: Append((codec.encode(full_case("RET-2025-0001")),)))
    sheet.lose_answers = 1

    [saved] = book.add_many([replace(full_case(""), dentist_name="Nova")], "Ana")

    assert saved.case.case_id == "RET-2025-0001" and saved.waiting
    assert book.flush() is None
    assert book.outbox.renamed("RET-2025-0001") == "RET-2025-0002"
    assert book.get("RET-2025-0002").dentist_name == "Nova"
    names = {
        row[HEADERS.index(ID_HEADER)]: row[HEADERS.index("Nome dentista")] for row in sheet.rows
    }
    assert names == {"RET-2025-0001": full_case().dentist_name, "RET-2025-0002": "Nova"}
    assert [e.field for e in book.history_of("RET-2025-0002")] == [CREATED]


def test_a_sheet_that_is_down_keeps_the_case_and_shows_it(book, sheet):
    book.cases()
    sheet.failures = [SheetUnavailable("fora do ar")] * 2

    [saved] = book.add_many([full_case("")], "Ana")

    assert "fora do ar" in saved.waiting
    assert book.get(saved.case.case_id).dentist_name == saved.case.dentist_name
    assert book.flush() is None and len(sheet.rows) == 1


def test_an_edit_in_the_sheet_is_read_by_its_row_alone(book, sheet):
    ids = added(book, "ANA", "BIA")
    book.cases()
    sheet.person_set(ids[1], "Cidade", "CORUMBÁ")
    sheet.calls.clear()

    cities = {case.case_id: case.city for case in book.cases()}

    assert sheet.calls == ["probe", "read_rows"]
    assert cities[ids[1]] == "CORUMBÁ"
    [change] = book.sync.changes()
    assert (change.case_id, change.field, change.new) == (ids[1], "Cidade", "CORUMBÁ")


def test_a_logged_row_that_moved_makes_the_sync_read_everything(book, sheet):
    ids = added(book, "ANA", "BIA", "CAROL")
    book.cases()
    sheet.person_set(ids[0], "Cidade", "CORUMBÁ")
    sheet.person_sort("Nome dentista", descending=True)
    sheet.calls.clear()

    cities = {case.case_id: case.city for case in book.cases()}

    assert sheet.calls == ["probe", "read_rows", "read"]
    assert cities[ids[0]] == "CORUMBÁ" and cities[ids[2]] != "CORUMBÁ"


def test_what_the_log_cannot_see_shows_at_the_scheduled_full_read(book, sheet, now):
    ids = added(book, "ANA", "BIA")
    book.cases()
    sheet.person_delete(ids[0])

    now[0] += 119
    before = {case.case_id for case in book.cases()}
    now[0] += 1
    after = {case.case_id for case in book.cases()}

    assert ids[0] in before and ids[0] not in after


def test_an_exact_stamp_needs_no_scheduled_read(tmp_path, now):
    sheet = MemoryBackend(logged=False)
    book = CaseBook(sheet, Outbox(tmp_path / "outbox.sqlite3"), lambda: NOW, 0, "Histórico", 0)
    book.sync.monotonic = lambda: now[0]
    book.cases()
    sheet.calls.clear()

    book.cases()

    assert sheet.calls == ["probe"]


def test_the_teams_own_saves_show_without_a_read_and_are_no_change_by_people(book, sheet):
    [case_id] = added(book, "ANA")
    book.cases()
    case = book.get(case_id)
    book.update(case_id, replace(case, city="DOURADOS"), fingerprint(case), "Bia")
    sheet.calls.clear()

    assert book.get(case_id).city == "DOURADOS"
    assert "read" not in sheet.calls and "read_rows" not in sheet.calls
    assert book.sync.changes() == []


def test_a_failing_check_keeps_the_last_snapshot_and_says_so(book, sheet):
    [case_id] = added(book, "ANA")
    book.cases()
    sheet.failures = [SheetUnavailable("fora do ar")]

    assert [case.case_id for case in book.cases()] == [case_id]
    assert book.stale is not None and "fora do ar" in book.stale.reason


def test_the_history_goes_to_its_tab_in_one_append(book, sheet):
    added(book, "ANA", "BIA")

    assert book.flush() is None

    assert sheet.calls.count("append_log") == 1
    assert len(sheet.logs["Histórico"]) == 2


def test_a_number_another_server_took_meanwhile_is_renumbered_and_said(book, sheet):
    [first] = added(book, "ANA")
    book.cases()
    other = dict(zip(sheet.headers, sheet.rows[0], strict=True))
    other.update({"ID do caso": "RET-2025-0002", "Chave de gravação": "outro-servidor"})
    sheet.rows.append([other[str(h)] for h in sheet.headers])  # unseen by this book's snapshot

    [saved] = book.add_many([replace(full_case(""), dentist_name="BIA")], "Ana")

    assert (saved.renumbered_from, saved.case.case_id) == ("RET-2025-0002", "RET-2025-0003")
    names = {
        row[sheet.headers.index("ID do caso")]: row[sheet.headers.index("Nome dentista")]
        for row in sheet.rows
    }
    assert names["RET-2025-0003"] == "BIA" and len(sheet.rows) == 3
    assert book.outbox.renamed("RET-2025-0002") == "RET-2025-0003"
    assert book.get("RET-2025-0003").dentist_name == "BIA"


def test_a_full_read_decodes_only_the_rows_that_changed(book, sheet, now, monkeypatch):
    ids = added(book, "ANA", "BIA", "CAROL")
    book.sync.refresh(full=True)
    decoded: list[object] = []
    real = codec.decode
    monkeypatch.setattr(codec, "decode", lambda values: decoded.append(values) or real(values))

    sheet.person_set(ids[1], "Cidade", "DOURADOS")
    book.sync.refresh(full=True)

    assert [values["ID do caso"] for values in decoded] == [ids[1]]
    assert book.get(ids[1]).city == "DOURADOS"


def test_an_edit_the_sheet_already_holds_writes_nothing_and_leaves_no_queue(book, sheet):
    [case_id] = added(book, "ANA")
    case = book.get(case_id)
    sheet.person_set(case_id, "Cidade", "DOURADOS")  # a supervisor typed the same change
    sheet.calls.clear()

    saved = book.update(case_id, replace(case, city="DOURADOS"), fingerprint(case), "Bia")

    assert saved is None and book.waiting(case_id) == []
    assert sheet.calls.count("write") == 1  # planned on a fresh read; nothing sent
