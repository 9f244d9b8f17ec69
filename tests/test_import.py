"""Importing past cases: mapping preview, a report per row, confirmation, no duplicates."""

import csv
import html
import io
import os
import re
import time
import zipfile
from datetime import datetime

import openpyxl
import pytest

from sheets.columns import ID_HEADER
from tests.conftest import created_id, post_new
from tests.html import field_errors, hidden_value, text

# Refused or only previewed: nothing reaches the sheet, so one backend is enough.
LOCAL_ONLY = pytest.mark.parametrize("backend_kind", ["local"])

HEADER = [
    "Colaborador",
    "Nome dentista",
    "CRO",
    "UF do CRO",
    "Tipo",
    "CPF",
    "Nº do protocolo",
    "Data início",
    "Data final",
    "Status retenção",
    "Motivo desligamento",
    "Nº de vidas",
]
GOOD_CPF = "529.982.247-25"
CELIA = ["Ana Souza", "CÉLIA ÁVILA", "3333", "SP", "F", GOOD_CPF, "SAD100", "02/05/2025",
         "17/06/2025", "Desligamento", "Glosas; valores", "1.971"]  # fmt: skip
JOAO = ["Ana Souza", "JOÃO ÇÁ", "4444", "MS", "F", "01234567890", "SAD101", "05/05/2025", "",
        "Em andamento", "", ""]  # fmt: skip
NO_KEYS = ["Bia Lima", "MARIA SEM PROTOCOLO", "5555", "RJ", "F", "111.444.777-35", "-", "", "",
           "Em andamento", "", "12"]  # fmt: skip
BAD_CPF = ["Ana Souza", "PEDRO CPF ERRADO", "6666", "SP", "F", "529.982.247-24", "SAD102",
           "02/05/2025", "", "Em andamento", "", ""]  # fmt: skip
BAD_DATE = ["Ana Souza", "LUIZA DATA RUIM", "7777", "SP", "F", GOOD_CPF, "SAD103", "31/02/2025",
            "17/06/2025", "Desligamento", "", ""]  # fmt: skip
NO_NAME = ["Ana Souza", "", "8888", "SP", "F", GOOD_CPF, "SAD104", "02/05/2025", "",
           "Em andamento", "", ""]  # fmt: skip
# Row numbers as the file shows them: the header is row 1 and row 4 is left blank.
MIXED = [CELIA, BAD_CPF, [""] * len(HEADER), JOAO, BAD_DATE, NO_NAME, NO_KEYS]
BAD_ROWS = {
    (3, "CPF", "CPF inválido: confira os dígitos."),
    (6, "Data início", "Data inexistente: confira dia e mês."),
    (7, "Nome dentista", "Informe o nome do dentista."),
}
GOOD_NAMES = {"CÉLIA ÁVILA", "JOÃO ÇÁ", "MARIA SEM PROTOCOLO"}


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    """Uploaded files wait here between preview and import."""
    folder = tmp_path / "importacoes"
    app.config["RETENCAO_IMPORT_FOLDER"] = str(folder)
    return folder


def zipped(name: str, content: str) -> bytes:
    """A zip file that is not a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


def make_csv(rows, header=HEADER, separator=";", encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerows([header, *rows])
    return out.getvalue().encode(encoding)


def send(client, data: bytes, name: str = "casos.csv"):
    """Upload a file on the import page."""
    return client.post(
        "/importar", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def preview(client, data: bytes, name: str = "casos.csv") -> tuple[str, str]:
    """Upload a file; the preview page's address and its HTML."""
    response = send(client, data, name)
    assert response.status_code == 302, text(response.get_data(as_text=True))[:1500]
    url = response.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, page.get_data(as_text=True)


def mapping(page: str) -> dict[str, str]:
    """Each file column's label -> the case field selected for it ("" = ignored)."""
    found = {}
    for match in re.finditer(r'<select id="(coluna_\d+)"[^>]*>(.*?)</select>', page, re.S):
        label = re.search(rf'<label for="{match.group(1)}">(.*?)</label>', page).group(1)
        chosen = re.search(r'<option selected value="([^"]*)"', match.group(2))
        found[html.unescape(label)] = html.unescape(chosen.group(1)) if chosen else ""
    return found


def posted_mapping(page: str) -> dict[str, str]:
    """The mapping form's fields as the page would post them."""
    names = re.findall(r'<select id="(coluna_\d+)"', page)
    return dict(zip(names, mapping(page).values(), strict=True))


def report(page: str) -> set[tuple[int, str, str]]:
    """The problems table: (row, field, problem)."""
    table = re.search(r'<table class="report problems">.*?<tbody>(.*?)</tbody>', page, re.S)
    if not table:
        return set()
    found = set()
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = [html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        found.add((int(cells[0]), cells[1], cells[2]))
    return found


def summary(page: str) -> str:
    return text(re.search(r'id="resumo">(.*?)</p>', page, re.S).group(1)).strip()


def confirm(client, url: str, page: str, action: str = "importar", **changes):
    """Press a button of the preview page, with the mapping it shows (changed by ``changes``)."""
    form = {
        **posted_mapping(page),
        "reviewed": hidden_value(page, "reviewed"),
        "acao": action,
        **changes,
    }
    return client.post(url, data=form)


def names_in(sheet) -> list[str]:
    return sorted(row["Nome dentista"] for row in sheet.rows())


def test_bad_rows_are_reported_and_nothing_is_written_before_confirming(client, sheet):
    url, page = preview(client, make_csv(MIXED))

    assert report(page) == BAD_ROWS
    assert summary(page).startswith("3 casos prontos para importar · 0 já existente")
    assert "3 linhas com problema" in summary(page)
    assert sheet.rows() == []

    done = confirm(client, url, page)

    assert done.status_code == 200
    result = done.get_data(as_text=True)
    assert summary(result).startswith("3 casos importados · 0 ignorado")
    assert "3 linhas rejeitadas" in summary(result)
    assert report(result) == BAD_ROWS
    assert names_in(sheet) == sorted(GOOD_NAMES)
    celia = next(row for row in sheet.rows() if row["Nome dentista"] == "CÉLIA ÁVILA")
    assert celia["Data início"] == datetime(2025, 5, 2)
    assert celia["Nº de vidas"] == 1971
    assert celia["Motivo desligamento"] == "Valores; Glosas"
    assert celia["CPF"] == "52998224725"
    assert celia["Atualizado por"] == "Sara Supervisora"  # who is signed in
    assert str(celia[ID_HEADER]).startswith("RET-")


@LOCAL_ONLY
def test_the_uploaded_file_waits_on_disk_not_in_the_session(client, import_folder):
    response = send(client, make_csv(MIXED))

    assert "CÉLIA" not in str(response.headers.getlist("Set-Cookie"))
    stored = list(import_folder.iterdir())
    assert len(stored) == 2 and all(p.stat().st_mode & 0o077 == 0 for p in stored)
    url = response.headers["Location"]
    confirm(client, url, client.get(url).get_data(as_text=True))
    assert list(import_folder.iterdir()) == []


def test_reimporting_the_same_file_adds_nothing(client, sheet):
    data = make_csv(MIXED)
    url, page = preview(client, data)
    confirm(client, url, page)
    before = sheet.rows()

    url, page = preview(client, data)

    assert summary(page).startswith("0 caso pronto para importar · 3 já existentes")
    assert "Importar 0" not in page and 'value="importar"' not in page
    duplicates = text(page.split('class="report duplicates"')[1].split("</table>")[0])
    assert "2 RET-" in duplicates and "mesmo Nº do protocolo" in duplicates
    assert "8 RET-" in duplicates and "todos os campos iguais" in duplicates
    result = confirm(client, url, page).get_data(as_text=True)
    assert summary(result).startswith("0 caso importado · 3 ignorados")
    assert sheet.rows() == before


def test_rows_repeated_within_the_file_are_imported_once(client, sheet):
    url, page = preview(client, make_csv([CELIA, JOAO, CELIA]))

    assert summary(page).startswith("2 casos prontos para importar · 1 já existente")
    assert "linha 2 do arquivo" in page
    confirm(client, url, page)
    assert names_in(sheet) == ["CÉLIA ÁVILA", "JOÃO ÇÁ"]


def test_an_export_imported_back_gives_the_same_case(client, clinic_form, sheet, book):
    form = {**clinic_form, "other_plans": "SIM", "other_plans_which": "=HYPERLINK(1)"}
    original = book.get(created_id(post_new(client, form)))
    for extension in ("csv", "xlsx"):
        exported = client.get(f"/casos.{extension}").data
        url, page = preview(client, exported, f"casos.{extension}")
        assert summary(page).startswith("0 caso pronto para importar · 1 já existente")
        assert "mesmo ID do caso" in page

        sheet.delete_case_row(original.case_id)
        url, page = preview(client, exported, f"casos.{extension}")
        assert summary(page).startswith("1 caso pronto para importar · 0 já existente")
        confirm(client, url, page)

        [row] = sheet.rows()
        again = book.get(row[ID_HEADER])
        assert again.case_id != original.case_id
        assert again.write_key != original.write_key  # a new save, with a key of its own
        assert again.other_plans_which == "=HYPERLINK(1)"
        kept = ("case_id", "created_at", "updated_at", "updated_by", "write_key")
        assert {k: v for k, v in vars(again).items() if k not in kept} == {
            k: v for k, v in vars(original).items() if k not in kept
        }
        original = again


SHUFFLED = [
    "NOME DENTISTA",
    "cpf",
    "Uf do Cro",
    " colaborador ",
    "Data Inicio",
    "N° do protocolo",
    "STATUS RETENCAO",
    "Observação interna",
    "tipo",
    "Cro",
    "data final",
    "",
]
GUESSED = [
    "Nome dentista",
    "CPF",
    "UF do CRO",
    "Colaborador",
    "Data início",
    "Nº do protocolo",
    "Status retenção",
    "",
    "Tipo",
    "CRO",
    "Data final",
    "",
]
SHUFFLED_ROW = ["Célia Ávila", GOOD_CPF, "sp", "Ana", "02/05/2025", "SAD200", "desligamento",
                "ligar depois das 14h", "F", "3333", "17/06/2025", "solto"]  # fmt: skip


@LOCAL_ONLY
def test_header_mapping_is_guessed_from_shuffled_reaccented_headers(client):
    _url, page = preview(client, make_csv([SHUFFLED_ROW], header=SHUFFLED))

    assert list(mapping(page).values()) == GUESSED
    assert list(mapping(page))[:2] == ["A · NOME DENTISTA", "B · cpf"]
    assert "L · (sem título)" in mapping(page)
    assert report(page) == set()


def test_a_changed_mapping_is_previewed_before_it_is_imported(client, sheet, book):
    url, page = preview(client, make_csv([SHUFFLED_ROW], header=SHUFFLED))

    rushed = confirm(client, url, page, coluna_7="Obs. Geral")
    assert "O mapeamento das colunas mudou desde a prévia" in text(rushed.get_data(as_text=True))
    assert sheet.rows() == []

    page = confirm(client, url, page, action="previa", coluna_7="Obs. Geral").get_data(as_text=True)
    assert mapping(page)["H · Observação interna"] == "Obs. Geral"
    confirm(client, url, page)
    [row] = sheet.rows()
    case = book.get(row[ID_HEADER])
    assert (case.general_notes, case.dentist_name, case.status) == (
        "ligar depois das 14h",
        "Célia Ávila",
        "Desligamento",
    )


def test_two_file_columns_for_one_field_are_refused(client, sheet):
    url, page = preview(client, make_csv([SHUFFLED_ROW], header=SHUFFLED))

    response = confirm(client, url, page, coluna_7="CPF")

    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), "coluna_7")
    assert errors == [
        "“CPF” já está ligado à coluna B · cpf: escolha outro campo ou ignore esta coluna."
    ]
    assert sheet.rows() == []


@pytest.mark.parametrize(
    ("separator", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-8"), (",", "cp1252"), (";", "cp1252")],
)
def test_csv_separators_and_encodings(client, sheet, separator, encoding):
    url, page = preview(client, make_csv([CELIA, JOAO], separator=separator, encoding=encoding))

    assert mapping(page)["B · Nome dentista"] == "Nome dentista"
    assert report(page) == set()
    confirm(client, url, page)
    assert names_in(sheet) == ["CÉLIA ÁVILA", "JOÃO ÇÁ"]


def test_xlsx_with_date_and_number_cells(client, sheet):
    workbook = openpyxl.Workbook()
    tab = workbook.active
    tab.append(HEADER)
    celia = [*CELIA[:7], datetime(2025, 5, 2), datetime(2025, 6, 17), *CELIA[9:11], 1971]
    tab.append(celia)
    tab.append([])
    tab.append([*celia[:1], "SEM CPF", "9999", "SP", "F", None, "SAD300"])
    out = io.BytesIO()
    workbook.save(out)

    url, page = preview(client, out.getvalue(), "antigos.xlsx")

    assert report(page) == {(4, "CPF", "Tipo F (pessoa física) exige o CPF.")}
    confirm(client, url, page)
    [row] = sheet.rows()
    assert (row["Nome dentista"], row["Data início"], row["Nº de vidas"]) == (
        "CÉLIA ÁVILA",
        datetime(2025, 5, 2),
        1971,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("relatorio.pdf", b"%PDF-1.4\n", "Tipo de arquivo não aceito (.pdf): envie uma planilha"),
        (
            "antigos.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "Arquivo do Excel 97-2003 (.xls) não é aceito",
        ),
        ("falsa.xlsx", b"texto qualquer", "O arquivo não é uma planilha .xlsx válida"),
        ("pasta.xlsx", zipped("leia-me.txt", "oi"), "O arquivo não é uma planilha .xlsx válida"),
        ("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "O arquivo não parece um CSV"),
        ("vazio.csv", b"", "O arquivo está vazio."),
        ("titulos.csv", b";;\r\n;;\r\n", "O arquivo não tem nenhuma linha preenchida."),
    ],
)
def test_a_wrong_file_is_refused_in_portuguese(client, sheet, name, content, message):
    client.get("/")  # the sheet exists, empty
    response = send(client, content, name)

    assert response.status_code == 422
    [error] = field_errors(response.get_data(as_text=True), "file")
    assert error.startswith(message)
    assert sheet.rows() == []


@LOCAL_ONLY
def test_no_file_chosen(client):
    response = client.post("/importar", data={}, content_type="multipart/form-data")

    assert field_errors(response.get_data(as_text=True), "file") == [
        "Escolha o arquivo da planilha."
    ]


@LOCAL_ONLY
def test_a_file_over_the_size_limit_is_refused(app, client):
    app.config["RETENCAO_IMPORT_MAX_BYTES"] = 1000
    response = send(client, make_csv([CELIA] * 20))

    assert response.status_code == 422
    [error] = field_errors(response.get_data(as_text=True), "file")
    assert error.startswith("Arquivo grande demais: o limite é 1 KB.")


@LOCAL_ONLY
def test_a_request_over_the_body_limit_gets_the_message_too(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["RETENCAO_IMPORT_MAX_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = send(client, make_csv([CELIA] * 40))

    assert response.status_code == 413
    [error] = field_errors(response.get_data(as_text=True), "file")
    assert error.startswith("Arquivo grande demais")


def test_an_unknown_or_finished_import_sends_back_to_the_upload(client, sheet):
    response = client.get("/importar/" + "x" * 32)
    assert response.status_code == 302 and response.headers["Location"].endswith("/importar")

    url, page = preview(client, make_csv([CELIA]))
    confirm(client, url, page)
    again = confirm(client, url, page)
    assert again.status_code == 302
    assert "não está mais disponível" in text(client.get("/importar").get_data(as_text=True))
    assert names_in(sheet) == ["CÉLIA ÁVILA"]


@LOCAL_ONLY
def test_files_left_behind_are_removed_after_a_day(client, import_folder):
    import_folder.mkdir()
    forgotten = import_folder / "esquecido.dados"
    forgotten.write_bytes(b"x")
    day_ago = time.time() - 25 * 3600
    os.utime(forgotten, (day_ago, day_ago))

    send(client, make_csv([CELIA]))

    assert not forgotten.exists()


@LOCAL_ONLY
def test_any_page_refuses_a_body_over_the_limit_in_portuguese(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 2000

    response = client.post("/casos/novo", data={"general_notes": "x" * 5000})

    assert response.status_code == 413
    assert "O envio é grande demais: o limite é 2 KB." in text(response.get_data(as_text=True))


@pytest.mark.parametrize("backend_kind", ["google"])
def test_an_import_is_one_append_to_google(client, book, standin, sheet):
    rows = [[*CELIA[:2], str(9000 + n), *CELIA[3:6], f"SAD9{n:03d}", *CELIA[7:]] for n in range(40)]
    url, page = preview(client, make_csv(rows))
    book.sync.max_age = 3600  # the snapshot is fresh, as within 30 s of the last page
    standin.reset_calls()

    confirm(client, url, page)

    assert len(sheet.rows()) == 40
    assert standin.count("values_append") == 1
    # IDs and keys read, the append, and the IDs read back (another server's save)
    assert standin.count() == standin.count("values_batch_get", "values_append") == 3
