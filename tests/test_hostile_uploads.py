"""Uploads made to hurt the server: refused in pt-BR before they are parsed, nothing written."""

import io
import logging
import re
import tracemalloc
import xml.etree.ElementTree
import zipfile

import openpyxl
import pytest
from openpyxl.xml import functions as openpyxl_xml
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import DEFAULTS, create_app
from sheets.export import to_csv, to_xlsx
from sheets.upload import read_upload
from sheets.upload_limits import UnreadableFile, UploadLimits
from tests import hostile_files as hostile
from tests.html import field_errors
from tests.sample import full_case

# Refused before anything reaches the sheet: one backend is enough.
pytestmark = pytest.mark.parametrize("backend_kind", ["local"])


@pytest.mark.parametrize(
    ("attribute", "unsafe"),
    [("DEFUSEDXML", False), ("iterparse", xml.etree.ElementTree.iterparse)],
)
def test_the_app_refuses_to_start_if_openpyxl_would_parse_xml_unprotected(
    app_config, monkeypatch, caplog, attribute, unsafe
):
    module = openpyxl if attribute == "DEFUSEDXML" else openpyxl_xml
    monkeypatch.setattr(module, attribute, unsafe)

    with pytest.raises(RuntimeError, match="sem o defusedxml"):
        create_app(app_config)

    [record] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "O app não foi iniciado." in record.getMessage()


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    """Where an accepted upload would wait for its preview."""
    folder = tmp_path / "importacoes"
    app.config["RETENCAO_IMPORT_FOLDER"] = str(folder)
    return folder


def refused(client, data: bytes, name: str) -> str:
    """Upload ``data``; the one error shown beside the file field."""
    client.get("/")  # the sheet exists, empty
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    response = client.post(
        "/importar", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422
    [error] = field_errors(response.get_data(as_text=True), "file")
    return error


def many_parts(count: int) -> bytes:
    """A workbook with ``count`` extra empty parts."""
    out = io.BytesIO(hostile.workbook())
    with zipfile.ZipFile(out, "a") as archive:
        for number in range(count):
            archive.writestr(f"xl/media/vazio{number}.bin", b"")
    return out.getvalue()


def zeros_part(size: int) -> bytes:
    """A workbook with a part of ``size`` zero bytes, which packs about a thousandfold."""
    return hostile.replaced(hostile.workbook(), {"docProps/app.xml": [bytes(size)]})


ATTACKS = {
    "zip bomb": (
        lambda: hostile.zip_bomb(60 << 20),
        "casos.xlsx",
        "A planilha descompactada teria 62.930.744 bytes (o limite é 50.000.000)",
    ),
    "zip bomb with a false size": (
        lambda: hostile.lying_zip_bomb(60 << 20),
        "casos.xlsx",
        "Uma parte do arquivo .xlsx não tem o tamanho que declara",
    ),
    "packed a thousandfold": (
        lambda: zeros_part(2 << 20),
        "casos.xlsx",
        "Uma parte do arquivo .xlsx se expande",
    ),
    "too many parts": (
        lambda: many_parts(500),
        "casos.xlsx",
        "O arquivo .xlsx tem 509 partes internas (o limite é 500)",
    ),
    "billion laughs": (
        hostile.billion_laughs,
        "casos.xlsx",
        "A planilha contém uma declaração DTD (<!DOCTYPE ...>)",
    ),
    "a cell at the last row and column": (
        lambda: hostile.far_cell("XFD100"),
        "casos.xlsx",
        "Uma aba da planilha tem mais de 1.000.000 células, contando as vazias até a última"
        " usada (XFD100)",
    ),
    "100,000 rows of CSV": (
        hostile.csv_of_rows,
        "casos.csv",
        "O CSV tem mais de 50.000 linhas: divida-o em partes",
    ),
    "a CSV line of 300 KB": (
        lambda: b"Nome dentista\r\n" + b"x" * 300_000 + b"\r\n",
        "casos.csv",
        "A linha 2 do CSV tem 300.000 bytes (o limite é 200.000)",
    ),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_is_refused_beside_the_field_and_nothing_is_kept(
    client, sheet, import_folder, attack
):
    make, name, message = ATTACKS[attack]

    assert refused(client, make(), name).startswith(message)
    assert sheet.rows() == []
    assert not import_folder.exists() or list(import_folder.iterdir()) == []


LIMITS = UploadLimits.from_config(DEFAULTS)


@pytest.mark.parametrize("attack", [a for a in ATTACKS if ATTACKS[a][1].endswith(".xlsx")])
def test_an_xlsx_attack_is_refused_in_little_memory(attack):
    make, name, message = ATTACKS[attack]
    data = make()
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile, match=re.escape(message[:40])):
            read_upload(name, data, "Casos", LIMITS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 8 * 2**20


def test_a_tab_that_declares_a_wrong_size_is_read_as_its_cells():
    upload = read_upload("casos.xlsx", hostile.declared_dimension(), "Casos", LIMITS)

    assert (upload.headers, upload.rows) == (("Nome dentista",), ((3, ("CÉLIA",)),))


@pytest.mark.parametrize(
    ("setting", "value", "data", "name", "message"),
    [
        ("RETENCAO_IMPORT_MAX_CELLS", 10, hostile.workbook(), "casos.xlsx", "mais de 10 células"),
        ("RETENCAO_IMPORT_MAX_ZIP_MEMBERS", 5, hostile.workbook(), "casos.xlsx", "(o limite é 5)"),
        ("RETENCAO_IMPORT_MAX_UNZIPPED_BYTES", 1000, hostile.workbook(), "casos.xlsx", "teria"),
        ("RETENCAO_IMPORT_CSV_MAX_LINES", 1, hostile.csv_of_rows(1), "casos.csv", "mais de 1"),
        ("RETENCAO_IMPORT_CSV_MAX_LINE_BYTES", 10, hostile.csv_of_rows(1), "casos.csv", "bytes"),
    ],
)
def test_each_limit_is_a_setting(app, client, setting, value, data, name, message):
    app.config[setting] = value

    assert message in refused(client, data, name)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_export_of_2000_full_cases_keeps_within_the_limits(kind):
    cases = [full_case(f"RET-2025-{number:05d}") for number in range(1, 2001)]
    data = to_xlsx(cases, masked=False) if kind == "xlsx" else to_csv(cases, masked=False)

    upload = read_upload(f"casos.{kind}", data, "Casos", LIMITS)

    assert len(upload.rows) == 2000
