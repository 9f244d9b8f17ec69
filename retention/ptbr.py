"""Brazilian Portuguese values: dates dd/mm/aaaa, integers 1.971, money R$ 1.234,56.

Parsers raise ``ValueError`` with a pt-BR message a person can act on; formatters give the
text the team reads on paper.
"""

import re
import unicodedata
from collections.abc import Set
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

LOCALE = "pt_BR"
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2})[:h](\d{2})")
_THOUSANDS_ONLY = re.compile(r"\d{1,3}(\.\d{3})+")
_EMPTY_AMOUNT = {"", "-", "R$", "R$-"}


def fold(text: str) -> str:
    """Lower-case without accents or surrounding blanks, for matching what people type."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def parse_date(text: str) -> date:
    """Parse ``dd/mm/aaaa`` (day and month may have one digit)."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError("Data inválida: use dd/mm/aaaa.")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("Data inexistente: confira dia e mês.") from None


def parse_datetime(text: str) -> datetime:
    """Parse ``dd/mm/aaaa hh:mm``."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        raise ValueError("Data e hora inválidas: use dd/mm/aaaa hh:mm.")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        raise ValueError("Data ou hora inexistente: confira os valores.") from None


def _number_text(text: str) -> str:
    """Turn pt-BR number text into plain ``-1234.56``; ValueError if it is no number."""
    compact = re.sub(r"\s", "", text)
    sign = "-" if compact.startswith("-") else ""
    body = compact.removeprefix("-")
    if "," in body:
        integer, _, fraction = body.partition(",")
        grouped = "." in integer and not _THOUSANDS_ONLY.fullmatch(integer)
        if grouped or not re.fullmatch(r"\d+", integer.replace(".", "") + fraction):
            raise ValueError(text)
        return f"{sign}{integer.replace('.', '')}.{fraction}"
    if _THOUSANDS_ONLY.fullmatch(body):
        return sign + body.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?", body):
        raise ValueError(text)
    return sign + body


def parse_decimal(text: str) -> Decimal:
    """Parse ``0,30``, ``1.234,56``, ``R$ 1.234,56`` or ``1234.56``."""
    cleaned = text.strip().removeprefix("R$").strip()
    try:
        return Decimal(_number_text(cleaned))
    except ValueError:
        raise ValueError("Valor inválido: use por exemplo 1.234,56.") from None


def parse_int(text: str) -> int:
    """Parse ``1.971`` or ``1971``."""
    compact = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d+", compact) or _THOUSANDS_ONLY.fullmatch(compact):
        return int(compact.replace(".", ""))
    raise ValueError("Número inteiro inválido: use por exemplo 1.971.")


def is_empty_amount(text: str) -> bool:
    """Whether money text means "no value", as in the paper's ``R$ -``."""
    return re.sub(r"\s", "", text) in _EMPTY_AMOUNT


def format_date(value: date | None) -> str:
    """``date(2025, 6, 17)`` -> ``17/06/2025``; None -> empty."""
    return value.strftime(DATE_FORMAT) if value else ""


def format_datetime(value: datetime | None) -> str:
    """``datetime(2025, 6, 17, 9, 3)`` -> ``17/06/2025 09:03``; None -> empty."""
    return value.strftime(DATETIME_FORMAT) if value else ""


def format_int(value: int | None) -> str:
    """``1971`` -> ``1.971``; None -> empty."""
    return "" if value is None else format_decimal(value, locale=LOCALE)


def format_decimal_input(value: Decimal | None) -> str:
    """A decimal as a person types it back into the form: ``0,30``, ``1.234,56``."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00##", locale=LOCALE)


def format_money(value: Decimal | None) -> str:
    """``Decimal("1234.56")`` -> ``R$ 1.234,56``; None -> ``R$ -`` as on the paper form."""
    if value is None:
        return "R$ -"
    return format_currency(value, "BRL", locale=LOCALE).replace("\xa0", " ")


def format_days(days: int | None) -> str:
    """``46`` -> ``46 dia(s)``."""
    return "" if days is None else f"{days} dia(s)"


def format_value(value: object) -> str:
    """Any field's value as the team reads it; empty values as ``(vazio)``."""
    if value is None or value == "" or value == frozenset():
        return "(vazio)"
    if isinstance(value, bool):
        return "Sim" if value else "Não"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_decimal_input(value)
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, Set):
        return "; ".join(sorted(value))
    return str(value)
