"""The indicators' values as the page shows them and as Excel in Portuguese reads them."""

from typing import Any

from reports.charts import BLANK
from retention import indicators, ptbr
from retention.case import Case
from sheets.export import guard_formula


def page_cell(value: Any, percent: bool) -> str:
    """A value as the page shows it: 1.971, 45,3%, 5,5; "—" when there is none."""
    if value is None:
        return "—"
    if percent:
        return ptbr.format_percent(value)
    if isinstance(value, int):
        return ptbr.format_int(value)
    if isinstance(value, float):
        return ptbr.format_number(value)
    return str(value) or BLANK


def csv_cell(value: Any, percent: bool) -> str:
    """A value as Excel in Portuguese reads it: numbers 1971, 45,3%, 5,5; text never as a
    formula."""
    if value is None:
        return ""
    if percent:
        return ptbr.format_percent(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ptbr.format_number(value).replace(".", "")
    return guard_formula(str(value))  # a name typed in the sheet


def summary(cases: list[Case]) -> list[tuple[str, str]]:
    """The few numbers at the top of the page."""
    rate = indicators.retention_rate(cases)
    time = indicators.completion_time(cases)
    closed = sum(case.status in indicators.CLOSED for case in cases)
    return [
        ("Casos", ptbr.format_int(len(cases))),
        ("Encerrados", ptbr.format_int(closed)),
        ("Taxa de retenção", ptbr.format_percent(rate.rate) or "—"),
        ("Mediana tempo finalização", _days(time.median)),
        ("Percentil 90 tempo finalização", _days(time.p90)),
    ]


def _days(value: float | None) -> str:
    return "—" if value is None else ptbr.format_days(value)
