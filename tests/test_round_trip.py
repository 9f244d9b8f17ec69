"""Case -> row -> Case keeps every field, in memory and through the workbook file."""

import zipfile
from dataclasses import fields

import openpyxl
import pytest

from retention.case import Case
from sheets import codec
from sheets.columns import BY_HEADER, COLUMNS, HEADERS, Kind
from sheets.table import Append
from sheets.workbook import WorkbookBackend
from tests.sample import full_case


def test_sample_sets_every_field():
    case, default = full_case(), Case()
    unset = [f.name for f in fields(Case) if getattr(case, f.name) == getattr(default, f.name)]
    assert unset == []


def test_every_field_has_a_column_and_headers_are_unique():
    covered = {col.field for col in COLUMNS}
    assert {f.name for f in fields(Case)} <= covered
    assert len(set(HEADERS)) == len(HEADERS)


def test_codec_round_trip_keeps_every_field():
    case = full_case()
    assert codec.decode(codec.encode(case)) == case


def test_workbook_round_trip_keeps_every_field(tmp_path):
    backend = WorkbookBackend(tmp_path / "casos.xlsx")
    case = full_case()
    backend.write(lambda _table: Append((codec.encode(case),)))

    reopened = WorkbookBackend(tmp_path / "casos.xlsx")
    [(_row, values)] = list(reopened.read().records())
    assert codec.decode(values) == case


def test_cells_are_typed(tmp_path):
    path = tmp_path / "casos.xlsx"
    WorkbookBackend(path).write(lambda _table: Append((codec.encode(full_case()),)))

    sheet = openpyxl.load_workbook(path)["Casos"]
    cells = {h.value: c for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert cells["CPF"].value == "01234567890" and cells["CPF"].data_type == "s"
    assert cells["CNPJ"].value == "00000000000191"
    assert cells["CRO"].value == "0012345"
    formula_like = ["Quais convênios", "Obs. Ação Retenção", "Obs. Motivo desligamento"]
    for header in [*formula_like, "Mensagem final - Texto"]:
        assert cells[header].data_type == "s", header  # stored as text, never a formula
    assert cells["Data início"].is_date and cells["Data início"].number_format == "dd/mm/yyyy"
    assert cells["Nº de vidas"].value == 1971 and cells["Nº de vidas"].data_type == "n"
    assert cells["Valor última produção"].value == pytest.approx(1234.56)
    assert cells["Ofertado Suporte"].value is True
    assert cells["Ofertado Novos Valores"].value is False
    assert cells["Tempo finalização (dias)"].value == 46


def test_formula_text_is_plain_text_in_the_file(tmp_path):
    path = tmp_path / "casos.xlsx"
    WorkbookBackend(path).write(lambda _table: Append((codec.encode(full_case()),)))

    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert "HYPERLINK" in sheet_xml


HAND_TYPED = [
    ("Data início", "17/06/2025", "2025-06-17"),
    ("Data início", 45825, "2025-06-17"),
    ("Data início", "ontem", ""),
    ("Mensagem final - Data", "17/06/2025 09:03", "2025-06-17T09:03:00"),
    ("Nº de vidas", "1.971", "1971"),
    ("Nº de vidas", 1971.0, "1971"),
    ("Moeda", "0,30", "0.3"),
    ("Valor última produção", "R$ 1.234,56", "1234.56"),
    ("Ofertado Suporte", "VERDADEIRO", "TRUE"),
    ("Ofertado Suporte", "sim", "TRUE"),
    ("Ofertado Suporte", "x", "TRUE"),
    ("Ofertado Suporte", "FALSO", ""),
    ("Status retenção", "retencao efetiva", "Retenção Efetiva"),
    ("UF", " ms ", "MS"),
    ("Setor responsável", "T.I", "TI"),  # as the paper and older rows spell it
    ("CPF", 1234567890.0, "1234567890"),
    ("Motivo desligamento", "valores;GLOSAS\nMudou de area", "Glosas; Mudou de Área; Valores"),
]


@pytest.mark.parametrize(("header", "typed", "canonical"), HAND_TYPED)
def test_cells_typed_by_hand_are_understood(header, typed, canonical):
    assert codec.canonical(codec.parse_cell(BY_HEADER[header], typed)) == canonical


def test_unknown_choice_typed_by_hand_is_kept():
    value = codec.parse_cell(BY_HEADER["Motivo desligamento"], "Valores; Agenda lotada")
    assert value == frozenset({"Valores", "Agenda lotada"})


def test_every_choice_column_lists_its_options():
    for column in COLUMNS:
        assert bool(column.choices) == (column.kind in (Kind.CHOICE, Kind.MULTI)), column.header
