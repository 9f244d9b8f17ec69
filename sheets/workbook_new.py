"""A new cases workbook (first run), made by openpyxl: the header row, widths, dropdowns."""

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sheets.columns import COLUMNS, Column, Kind

_LIST_FORMULA_LIMIT = 255  # Excel's cap on an inline list validation


def new_workbook(title: str) -> Workbook:
    """A workbook whose tab ``title`` holds the header row, frozen, with the choices' lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for position, column in enumerate(COLUMNS, start=1):
        _set_header(sheet, position, column)
    sheet.freeze_panes = "B2"
    return workbook


def _set_header(sheet: Worksheet, position: int, column: Column) -> None:
    cell = sheet.cell(row=1, column=position, value=column.header)
    cell.font = Font(bold=True)
    letter = get_column_letter(position)
    sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) + 4))
    if column.kind is Kind.CHOICE:
        options = ",".join(column.choices)
        if len(options) + 2 <= _LIST_FORMULA_LIMIT:
            validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(validation)
