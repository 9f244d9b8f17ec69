"""pt-BR values: parsing what people type and formatting what they read."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from retention import ptbr


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0,30", Decimal("0.30")),
        ("R$ 1.234,56", Decimal("1234.56")),
        ("R$1.234,56", Decimal("1234.56")),
        ("1234,5", Decimal("1234.5")),
        ("1.971", Decimal("1971")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1234.56", Decimal("1234.56")),
        ("0.30", Decimal("0.30")),
        ("0,2854", Decimal("0.2854")),
    ],
)
def test_parse_decimal(text, value):
    assert ptbr.parse_decimal(text) == value


@pytest.mark.parametrize("text", ["abc", "1,2,3", "1.23,4", "1e5", "nan", "1.2.3", "R$ abc", ""])
def test_parse_decimal_rejects(text):
    with pytest.raises(ValueError, match="Valor inválido"):
        ptbr.parse_decimal(text)


@pytest.mark.parametrize(("text", "value"), [("1.971", 1971), ("65", 65), ("1.000.000", 10**6)])
def test_parse_int(text, value):
    assert ptbr.parse_int(text) == value


@pytest.mark.parametrize("text", ["1,5", "1.97", "-3", "dez", "1 971x"])
def test_parse_int_rejects(text):
    with pytest.raises(ValueError, match="Número inteiro inválido"):
        ptbr.parse_int(text)


def test_dates():
    assert ptbr.parse_date("17/06/2025") == date(2025, 6, 17)
    assert ptbr.parse_date("2/5/2025") == date(2025, 5, 2)
    assert ptbr.parse_datetime("17/06/2025 09:03") == datetime(2025, 6, 17, 9, 3)
    with pytest.raises(ValueError, match="use dd/mm/aaaa"):
        ptbr.parse_date("2025-06-17")
    with pytest.raises(ValueError, match="inexistente"):
        ptbr.parse_date("29/02/2025")


def test_formats_as_on_paper():
    assert ptbr.format_int(1971) == "1.971"
    assert ptbr.format_money(Decimal("0.3")) == "R$ 0,30"
    assert ptbr.format_money(Decimal("1234.56")) == "R$ 1.234,56"
    assert ptbr.format_money(None) == "R$ -"
    assert ptbr.format_decimal_input(Decimal("0.3")) == "0,30"
    assert ptbr.format_date(date(2025, 5, 2)) == "02/05/2025"
    assert ptbr.format_datetime(datetime(2025, 6, 17, 9, 3)) == "17/06/2025 09:03"
    assert ptbr.format_days(46) == "46 dias"
    assert ptbr.format_days(1) == "1 dia"
    assert ptbr.format_count(1971, "caso", "casos") == "1.971 casos"


def test_formats_indicator_numbers():
    assert ptbr.format_percent(0.4531) == "45,3%"
    assert ptbr.format_percent(1) == "100,0%"
    assert ptbr.format_percent(12.34567) == "1.234,6%"
    assert ptbr.format_percent(None) == ""
    assert ptbr.format_number(5.5) == "5,5"
    assert ptbr.format_number(1971.0) == "1.971"
    assert ptbr.format_number(None) == ""
    assert ptbr.format_month(date(2025, 5, 31)) == "mai/2025"
    assert ptbr.format_month(date(2024, 12, 1)) == "dez/2024"


@pytest.mark.parametrize("text", ["-", "R$ -", "R$-", "  ", ""])
def test_paper_dash_means_no_amount(text):
    assert ptbr.is_empty_amount(text)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (ptbr.parse_int, "9" * 28, "Número grande demais"),
        (ptbr.parse_int, "9" * 5000, "Número grande demais"),
        (ptbr.parse_int, "1.000.000.000", "Número grande demais"),
        (ptbr.parse_decimal, "9" * 28 + ",5", "Valor grande demais"),
        (ptbr.parse_decimal, "0,123456", "no máximo 4 casas decimais"),
        (ptbr.parse_date, "01/01/0202", "use um ano entre 1900 e 2100"),
        (ptbr.parse_datetime, "01/01/3025 10:00", "use um ano entre 1900 e 2100"),
    ],
)
def test_values_no_cell_keeps_exactly_are_refused_in_portuguese(parse, text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)


def test_largest_values_are_accepted():
    assert ptbr.parse_int("999.999.999") == 999_999_999
    assert ptbr.parse_decimal("999.999.999,9999") == Decimal("999999999.9999")


def test_dates_always_show_four_digit_years():
    assert ptbr.format_date(date(1900, 1, 1)) == "01/01/1900"
    assert ptbr.format_datetime(datetime(1900, 1, 1, 7, 5)) == "01/01/1900 07:05"


TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("17/06/2025", date(2025, 6, 17)),
        ("2/5/2025", date(2025, 5, 2)),
        ("2/5/25", date(2025, 5, 2)),
        ("08/05", date(2026, 5, 8)),
        ("8/5", date(2026, 5, 8)),
        ("17062025", date(2025, 6, 17)),
        ("170625", date(2025, 6, 17)),
        ("0805", date(2026, 5, 8)),
        (" 1/1/98 ", date(1998, 1, 1)),
        ("1/1/36", date(2036, 1, 1)),
        ("1/1/37", date(1937, 1, 1)),
    ],
)
def test_dates_as_typed(typed, day):
    assert ptbr.parse_typed_date(typed, TODAY) == day


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2025-06-17", "Data inválida: use dd/mm/aaaa."),
        ("1/1/202", "Data inválida: use dd/mm/aaaa."),
        ("1706202", "Data inválida: use dd/mm/aaaa."),
        ("ontem", "Data inválida: use dd/mm/aaaa."),
        ("31/02", "Data inexistente: confira dia e mês."),
        ("31022025", "Data inexistente: confira dia e mês."),
        ("01/01/0202", "use um ano entre 1900 e 2100"),
    ],
)
def test_dates_as_typed_that_stay_invalid_keep_their_messages(typed, message):
    with pytest.raises(ValueError, match=message):
        ptbr.parse_typed_date(typed, TODAY)


@pytest.mark.parametrize(
    "typed",
    ["17/06/2025 09:03", "17/6/25 9:03", "17/06 09:03", "17/06/2025 0903", "170620250903"],
)
def test_date_times_as_typed(typed):
    day = date(2026, 6, 17) if typed.startswith("17/06 ") else date(2025, 6, 17)
    assert ptbr.parse_typed_datetime(typed, TODAY) == datetime(day.year, 6, 17, 9, 3)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("17/06/2025", "Data e hora inválidas"),
        ("2025-06-17 09:03", "Data e hora inválidas"),
        ("30/02/2025 09:03", "Data ou hora inexistente"),
        ("17/06/2025 25:00", "Data ou hora inexistente"),
    ],
)
def test_date_times_as_typed_that_stay_invalid(typed, message):
    with pytest.raises(ValueError, match=message):
        ptbr.parse_typed_datetime(typed, TODAY)
