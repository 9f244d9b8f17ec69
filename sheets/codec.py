"""Case <-> row values keyed by header, using the column list.

Encoding gives Python values (str, int, Decimal, date, datetime, bool, None); each backend turns
them into its own cells. Decoding is tolerant of what a person types into a cell by hand:
``17/06/2025`` as text, ``1.971``, ``sim``, ``VERDADEIRO``, a date serial number.
"""

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, cast

from retention import ptbr
from retention.case import CONTACT_SLOTS, Case, Contact
from sheets.columns import COLUMNS, MULTI_SEPARATOR, Column, Kind, Owner

SERIAL_EPOCH = datetime(1899, 12, 30)
_TRUE_WORDS = {"true", "verdadeiro", "sim", "s", "x", "1", "✓", "✔", "☑", "yes"}
_EMPTY: dict[Kind, object] = {
    Kind.TEXT: "",
    Kind.CHOICE: "",
    Kind.MULTI: frozenset(),
    Kind.BOOL: False,
}


def encode(case: Case) -> dict[str, object]:
    """Every column's value for ``case``, keyed by header; empty values are None."""
    return {col.header: encode_value(col, col.value_of(case)) for col in COLUMNS}


def encode_value(column: Column, value: object) -> object:
    """One column's Python value as it goes into a cell; empty values are None."""
    if column.kind is Kind.MULTI:
        chosen = cast(frozenset[str], value)
        ordered = [c for c in column.choices if c in chosen]
        ordered += sorted(chosen - set(column.choices))
        return MULTI_SEPARATOR.join(ordered) or None
    if value == "":
        return None
    return value


def decode(values: Mapping[str, object]) -> Case:
    """A Case from raw cell values keyed by header; unknown and derived headers are ignored."""
    # Values are typed by their column's kind, so the dicts that build the Case hold Any.
    scalars: dict[str, Any] = {}
    contacts: list[dict[str, Any]] = [{} for _ in range(CONTACT_SLOTS)]
    flags: dict[str, set[str]] = {}
    counts: dict[str, dict[str, Any]] = {}
    for col, parser, empty, place in _DECODED:
        value = _parse(col, values.get(col.header), parser, empty)
        if place is _SCALAR:
            scalars[col.field] = value
        elif place is _CONTACT:
            contacts[cast(int, col.member)][col.part] = value
        elif place is _FLAG:
            members = flags.setdefault(col.field, set())
            if value:
                members.add(cast(str, col.member))
        elif value is not None:
            counts.setdefault(col.field, {})[cast(str, col.member)] = value
    scalars["contacts"] = tuple(Contact(**parts) for parts in contacts)
    scalars.update({name: frozenset(members) for name, members in flags.items()})
    scalars.update({name: MappingProxyType(found) for name, found in counts.items()})
    return Case(**scalars)


def parse_cell(column: Column, raw: object) -> object:
    """The Python value of a cell, whatever a person typed into it; None if not understood."""
    return _parse(column, raw, _PARSERS[column.kind], _EMPTY.get(column.kind))


def _parse(column: Column, raw: object, parser: Callable[[Column, Any], object], empty: object):
    if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
        return empty
    try:
        return parser(column, raw)
    except (ValueError, TypeError, ArithmeticError):
        return empty


def _text(_column: Column, raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return ptbr.format_datetime(raw)
    return str(raw).strip()


@cache
def _folded_choices(choices: tuple[str, ...]) -> dict[str, str]:
    """Each choice by its folded text (the first of choices that fold alike), folded once."""
    folded: dict[str, str] = {}
    for choice in choices:
        folded.setdefault(_loose(choice), choice)
    return folded


@lru_cache(maxsize=4096)  # a sheet holds few distinct choices: each is folded once
def _canonical_choice(choices: tuple[str, ...], text: str) -> str:
    """The option ``text`` names, read without accents, case or punctuation (``T.I`` is TI)."""
    return _folded_choices(choices).get(_loose(text), text.strip())


def _loose(text: str) -> str:
    return re.sub(r"[^\w]", "", ptbr.fold(text))


def _choice(column: Column, raw: object) -> str:
    return _canonical_choice(column.choices, _text(column, raw))


def _multi(column: Column, raw: object) -> frozenset[str]:
    tokens = re.split(r"[;\n]", _text(column, raw))
    return frozenset(_canonical_choice(column.choices, t) for t in tokens if t.strip())


def _int(column: Column, raw: object) -> int:
    if isinstance(raw, bool):
        raise TypeError(raw)
    if isinstance(raw, int | float | Decimal):
        if raw != int(raw):
            raise ValueError(raw)
        return ptbr.check_int(int(raw))
    return ptbr.parse_int(_text(column, raw))


def _decimal(column: Column, raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise TypeError(raw)
    if isinstance(raw, int | float | Decimal):
        return ptbr.check_decimal(Decimal(str(raw)))
    return ptbr.parse_decimal(_text(column, raw))


def _datetime(column: Column, raw: object) -> datetime:
    if isinstance(raw, datetime):
        return raw.replace(microsecond=0)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return SERIAL_EPOCH + timedelta(seconds=round(raw * 86400))
    text = _text(column, raw)
    try:
        return ptbr.parse_datetime(text)
    except ValueError:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            day = ptbr.parse_date(text)
            return datetime(day.year, day.month, day.day)


def _date(column: Column, raw: object) -> date:
    return _datetime(column, raw).date()


def _bool(column: Column, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return raw != 0
    return ptbr.fold(_text(column, raw)) in _TRUE_WORDS


_PARSERS = {
    Kind.TEXT: _text,
    Kind.CHOICE: _choice,
    Kind.MULTI: _multi,
    Kind.INT: _int,
    Kind.DECIMAL: _decimal,
    Kind.MONEY: _decimal,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.BOOL: _bool,
}


_SCALAR, _CONTACT, _FLAG, _COUNT = "scalar", "contact", "flag", "count"


def _place(col: Column) -> str:
    """Where a column's value goes in a Case: a field, a contact, a set, a mapping."""
    if isinstance(col.member, int):
        return _CONTACT
    if col.member is None:
        return _SCALAR
    return _FLAG if col.kind is Kind.BOOL else _COUNT


# Each column read into a Case (derived ones are computed, never read): parser, empty value.
_DECODED = tuple(
    (col, _PARSERS[col.kind], _EMPTY.get(col.kind), _place(col))
    for col in COLUMNS
    if col.owner is not Owner.DERIVED
)


def canonical(value: object) -> str:
    """A stable text for comparing two values of a column (empty values compare equal)."""
    if value is None or value is False or value == "" or value == frozenset():
        return ""
    if value is True:
        return "TRUE"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return MULTI_SEPARATOR.join(sorted(value))
    return str(value)
