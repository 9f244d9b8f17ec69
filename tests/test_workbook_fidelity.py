"""The app's saves keep everything a person added to the workbook in a real spreadsheet program.

A workbook with a chart, an image, a comment, conditional formatting, an autofilter, a defined
name, frozen panes, column widths and an extended (x14) data validation is made with openpyxl
plus raw XML where openpyxl cannot, and saved again by LibreOffice (headless), as a supervisor's
file would be. Then the app saves a new case and an edit: every part of the zip but the cases'
worksheet and the styles is the same, byte for byte and still compressed as it was; the
worksheet differs only in the rows written and its dimension; the styles only by the formats
added. LibreOffice opens the result (converting it again headless) and, like openpyxl and
python-calamine, reads the new values. CI installs LibreOffice (.ci/run): these tests never
skip.
"""

import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from PIL import Image as Picture

from sheets.workbook import WorkbookBackend
from tests.conftest import created_id, post_new
from tests.test_sheet_edited_by_people import edit_data

pytestmark = pytest.mark.parametrize("backend_kind", ["local"])
CASES = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
CONTENT_TYPES = "[Content_Types].xml"
X14_VALIDATION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"'
    ' xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>Listas!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>CA2:CA500</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def soffice(source: Path, folder: Path, kind: str = "xlsx") -> Path:
    """``source`` opened and saved again by LibreOffice, headless, as ``kind``."""
    program = shutil.which("soffice")
    assert program, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    folder.mkdir(exist_ok=True)
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind,
         "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = folder / f"{source.stem}.{kind}"
    assert converted.exists(), f"LibreOffice could not open {source.name}"
    return converted


def dressed_workbook(path: Path, folder: Path) -> None:
    """The app's new workbook as a supervisor dresses it in a spreadsheet program."""
    WorkbookBackend(path).read()
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Casos"]
    lists = workbook.create_sheet("Listas")
    for number, option in enumerate(("Alta", "Média", "Baixa"), start=1):
        lists.cell(row=number, column=1, value=option)
        lists.cell(row=number, column=2, value=number * 10)
    chart = BarChart()
    chart.add_data(Reference(lists, min_col=2, min_row=1, max_row=3))
    lists.add_chart(chart, "D2")
    Picture.new("RGB", (8, 8), "red").save(folder / "logo.png")
    lists.add_image(Image(str(folder / "logo.png")), "D20")
    sheet["A1"].comment = Comment("Não renomeie esta coluna", "Supervisora")
    red = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
    sheet.conditional_formatting.add(
        "B2:B500", CellIsRule(operator="equal", formula=['"X"'], fill=red)
    )
    sheet.auto_filter.ref = "A1:BZ1"
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["I"].width = 44
    workbook.defined_names["Opcoes"] = DefinedName("Opcoes", attr_text="Listas!$A$1:$A$3")
    workbook.save(path)


def with_x14_validation(path: Path) -> None:
    """Add an extended data validation to the cases' worksheet, as Excel writes one (LibreOffice
    saves it as a plain one; zipfile writes the file again)."""
    parts = read_parts(path)
    parts[CASES] = parts[CASES].replace(b"</worksheet>", X14_VALIDATION.encode() + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def raw_entries(path: Path) -> dict[str, tuple[int, int, int]]:
    """Each part's CRC, compressed size and compression method as the zip holds it."""
    with zipfile.ZipFile(path) as package:
        return {i.filename: (i.CRC, i.compress_size, i.compress_type) for i in package.infolist()}


def without_rows(xml: bytes, numbers: set[int]) -> bytes:
    """The worksheet without these rows and without its dimension."""
    for number in numbers:
        xml = re.sub(rb'<row r="%d"[^>]*?(/>|>.*?</row>)' % number, b"", xml, flags=re.S)
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


def style_lists_removed(xml: bytes) -> bytes:
    return re.sub(rb"<(numFmts|cellXfs)\b.*?</\1>", b"", xml, flags=re.S)


@pytest.fixture
def libreoffice_file(workbook_path: Path, tmp_path: Path) -> Path:
    """A dressed workbook saved by LibreOffice, where the app keeps its cases."""
    made = tmp_path / "made" / "casos.xlsx"
    made.parent.mkdir()
    dressed_workbook(made, made.parent)
    saved = soffice(made, tmp_path / "libreoffice")
    shutil.copy(saved, workbook_path)
    return workbook_path


@pytest.fixture
def supervisors_file(libreoffice_file: Path) -> Path:
    """That workbook once Excel added an extended data validation to it."""
    with_x14_validation(libreoffice_file)
    return libreoffice_file


def test_a_new_case_and_an_edit_change_only_their_rows(client, clinic_form, supervisors_file):
    before, raw_before = read_parts(supervisors_file), raw_entries(supervisors_file)
    assert b"x14:dataValidation" in before[CASES] and b"<conditionalFormatting" in before[CASES]
    assert any(name.startswith("xl/charts/") for name in before)
    assert any(name.startswith("xl/media/") for name in before)

    case_id = created_id(post_new(client, clinic_form))
    data = edit_data(client, case_id, clinic_form, city="DOURADOS")
    assert client.post(f"/casos/{case_id}/editar", data=data).status_code == 302

    after, raw_after = read_parts(supervisors_file), raw_entries(supervisors_file)
    assert list(after) == list(before)
    for name in set(before) - {CASES, STYLES}:
        assert after[name] == before[name], name
        assert raw_after[name] == raw_before[name], name  # copied still compressed
    assert without_rows(after[CASES], {2}) == without_rows(before[CASES], {2})
    assert style_lists_removed(after[STYLES]) == style_lists_removed(before[STYLES])
    assert_read_back(supervisors_file, case_id)


def assert_read_back(path: Path, case_id: str) -> None:
    """openpyxl, python-calamine and LibreOffice read the saved case and its edit."""
    grid = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_name("Casos").to_python()
    reopened = soffice(path, path.parent / "reopened")
    for rows in (openpyxl_rows(path), grid, openpyxl_rows(reopened)):
        header, row = rows[0], rows[1]
        assert row[header.index("ID do caso")] == case_id
        assert row[header.index("Cidade")] == "DOURADOS"
        assert row[header.index("CPF")] == "52998224725"


def openpyxl_rows(path: Path) -> list[list[object]]:
    with warnings.catch_warnings():  # openpyxl would drop the x14 validation, were it to save
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        sheet = openpyxl.load_workbook(path)["Casos"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_history_tab_added_opens_in_libreoffice(app, client, clinic_form, libreoffice_file):
    before, raw_before = read_parts(libreoffice_file), raw_entries(libreoffice_file)
    case_id = created_id(post_new(client, clinic_form))
    with app.app_context():
        from sheets import get_book

        assert get_book().flush() is None

    after, raw_after = read_parts(libreoffice_file), raw_entries(libreoffice_file)
    added = set(after) - set(before)
    assert len(added) == 1 and next(iter(added)).startswith("xl/worksheets/sheet")
    entries = {CASES, STYLES, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", CONTENT_TYPES}
    for name in set(before) - entries:
        assert (after[name], raw_after[name]) == (before[name], raw_before[name]), name
    history = openpyxl.load_workbook(soffice(libreoffice_file, libreoffice_file.parent / "lo"))
    rows = list(history["Histórico"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Data/hora", "Usuário", "ID do caso")
    assert rows[1][2:4] == (case_id, "(caso criado)")
