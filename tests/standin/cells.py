"""Cell contents in and out: RAW and USER_ENTERED input, CellData writes, rendered values."""

import json
import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from tests.standin.errors import ApiError
from tests.standin.grid import LENGTH_MESSAGE, MAX_CELL_CHARS, Cell, Sheet, Value

FORMULA_RESULT = "#N/A"
SERIAL_EPOCH = datetime(1899, 12, 30)


# ---- entering values


_BOOLEANS = {"TRUE": True, "FALSE": False, "VERDADEIRO": True, "FALSO": False}
_PT_BR_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?:R\$\s*)?(?P<int>\d{1,3}(?:\.\d{3})+|\d*)(?:,(?P<frac>\d+))?(?P<pct>%?)"
)
_DMY = r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})"
_HMS = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_MOMENT = re.compile(rf"{_DMY}(?:\s+{_HMS})?|{_HMS}")
_DATE_PATTERNS = {"DATE": "dd/mm/yyyy", "DATE_TIME": "dd/mm/yyyy hh:mm:ss", "TIME": "hh:mm:ss"}


def as_number(value: float) -> int | float:
    """A number as Google keeps it: a double, whole ones shown without ".0"."""
    number = float(value)
    if not math.isfinite(number):
        raise ApiError(400, "Invalid value: numbers must be finite.")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def check_length(text: str) -> str:
    """Refuse text longer than one cell can hold."""
    if len(text) > MAX_CELL_CHARS:
        raise ApiError(400, LENGTH_MESSAGE)
    return text


def enter(cell: Cell, value: object, option: str) -> Cell:
    """The cell after writing `value` into it with valueInputOption `option`."""
    plain_text = (cell.number_format or {}).get("type") == "TEXT"
    stored, formula, automatic = _interpret(value, "RAW" if plain_text else option)
    return replace(
        cell, value=stored, formula=formula, number_format=cell.number_format or automatic
    )


def _interpret(value: object, option: str) -> tuple[Value, str | None, dict | None]:
    if isinstance(value, bool):
        return value, None, None
    if isinstance(value, int | float):
        return as_number(value), None, None
    if not isinstance(value, str):
        raise ApiError(400, f"Invalid values: {json.dumps(value)} is not a cell value.")
    if value == "":
        return None, None, None
    if option == "RAW":
        return check_length(value), None, None
    return _user_entered(check_length(value))


def _user_entered(text: str) -> tuple[Value, str | None, dict | None]:
    if text.startswith("=") and len(text) > 1:
        return FORMULA_RESULT, text, None
    if text.startswith("'"):
        return text[1:] or None, None, None
    stripped = text.strip()
    if stripped.upper() in _BOOLEANS:
        return _BOOLEANS[stripped.upper()], None, None
    number = _pt_br_number(stripped)
    if number is not None:
        return number, None, None
    return _pt_br_moment(stripped) or (text, None, None)


def _pt_br_number(text: str) -> int | float | None:
    match = _PT_BR_NUMBER.fullmatch(text)
    if not match or not (match["int"] or match["frac"]):
        return None
    number = float(f"{match['int'].replace('.', '') or 0}.{match['frac'] or 0}")
    if match["pct"]:
        number /= 100
    return as_number(-number if match["sign"] == "-" else number)


def _pt_br_moment(text: str) -> tuple[int | float, None, dict] | None:
    match = _MOMENT.fullmatch(text)
    if not match:
        return None
    day, month, year, hour, minute, second, *alone = match.groups()
    hour, minute, second = (hour, minute, second) if day else alone
    try:
        day_part = date(_full_year(year), int(month), int(day)) if day else SERIAL_EPOCH.date()
        time_part = datetime.strptime(f"{hour or 0}:{minute or 0}:{second or 0}", "%H:%M:%S")
    except ValueError:
        return None
    days = (day_part - SERIAL_EPOCH.date()).days
    seconds = time_part.hour * 3600 + time_part.minute * 60 + time_part.second
    kind = "DATE_TIME" if day and hour else "DATE" if day else "TIME"
    serial = as_number(days + seconds / 86400)
    return serial, None, {"type": kind, "pattern": _DATE_PATTERNS[kind]}


def _full_year(year: str) -> int:
    # Sheets reads two-digit years 00-29 as 20xx and 30-99 as 19xx.
    if len(year) == 4:
        return int(year)
    return 2000 + int(year) if int(year) < 30 else 1900 + int(year)


def cell_from_data(cell: Cell, data: dict, fields: set[str]) -> Cell:
    """The cell after a CellData write (updateCells/repeatCell) limited to `fields`."""
    changes: dict[str, object] = {}
    if "userEnteredValue" in fields:
        changes["value"], changes["formula"] = _extended_value(data.get("userEnteredValue"))
    if "userEnteredFormat.numberFormat" in fields:
        changes["number_format"] = data.get("userEnteredFormat", {}).get("numberFormat")
    if "dataValidation" in fields:
        changes["validation"] = data.get("dataValidation")
    return replace(cell, **changes)


def _extended_value(value: dict | None) -> tuple[Value, str | None]:
    if not value:
        return None, None
    if len(value) != 1:
        raise ApiError(400, "userEnteredValue must hold exactly one kind of value.")
    ((kind, raw),) = value.items()
    if kind == "formulaValue":
        return FORMULA_RESULT, check_length(raw)
    if kind == "stringValue":
        return check_length(raw) or None, None
    if kind == "numberValue":
        return as_number(raw), None
    if kind == "boolValue":
        return bool(raw), None
    raise ApiError(400, f"The stand-in does not model userEnteredValue.{kind}.")


_CELL_FIELDS = ("userEnteredValue", "userEnteredFormat.numberFormat", "dataValidation")


def mask_paths(mask: str | None) -> list[str]:
    """The paths of a FieldMask: "a(b,c),d/e" -> ["a.b", "a.c", "d.e"]."""
    if not mask:
        raise ApiError(400, "At least one field must be specified in 'fields'.")
    paths = []
    for prefix, inner in re.findall(r"([\w./*]+)(?:\(([^)]*)\))?", mask):
        names = [f"{prefix}.{name.strip()}" for name in inner.split(",")] if inner else [prefix]
        paths += [name.replace("/", ".") for name in names]
    return paths


def cell_fields(mask: str | None) -> set[str]:
    """The CellData fields a `fields` mask names, among those the stand-in models."""
    fields: set[str] = set()
    for name in mask_paths(mask):
        if name == "*":
            fields.update(_CELL_FIELDS)
        elif name in ("userEnteredFormat", "userEnteredFormat.numberFormat"):
            fields.add("userEnteredFormat.numberFormat")
        elif name in _CELL_FIELDS:
            fields.add(name)
        elif not name.startswith("userEnteredFormat."):
            raise ApiError(400, f"The stand-in does not model the field '{name}'.")
    return fields


# ---- reading values


def render(cell: Cell, value_option: str, date_option: str) -> Value:
    """The cell as values.get returns it under the given render options."""
    if value_option == "FORMULA" and cell.formula is not None:
        return cell.formula
    if value_option == "FORMATTED_VALUE":
        return formatted(cell)
    if date_option == "FORMATTED_STRING" and _date_pattern(cell):
        return formatted(cell)
    return cell.value


def formatted(cell: Cell) -> str:
    """The cell's text as the UI shows it (see SIMPLIFICATIONS)."""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        pattern = _date_pattern(cell)
        return format_serial(value, pattern) if pattern else str(value)
    return "" if value is None else value


def _date_pattern(cell: Cell) -> str | None:
    number_format = cell.number_format or {}
    kind = number_format.get("type")
    number = isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
    if kind not in _DATE_PATTERNS or not number:
        return None
    return number_format.get("pattern") or _DATE_PATTERNS[kind]


def format_serial(serial: float, pattern: str) -> str:
    """A date serial number written with a Sheets date/time pattern."""
    moment = SERIAL_EPOCH + timedelta(days=serial, microseconds=500_000)
    tokens = re.findall(r"y+|d+|h+|m+|s+|[^ydhms]+", pattern.lower())
    units = [i for i, token in enumerate(tokens) if token[0] in "ydhms"]
    pieces = []
    for i, token in enumerate(tokens):
        if token[0] not in "ydhms":
            pieces.append(token)
            continue
        before = [tokens[j][0] for j in units if j < i][-1:]
        after = [tokens[j][0] for j in units if j > i][:1]
        # "m" means minutes right after an hour or right before seconds, months otherwise.
        minutes = token[0] == "m" and (before == ["h"] or after == ["s"])
        pieces.append(_date_piece(token, moment, minutes))
    return "".join(pieces)


def _date_piece(token: str, moment: datetime, minutes: bool) -> str:
    if token[0] == "y":
        return f"{moment.year % 100:02d}" if len(token) <= 2 else str(moment.year)
    unit = "minute" if minutes else {"d": "day", "h": "hour", "m": "month", "s": "second"}[token[0]]
    number = getattr(moment, unit)
    return f"{number:02d}" if len(token) > 1 else str(number)


def rows_of(
    sheet: Sheet, bounds: tuple[int, int, int, int], show: Callable[[Cell], Value]
) -> list[list[Value]]:
    """Rows of shown cells, trailing empty cells and rows dropped, inner empties as ""."""
    r0, r1, c0, c1 = bounds
    rows = []
    for r in range(r0, min(r1, sheet.last_data_row() + 1)):
        cells = [sheet.cell(r, c) for c in range(c0, c1)]
        while cells and not cells[-1].has_data:
            cells.pop()
        rows.append([show(cell) if cell.has_data else "" for cell in cells])
    while rows and not rows[-1]:
        rows.pop()
    return rows
