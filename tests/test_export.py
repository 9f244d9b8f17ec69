"""Exporting the case list: CSV as Excel pt-BR opens it, XLSX with typed cells, list filters."""

import csv
import html
import io
import logging
import re
from datetime import datetime

import openpyxl
import pytest

from sheets.columns import HEADERS
from sheets.export import guard_formula, unguard_formula
from tests.conftest import PEOPLE, created_id, post_new, sign_in

HYPERLINK = '=HYPERLINK("http://exemplo.invalid","clique")'


@pytest.fixture
def cases(client, clinic_form):
    """Three cases: two of ODONTOLIFE (one with a formula-looking text), one of DENTALUNI."""
    made = {}
    for name, cro, operator, protocol in (
        ("CÉLIA ÁVILA", "3333", "ODONTOLIFE", "SAD03"),
        ("JOÃO ÇÁ", "4444", "DENTALUNI", "SAD04"),
        ("ANA PAULA", "1111", "ODONTOLIFE", "SAD01"),
    ):
        form = {
            **clinic_form,
            "dentist_name": name,
            "cro": cro,
            "operator": operator,
            "protocol": protocol,
            "other_plans": "SIM",
            "other_plans_which": HYPERLINK if name == "ANA PAULA" else "Odontoprev",
            "actions": ["Outros"],
            "actions_note": "-5% de desconto" if name == "ANA PAULA" else "ver obs.",
        }
        made[name] = created_id(post_new(client, form))
    return made


def csv_rows(response) -> list[dict[str, str]]:
    """The CSV as Excel pt-BR reads it: UTF-8 with BOM, ``;`` between cells."""
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";")
    header, *body = list(reader)
    assert header == list(HEADERS)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_csv_has_every_column_with_accents_and_ptbr_values(client, cases):
    rows = {row["Nome dentista"]: row for row in csv_rows(client.get("/casos.csv"))}

    assert set(rows) == {"CÉLIA ÁVILA", "JOÃO ÇÁ", "ANA PAULA"}
    row = rows["CÉLIA ÁVILA"]
    assert row["ID do caso"] == cases["CÉLIA ÁVILA"]
    assert row["Status retenção"] == "Desligamento"
    assert row["Data início"] == "02/05/2025"
    assert row["Mensagem final - Data"] == "17/06/2025 09:03"
    assert row["Nº de vidas"] == "1971"
    assert row["Moeda"] == "0,30"
    assert row["CPF"] == "529.982.247-25"
    assert row["CNPJ"] == "11.222.333/0001-81"
    assert row["Evidenciado com prints no protocolo"] == "VERDADEIRO"
    assert row["Ofertado Suporte"] == "FALSO"
    assert row["Áreas divulgadas"].startswith("Cirurgia; Dentística; Endodontia")
    assert row["Tempo finalização (dias)"] == "46"
    assert "RESCISÃO Décima Primeira" in row["3º contato - Obs."]
    assert "\n" in row["1º contato - Obs."]


def test_csv_neutralises_text_that_looks_like_a_formula(client, cases):
    row = next(r for r in csv_rows(client.get("/casos.csv")) if r["Nome dentista"] == "ANA PAULA")

    assert row["Quais convênios"] == "'" + HYPERLINK
    assert row["Obs. Ação Retenção"] == "'-5% de desconto"
    texts = [value for value in row.values() if value]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in texts)


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+55 67 90000-0001", "'+55 67 90000-0001"),
        ("-5 de desconto", "'-5 de desconto"),
        ("@agenda", "'@agenda"),
        ("\tTab", "'\tTab"),
        ("Glosas", "Glosas"),
        ("'já com apóstrofo", "'já com apóstrofo"),
    ],
)
def test_formula_guard_and_its_removal(text, guarded):
    assert guard_formula(text) == guarded
    assert unguard_formula(guarded) == text


def test_exports_follow_the_list_filters_on_every_page(app, client, cases):
    app.config["RETENCAO_PAGE_SIZE"] = 1
    page = client.get("/?operadora=ODONTOLIFE&q=a").get_data(as_text=True)
    links = {
        html.unescape(m.group(2)): html.unescape(m.group(1))
        for m in re.finditer(r'<a href="([^"]+)" download>([^<]+)</a>', page)
    }

    assert set(links) == {"Exportar CSV", "Exportar XLSX"}
    rows = csv_rows(client.get(links["Exportar CSV"]))
    assert sorted(row["Nome dentista"] for row in rows) == ["ANA PAULA", "CÉLIA ÁVILA"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(links["Exportar XLSX"]).data))
    column = HEADERS.index("Nome dentista")
    names = [row[column] for row in book["Casos"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["ANA PAULA", "CÉLIA ÁVILA"]
    searched = csv_rows(client.get("/casos.csv?q=joao"))
    assert [row["Nome dentista"] for row in searched] == ["JOÃO ÇÁ"]
    assert csv_rows(client.get("/casos.csv?status=Em+andamento")) == []


def test_xlsx_reads_back_with_date_number_and_text_cells(client, cases):
    response = client.get("/casos.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Casos"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(HEADERS)
    named = (dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2))
    rows = {cells["Nome dentista"].value: cells for cells in named}

    cells = rows["ANA PAULA"]
    assert cells["Data início"].is_date
    assert cells["Data início"].value == datetime(2025, 5, 2)
    assert cells["Data início"].number_format == "dd/mm/yyyy"
    assert cells["Mensagem final - Data"].value == datetime(2025, 6, 17, 9, 3)
    assert cells["Nº de vidas"].value == 1971
    assert float(cells["Moeda"].value) == pytest.approx(0.30)
    assert cells["Evidenciado com prints no protocolo"].value is True
    assert cells["CPF"].value == "52998224725"
    assert cells["Quais convênios"].value == HYPERLINK
    assert cells["Quais convênios"].data_type == "s"  # text, never a formula
    assert cells["Nome dentista"].value == "ANA PAULA"
    assert rows["JOÃO ÇÁ"]["Operadora"].value == "DENTALUNI"


FULL_CPF, MASKED_CPF, CNPJ = "529.982.247-25", "***.982.247-**", "11.222.333/0001-81"


def exported(response, kind: str) -> list[dict[str, str]]:
    """The exported rows as header -> text, from the CSV or the XLSX."""
    if kind == "csv":
        return csv_rows(response)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Casos"]
    header, *body = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.mark.parametrize("backend_kind", ["local"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "cpf", "shown"),
    [
        ("leitura", {"csv": MASKED_CPF, "xlsx": MASKED_CPF}, "mascarado"),
        ("analista", {"csv": FULL_CPF, "xlsx": "52998224725"}, "completo"),
        ("supervisor", {"csv": FULL_CPF, "xlsx": "52998224725"}, "completo"),
    ],
)
def test_readers_export_masked_cpfs_and_every_export_is_logged(
    app, cases, caplog, kind, role, cpf, shown
):
    person = sign_in(app, role)
    caplog.set_level(logging.INFO)

    rows = exported(person.get(f"/casos.{kind}?operadora=ODONTOLIFE"), kind)

    assert len(rows) == 2
    assert {row["CPF"] for row in rows} == {cpf[kind]}
    assert {row["CNPJ"] for row in rows} == {CNPJ if kind == "csv" else "11222333000181"}
    [logged] = [r for r in caplog.records if r.getMessage().startswith("Exportação")]
    assert logged.levelno == logging.INFO
    assert logged.getMessage() == (
        f"Exportação {kind.upper()} por {PEOPLE[role][0]} ({role}): filtros"
        f" operadora='ODONTOLIFE'; 2 caso(s); CPF {shown}."
    )


@pytest.mark.parametrize("backend_kind", ["local"])
def test_a_cpf_searched_for_is_masked_in_the_log(app, cases, caplog):
    caplog.set_level(logging.INFO)

    rows = csv_rows(sign_in(app, "leitura").get("/casos.csv?q=52998224725&status=Desligamento"))

    assert len(rows) == 3
    [logged] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Exportação")]
    assert "filtros busca='***.982.247-**', status='Desligamento'; 3 caso(s)" in logged
    assert "52998224725" not in caplog.text
