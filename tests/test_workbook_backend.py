"""The workbook backend's own behaviour: what it writes into the file, and what it keeps."""

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from filelock import FileLock
from openpyxl.worksheet.table import Table as ExcelTable

from sheets import codec, xlsx_segments
from sheets.table import Append, Table, Update
from sheets.workbook import WorkbookBackend
from tests.sample import full_case

CASES = "xl/worksheets/sheet1.xml"
ODD_TEXTS = ["_x0041_ literal", "bell\x07here", "line\r\nbreak", "  spaces  ", "=SUM(1;2)", "<&>"]


def add(backend: WorkbookBackend, *cases) -> None:
    backend.write(lambda _table: Append(tuple(codec.encode(case) for case in cases)))


def padded(table: Table) -> tuple[tuple[object, ...], ...]:
    rows = (table.headers, *table.rows)
    width = max(len(row) for row in rows)
    return tuple(tuple(row) + ("",) * (width - len(row)) for row in rows)


def test_text_reads_back_exactly_and_is_never_a_formula(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    add(WorkbookBackend(path), *(full_case(f"RET-2025-{n:04d}") for n in range(len(ODD_TEXTS))))
    for number, text in enumerate(ODD_TEXTS):
        row = number + 2
        WorkbookBackend(path).write(lambda _table, r=row, t=text: Update(r, {"Cidade": t}))

    cities = [values["Cidade"] for _row, values in WorkbookBackend(path).read().records()]
    assert cities == ODD_TEXTS
    assert b"<f>" not in zipfile.ZipFile(path).read(CASES)


def test_the_table_kept_after_writes_is_what_a_fresh_read_gives(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    backend = WorkbookBackend(path)
    add(backend, full_case("RET-2025-0001"), full_case("RET-2025-0002"))
    backend.write(lambda _table: Update(3, {"Cidade": "Dourados", "Nº de vidas": 7, "CPF": None}))
    backend.append_log("Histórico", ["Quando", "Quem"], [["agora", "Ana"]])

    assert padded(backend.read()) == padded(WorkbookBackend(path).read())


def test_dates_get_a_date_format_added_once(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    backend = WorkbookBackend(path)
    add(backend, full_case("RET-2025-0001"))
    add(backend, full_case("RET-2025-0002"))

    styles = zipfile.ZipFile(path).read("xl/styles.xml")
    assert styles.count(b'formatCode="dd/mm/yyyy"') == 1
    sheet = openpyxl.load_workbook(path)["Casos"]
    start = [c for c in sheet[1] if c.value == "Data início"][0].column
    assert sheet.cell(3, start).is_date and sheet.cell(3, start).number_format == "dd/mm/yyyy"


def test_rows_in_many_segments_are_patched_where_they_are(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(xlsx_segments, "SEGMENT_SIZE", 4000)
    path = tmp_path / "casos.xlsx"
    backend = WorkbookBackend(path)
    add(backend, *(full_case(f"RET-2025-{n:04d}") for n in range(1, 31)))
    for row in (2, 17, 31):
        backend.write(lambda _table, r=row: Update(r, {"Cidade": f"Cidade {r}"}))
    add(backend, full_case("RET-2025-0031"))

    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None  # every part's CRC checks
    grid = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_name("Casos").to_python()
    city = grid[0].index("Cidade")
    assert [grid[r - 1][city] for r in (2, 17, 31, 32)] == [
        "Cidade 2", "Cidade 17", "Cidade 31", "Campo Grande"
    ]  # fmt: skip
    assert len(grid) == 32
    assert padded(backend.read()) == padded(WorkbookBackend(path).read())


def test_an_excel_table_over_the_cases_grows_with_the_rows_appended(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    add(WorkbookBackend(path), full_case("RET-2025-0001"))
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Casos"]
    sheet.add_table(ExcelTable(displayName="Casos", ref=f"A1:{sheet.cell(1, 5).column_letter}2"))
    workbook.save(path)

    add(WorkbookBackend(path), full_case("RET-2025-0002"), full_case("RET-2025-0003"))

    table = zipfile.ZipFile(path).read("xl/tables/table1.xml")
    assert re.findall(rb'ref="([^"]+)"', table) == [b"A1:E4", b"A1:E4"]  # the table, its filter
    assert openpyxl.load_workbook(path)["Casos"].tables["Casos"].ref == "A1:E4"


@pytest.mark.parametrize("lock_name", ["~$casos.xlsx", ".~lock.casos.xlsx#"])
def test_a_workbook_open_elsewhere_is_left_untouched(tmp_path: Path, lock_name: str):
    path = tmp_path / "casos.xlsx"
    add(WorkbookBackend(path), full_case("RET-2025-0001"))
    before = path.read_bytes()
    (tmp_path / lock_name).write_text("owner")

    with pytest.raises(Exception, match="aberta no Excel ou LibreOffice"):
        add(WorkbookBackend(path), replace(full_case(), case_id="RET-2025-0002"))
    assert path.read_bytes() == before


def test_the_history_is_appended_without_reading_the_cases(tmp_path: Path, monkeypatch):
    path = tmp_path / "casos.xlsx"
    backend = WorkbookBackend(path)
    add(backend, full_case("RET-2025-0001"))
    add(WorkbookBackend(path), full_case("RET-2025-0002"))  # another worker process saves
    monkeypatch.setattr(WorkbookBackend, "_parsed", lambda *_args: pytest.fail("read the cases"))

    backend.append_log("Histórico", ["Quando", "Quem"], [["agora", "Ana"]])

    monkeypatch.undo()
    assert len(backend.read().rows) == 2
    assert openpyxl.load_workbook(path)["Histórico"]["B2"].value == "Ana"


def test_a_killed_saves_temporary_file_goes_at_the_next_start(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    add(WorkbookBackend(path), full_case("RET-2025-0001"))
    leftover = tmp_path / ".casos.xlsx.4242.tmp"
    leftover.write_bytes(b"half a workbook")

    backend = WorkbookBackend(path)

    assert not leftover.exists()
    assert [values["ID do caso"] for _n, values in backend.read().records()] == ["RET-2025-0001"]


def test_a_killed_saves_temporary_file_goes_at_the_next_save(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    backend = WorkbookBackend(path)
    leftover = tmp_path / ".casos.xlsx.4242.tmp"
    leftover.write_bytes(b"half a workbook")

    add(backend, full_case("RET-2025-0001"))

    assert not leftover.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casos.xlsx", "casos.xlsx.lock"]


def test_the_temporary_file_of_a_save_under_way_is_left_alone(tmp_path: Path):
    path = tmp_path / "casos.xlsx"
    add(WorkbookBackend(path), full_case("RET-2025-0001"))
    writing = tmp_path / ".casos.xlsx.4242.tmp"
    writing.write_bytes(b"half a workbook")

    with FileLock(f"{path}.lock"):  # another process is saving
        WorkbookBackend(path)

    assert writing.exists()
