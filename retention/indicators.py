"""The numbers behind the indicators page, computed from cases the caller already filtered.

Rates and shares are fractions from 0 to 1 (None when nothing to divide by); the page formats them.
A case is *closed* when its status is one of the three closing statuses: a blank or unknown status
typed into the sheet counts in totals only, neither open nor closed.
"""

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Any, ClassVar

from retention.case import Case
from retention.choices import ACTIONS, STATUSES, with_extras
from retention.ptbr import fold

_, RETAINED, LEFT, NOT_RETENTION = STATUSES
CLOSED = frozenset({RETAINED, LEFT, NOT_RETENTION})
P90 = 90
RANGE_WIDTHS = (7, 15, 30, 60, 90, 180, 365)  # days per range of the Tempo finalização chart
MAX_RANGES = 12


@dataclass(frozen=True)
class RetentionRate:
    """Retenção Efetiva out of closed retention cases (Retenção Efetiva + Desligamento)."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Retenção Efetiva",
        "Retenções encerradas",
        "Taxa de retenção",
    )

    retained: int
    retention_closed: int
    rate: float | None


@dataclass(frozen=True)
class MonthCount:
    """Cases opened and closed in one month (``aaaa-mm``)."""

    HEADERS: ClassVar[tuple[str, ...]] = ("Mês", "Abertos", "Encerrados")

    month: str
    opened: int
    closed: int


@dataclass(frozen=True)
class MonthlyRetention:
    """The retention rate of the retention cases closed in one month (``aaaa-mm``)."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Mês",
        "Retenção Efetiva",
        "Retenções encerradas",
        "Taxa de retenção",
    )

    month: str
    retained: int
    retention_closed: int
    rate: float | None


@dataclass(frozen=True)
class Monthly:
    """Every month from the first to the last with a case, and the cases without a date."""

    months: list[MonthCount]
    opened_undated: int
    closed_undated: int


@dataclass(frozen=True)
class CompletionTime:
    """Tempo finalização (days) of the closed cases that have both dates."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Casos com tempo",
        "Mediana (dias)",
        "Percentil 90 (dias)",
    )

    measured: int
    median: float | None
    p90: int | None


@dataclass(frozen=True)
class DayRange:
    """Closed cases whose Tempo finalização is from ``first`` to ``last`` days, inclusive."""

    HEADERS: ClassVar[tuple[str, ...]] = ("De (dias)", "Até (dias)", "Casos")

    first: int
    last: int
    cases: int


@dataclass(frozen=True)
class ReasonCount:
    """One reason's cases, its share of all reason mentions and the running (Pareto) share."""

    HEADERS: ClassVar[tuple[str, ...]] = ("Motivo", "Casos", "% das menções", "% acumulado")

    reason: str
    cases: int
    share: float
    cumulative_share: float


@dataclass(frozen=True)
class OfferOutcome:
    """How the closed retention cases where an action was offered ended."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Ação",
        "Ofertada",
        "Retenção Efetiva",
        "Desligamento",
        "Taxa de retenção",
    )

    action: str
    offered: int
    retained: int
    left: int
    rate: float | None


@dataclass(frozen=True)
class AnalystStats:
    """One colaborador's cases, outcomes and median Tempo finalização."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Colaborador",
        "Casos",
        "Em andamento",
        "Encerrados",
        "Retenção Efetiva",
        "Taxa de retenção",
        "Mediana tempo finalização (dias)",
    )

    analyst: str
    cases: int
    open: int
    closed: int
    retained: int
    retention_rate: float | None
    median_days: float | None


def retention_rate(cases: Iterable[Case]) -> RetentionRate:
    """Retenção Efetiva ÷ (Retenção Efetiva + Desligamento); other statuses left out."""
    statuses = Counter(case.status for case in cases)
    retained, closed = statuses[RETAINED], statuses[RETAINED] + statuses[LEFT]
    return RetentionRate(retained, closed, _ratio(retained, closed))


def monthly(cases: Sequence[Case]) -> Monthly:
    """Opened by month of Data início (else creation), closed by month of Data final."""
    opened = Counter(_month(day) for day in map(_opened_on, cases) if day)
    closed = Counter(_month(c.end_date) for c in cases if _is_closed(c) and c.end_date)
    present = opened.keys() | closed.keys()
    months = _months_between(min(present), max(present)) if present else []
    return Monthly(
        months=[MonthCount(month, opened[month], closed[month]) for month in months],
        opened_undated=sum(_opened_on(case) is None for case in cases),
        closed_undated=sum(_is_closed(case) and case.end_date is None for case in cases),
    )


def retention_by_month(cases: Iterable[Case]) -> list[MonthlyRetention]:
    """The retention rate per month of Data final, only the months that closed a retention
    case (Retenção Efetiva or Desligamento), oldest first."""
    by_month: dict[str, list[Case]] = {}
    for case in cases:
        if case.status in (RETAINED, LEFT) and case.end_date:
            by_month.setdefault(_month(case.end_date), []).append(case)
    return [
        MonthlyRetention(month, rate.retained, rate.retention_closed, rate.rate)
        for month, rate in ((m, retention_rate(by_month[m])) for m in sorted(by_month))
    ]


def completion_days(cases: Iterable[Case]) -> list[int]:
    """Tempo finalização of each closed case that has both dates."""
    return [c.completion_days for c in cases if _is_closed(c) and c.completion_days is not None]


def completion_time(cases: Iterable[Case]) -> CompletionTime:
    """Median (``statistics.median``) and nearest-rank 90th percentile of Tempo finalização."""
    days = completion_days(cases)
    if not days:
        return CompletionTime(0, None, None)
    return CompletionTime(len(days), statistics.median(days), percentile(days, P90))


def completion_ranges(cases: Iterable[Case]) -> list[DayRange]:
    """Closed cases per range of Tempo finalização: equal ranges (a week, 15 days, a month...),
    the narrowest that needs at most ``MAX_RANGES``, empty ranges included."""
    days = completion_days(cases)
    if not days:
        return []
    low, high = min(days), max(days)
    width = next((w for w in RANGE_WIDTHS if high // w - low // w < MAX_RANGES), RANGE_WIDTHS[-1])
    counts = Counter(day // width for day in days)
    return [
        DayRange(index * width, index * width + width - 1, counts[index])
        for index in range(low // width, high // width + 1)
    ]


def percentile(values: Sequence[int], percent: int) -> int:
    """Nearest rank: the smallest value with at least ``percent``% of the values at or below it."""
    if not values:
        raise statistics.StatisticsError("percentile of no values")
    rank = -(-percent * len(values) // 100)  # ceil(percent/100 × n), without float rounding
    return sorted(values)[max(rank, 1) - 1]


def pareto(cases: Iterable[Case]) -> list[ReasonCount]:
    """Cases per reason (once per reason a case has), most first, then by name."""
    counts = Counter(reason for case in cases for reason in case.reasons)
    total, running, ranked = counts.total(), 0, []
    for reason, count in sorted(counts.items(), key=lambda item: (-item[1], *_name_key(item[0]))):
        running += count
        ranked.append(ReasonCount(reason, count, count / total, running / total))
    return ranked


def pareto_by(cases: Iterable[Case], key: Callable[[Case], str]) -> dict[str, list[ReasonCount]]:
    """The Pareto of reasons for each value of ``key`` (e.g. operadora, UF), in name order."""
    return {group: pareto(members) for group, members in _group(cases, key).items()}


def offer_outcomes(cases: Iterable[Case]) -> list[OfferOutcome]:
    """Per action (ACTIONS, then any typed in the sheet): the closed retention cases offered it."""
    decided = [case for case in cases if case.status in (RETAINED, LEFT)]
    offered = frozenset().union(*(case.actions for case in decided))
    return [_outcome(action, decided) for action in with_extras(ACTIONS, offered)]


def by_analyst(cases: Iterable[Case]) -> list[AnalystStats]:
    """One row per colaborador, in name order."""
    return [_analyst(name, group) for name, group in _group(cases, attrgetter("analyst")).items()]


def table(row_type: Any, records: Iterable[Any]) -> list[tuple[Any, ...]]:
    """The header row, then each record's values unformatted: for page tables and CSV files."""
    return [row_type.HEADERS, *map(_values, records)]


def grouped_table(
    group_header: str, row_type: Any, groups: Mapping[str, Iterable[Any]]
) -> list[tuple[Any, ...]]:
    """Like ``table``, each row led by its group (e.g. the operadora of ``pareto_by``)."""
    rows = [(group, *_values(record)) for group, records in groups.items() for record in records]
    return [(group_header, *row_type.HEADERS), *rows]


def _values(record: Any) -> tuple[Any, ...]:
    return tuple(getattr(record, f.name) for f in fields(record))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _is_closed(case: Case) -> bool:
    return case.status in CLOSED


def _opened_on(case: Case) -> date | None:
    return case.start_date or (case.created_at.date() if case.created_at else None)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while (key := f"{year:04d}-{month:02d}") <= last:
        months.append(key)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _name_key(name: str) -> tuple[str, str]:
    return fold(name), name


def _group(cases: Iterable[Case], key: Callable[[Case], str]) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return {name: groups[name] for name in sorted(groups, key=_name_key)}


def _outcome(action: str, decided: list[Case]) -> OfferOutcome:
    rate = retention_rate(case for case in decided if action in case.actions)
    left = rate.retention_closed - rate.retained
    return OfferOutcome(action, rate.retention_closed, rate.retained, left, rate.rate)


def _analyst(name: str, cases: list[Case]) -> AnalystStats:
    rate = retention_rate(cases)
    return AnalystStats(
        analyst=name,
        cases=len(cases),
        open=sum(case.is_open for case in cases),
        closed=sum(map(_is_closed, cases)),
        retained=rate.retained,
        retention_rate=rate.rate,
        median_days=completion_time(cases).median,
    )
