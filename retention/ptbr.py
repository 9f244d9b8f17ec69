"""Brazilian Portuguese values: dates dd/mm/aaaa, integers 1.971, money R$ 1.234,56.

Parsers raise ``ValueError`` with a pt-BR message a person can act on; formatters give the
text the team reads on paper.
"""

import re
import unicodedata
from collections.abc import Set
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_percent

LOCALE = "pt_BR"
_PLURALS = Locale.parse(LOCALE).plural_form

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2})[:h](\d{2})")
# What people type into a date field: d/m/aa, dd/mm (this year), ddmmaaaa, ddmmaa, ddmm.
_TYPED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?|(\d{2})(\d{2})(\d{2}|\d{4})?")
_TYPED_DATETIME = re.compile(r"(.+?),?\s+(\d{1,2})[:h]?(\d{2})|(\d{6}|\d{8})(\d{2})(\d{2})")
BAD_DATE, NO_SUCH_DATE = "Data inválida: use dd/mm/aaaa.", "Data inexistente: confira dia e mês."
BAD_DATETIME = "Data e hora inválidas: use dd/mm/aaaa hh:mm."
NO_SUCH_DATETIME = "Data ou hora inexistente: confira os valores."
YEARS_AHEAD = 10  # a two-digit year is the one of its century at most this far ahead of today
_THOUSANDS_ONLY = re.compile(r"\d{1,3}(\.\d{3})+")
_EMPTY_AMOUNT = {"", "-", "R$", "R$-"}
MAX_INT = 999_999_999
MAX_DECIMAL = Decimal("999999999.9999")
DECIMAL_PLACES = 4
FIRST_YEAR, LAST_YEAR = 1900, 2100
MONTHS = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")


def fold(text: str) -> str:
    """Lower-case without accents or surrounding blanks, for matching what people type."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def parse_date(text: str) -> date:
    """Parse ``dd/mm/aaaa`` (day and month may have one digit)."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(BAD_DATE)
    day, month, year = (int(g) for g in match.groups())
    return _date(year, month, day)


def _date(year: int, month: int, day: int) -> date:
    """The date, or the pt-BR reason it is none."""
    _check_year(year)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(NO_SUCH_DATE) from None


def parse_typed_date(text: str, today: date) -> date:
    """Parse a date as typed: ``dd/mm/aaaa``, ``d/m/aa``, ``ddmmaaaa``, ``ddmmaa``, or
    ``dd/mm`` and ``ddmm`` (of ``today``'s year)."""
    match = _TYPED_DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(BAD_DATE)
    day, month, *year = (g for g in match.groups() if g is not None)
    return _date(_full_year(year[0] if year else None, today), int(month), int(day))


def _full_year(typed: str | None, today: date) -> int:
    """``25`` -> 2025 (1900s for a year more than YEARS_AHEAD ahead); None -> this year."""
    if typed is None:
        return today.year
    if len(typed) == 4:
        return int(typed)
    year = today.year // 100 * 100 + int(typed)
    return year - 100 if year > today.year + YEARS_AHEAD else year


def parse_typed_datetime(text: str, today: date) -> datetime:
    """Parse a date and time as typed: any date ``parse_typed_date`` takes, a blank, then
    ``hh:mm`` or ``hhmm``; or digits only, ``ddmmaaaahhmm`` or ``ddmmaahhmm``."""
    match = _TYPED_DATETIME.fullmatch(text.strip())
    if not match:
        raise ValueError(BAD_DATETIME)
    typed_day, hour, minute = (g for g in match.groups() if g is not None)
    try:
        day = parse_typed_date(typed_day, today)
    except ValueError as error:
        if str(error) == BAD_DATE:
            raise ValueError(BAD_DATETIME) from None
        if str(error) == NO_SUCH_DATE:
            raise ValueError(NO_SUCH_DATETIME) from None
        raise
    try:
        return datetime(day.year, day.month, day.day, int(hour), int(minute))
    except ValueError:
        raise ValueError(NO_SUCH_DATETIME) from None


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Ano fora do esperado: use um ano entre {FIRST_YEAR} e {LAST_YEAR}.")


def parse_datetime(text: str) -> datetime:
    """Parse ``dd/mm/aaaa hh:mm``."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        raise ValueError(BAD_DATETIME)
    day, month, year, hour, minute = (int(g) for g in match.groups())
    _check_year(year)
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        raise ValueError(NO_SUCH_DATETIME) from None


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
    if len(cleaned) > 40:
        raise ValueError("Valor grande demais: no máximo 999.999.999,9999.")
    try:
        value = Decimal(_number_text(cleaned))
    except ValueError:
        raise ValueError("Valor inválido: use por exemplo 1.234,56.") from None
    return check_decimal(value)


def check_decimal(value: Decimal) -> Decimal:
    """``value`` if a cell holds it exactly: at most 999.999.999,9999, 4 decimal places."""
    if abs(value) > MAX_DECIMAL:
        raise ValueError("Valor grande demais: no máximo 999.999.999,9999.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
        raise ValueError(f"Use no máximo {DECIMAL_PLACES} casas decimais.")
    return value


def parse_int(text: str) -> int:
    """Parse ``1.971`` or ``1971``."""
    compact = re.sub(r"\s", "", text)
    if not (re.fullmatch(r"\d+", compact) or _THOUSANDS_ONLY.fullmatch(compact)):
        raise ValueError("Número inteiro inválido: use por exemplo 1.971.")
    digits = compact.replace(".", "").lstrip("0") or "0"
    if len(digits) > len(str(MAX_INT)):
        raise ValueError("Número grande demais: no máximo 999.999.999.")
    return check_int(int(digits))


def check_int(value: int) -> int:
    """``value`` if it is at most 999.999.999."""
    if abs(value) > MAX_INT:
        raise ValueError("Número grande demais: no máximo 999.999.999.")
    return value


def is_empty_amount(text: str) -> bool:
    """Whether money text means "no value", as in the paper's ``R$ -``."""
    return re.sub(r"\s", "", text) in _EMPTY_AMOUNT


def format_date(value: date | None) -> str:
    """``date(2025, 6, 17)`` -> ``17/06/2025``; None -> empty."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def format_datetime(value: datetime | None) -> str:
    """``datetime(2025, 6, 17, 9, 3)`` -> ``17/06/2025 09:03``; None -> empty."""
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}" if value else ""


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


def format_number(value: float | None) -> str:
    """``5.5`` -> ``5,5``, ``1971.0`` -> ``1.971`` (at most one decimal); None -> empty."""
    return "" if value is None else format_decimal(value, format="#,##0.#", locale=LOCALE)


def format_percent(share: float | None) -> str:
    """A fraction as a percentage with one decimal: ``0.4531`` -> ``45,3%``; None -> empty."""
    return "" if share is None else babel_percent(share, format="#,##0.0%", locale=LOCALE)


def format_month(day: date) -> str:
    """The month of ``day`` as ``mai/2025``."""
    return f"{MONTHS[day.month - 1]}/{day.year:04d}"


def plural(count: float, one: str, other: str) -> str:
    """The word that goes with ``count`` by the pt-BR plural rule (CLDR, through Babel)."""
    return one if _PLURALS(abs(count)) == "one" else other


def format_count(count: float, one: str, other: str) -> str:
    """``46, "dia", "dias"`` -> ``46 dias``; ``1`` -> ``1 dia``; thousands with a dot."""
    return f"{format_number(count)} {plural(count, one, other)}"


def format_days(days: float | None) -> str:
    """``46`` -> ``46 dias``, ``1`` -> ``1 dia``."""
    return "" if days is None else format_count(days, "dia", "dias")


def format_duration(seconds: float) -> str:
    """A wait in seconds as people say it: ``45 s``, ``2 min``, ``1 min 30 s``."""
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


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
