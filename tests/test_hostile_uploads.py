"""Uploads made to hurt the server: refused in pt-BR before they are parsed, nothing written."""

import logging
import xml.etree.ElementTree

import openpyxl
import pytest
from openpyxl.xml import functions as openpyxl_xml

from app import create_app

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
