"""Case lists as files Excel pt-BR opens: CSV (BOM, ``;``, decimal comma) and typed XLSX."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from babel.numbers import format_decimal
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from retention import documents, ptbr
from retention.case import Case
from sheets import codec
from sheets.columns import COLUMNS, HEADERS, Column

CSV_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
TRUE_TEXT, FALSE_TEXT = "VERDADEIRO", "FALSO"  # Excel pt-BR's words for a checkbox's values
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"

# With their punctuation, so Excel keeps CPF and CNPJ as text with their leading zeros.
_DOCUMENTS = {"cpf": documents.format_cpf, "cnpj": documents.format_cnpj}
_CPF = next(column.header for column in COLUMNS if column.field == "cpf")


def guard_formula(text: str) -> str:
    """``text`` with an apostrophe in front if a spreadsheet would take it for a formula."""
    return FORMULA_GUARD + text if text.startswith(FORMULA_STARTS) else text


def unguard_formula(text: str) -> str:
    """``text`` without the apostrophe ``guard_formula`` put in front of it."""
    if text.startswith(FORMULA_GUARD) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_text(column: Column, value: object) -> str:
    """One cell of the CSV: an encoded value (``codec.encode_value``) as Excel pt-BR reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if isinstance(value, datetime):
        return ptbr.format_datetime(value)
    if isinstance(value, date):
        return ptbr.format_date(value)
    if isinstance(value, Decimal):
        return format_decimal(value, format="0.00##", locale=ptbr.LOCALE)
    if isinstance(value, int):
        return str(value)
    text = _DOCUMENTS.get(column.field, str)(str(value))
    return guard_formula(text)


def _encoded(cases: Iterable[Case], masked: bool) -> Iterator[dict[str, object]]:
    """Each case's cells by header; ``masked``: a CPF shows its middle digits only (LGPD)."""
    for case in cases:
        values = codec.encode(case)
        if masked and values[_CPF] is not None:  # a CNPJ stays whole: it names a company
            values[_CPF] = documents.mask_cpf(str(values[_CPF]))
        yield values


def to_csv(cases: Iterable[Case], *, masked: bool) -> bytes:
    """Every column of ``cases`` as CSV for Excel pt-BR, header row first."""
    rows = _encoded(cases, masked)
    return excel_csv(
        [HEADERS, *([csv_text(col, values[col.header]) for col in COLUMNS] for values in rows)]
    )


def excel_csv(rows: Iterable[Iterable[str]]) -> bytes:
    """``rows`` as a CSV file that Excel in Portuguese opens as columns: UTF-8 with a BOM,
    ``;`` between cells, CRLF between rows."""
    out = io.StringIO()
    csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(cases: Iterable[Case], *, masked: bool, title: str = "Casos") -> bytes:
    """Every column of ``cases`` as a workbook of typed cells, header row first."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "B2"
    for position, column in enumerate(COLUMNS, start=1):
        width = max(12, min(40, len(column.header) + 4))
        sheet.column_dimensions[get_column_letter(position)].width = width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in HEADERS])
    for values in _encoded(cases, masked):
        sheet.append(
            [_cell(sheet, values[c.header], number_format=c.number_format) for c in COLUMNS]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: object, **style: object) -> WriteOnlyCell:
    """A cell that shows ``value`` typed: a text is never taken for a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
