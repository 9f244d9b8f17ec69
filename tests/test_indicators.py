"""The indicators page's numbers: 200 synthetic cases against plain loops, then edge cases."""

import random
import statistics
from dataclasses import fields, replace
from datetime import date, datetime, timedelta
from operator import attrgetter

import pytest

from retention.case import Case
from retention.choices import ACTIONS, REASONS
from retention.indicators import (
    AnalystStats,
    CompletionTime,
    DayRange,
    MonthCount,
    Monthly,
    MonthlyRetention,
    OfferOutcome,
    ReasonCount,
    RetentionRate,
    by_analyst,
    completion_ranges,
    completion_time,
    grouped_table,
    monthly,
    offer_outcomes,
    pareto,
    pareto_by,
    percentile,
    retention_by_month,
    retention_rate,
    table,
)
from retention.ptbr import fold
from tests.sample import full_case

OPEN, RETAINED, LEFT, NOT_RETENTION = (
    "Em andamento",
    "Retenção Efetiva",
    "Desligamento",
    "Não se trata de Retenção",
)
CLOSED = (RETAINED, LEFT, NOT_RETENTION)
OPERATORS = ("ODONTOLIFE", "SORRISO PLENO", "DENTAL NORTE")
UFS = ("MS", "MT", "SP", "GO")
ANALYSTS = ("Ana Exemplo", "Bruno Teste", "Célia Fictícia", "Davi Modelo")
TYPED_REASON, TYPED_ACTION = "Agenda cheia", "Desconto pontual"  # not in the form's lists
FIRST_DAY = date(2025, 1, 1)


def synthetic_cases() -> list[Case]:
    """200 varied cases over ~8 months; some without dates, a few with a blank status."""
    rng = random.Random(2025)
    return [_synthetic(rng, n) for n in range(200)]


def _synthetic(rng: random.Random, n: int) -> Case:
    status = rng.choices((OPEN, RETAINED, LEFT, NOT_RETENTION, ""), weights=(5, 6, 5, 2, 1))[0]
    start = FIRST_DAY + timedelta(days=rng.randrange(240))
    created = datetime.combine(start, datetime.min.time()) + timedelta(hours=rng.randrange(48))
    end = (
        start + timedelta(days=rng.randrange(90)) if status != OPEN or rng.random() < 0.1 else None
    )
    return Case(
        case_id=f"RET-2025-{n:04d}",
        status=status,
        created_at=created if rng.random() < 0.9 else None,
        start_date=start if rng.random() < 0.8 else None,
        end_date=end if rng.random() < 0.85 else None,
        operator=rng.choice(OPERATORS),
        uf=rng.choice(UFS),
        analyst=rng.choice(ANALYSTS),
        reasons=frozenset(rng.sample((*REASONS, TYPED_REASON), rng.randint(0, 3))),
        actions=frozenset(rng.sample((*ACTIONS, TYPED_ACTION), rng.randint(0, 3))),
    )


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return synthetic_cases()


# Expected numbers, computed with plain loops and nothing from retention.indicators


def expected_rate(cases: list[Case]) -> tuple[int, int, float | None]:
    retained = closed = 0
    for case in cases:
        if case.status == RETAINED:
            retained += 1
            closed += 1
        elif case.status == LEFT:
            closed += 1
    return retained, closed, (retained / closed if closed else None)


def expected_median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def expected_p90(values: list[int]) -> int | None:
    """The first value, in order, with at least 90% of the values at or below it."""
    for value in sorted(values):
        at_or_below = 0
        for other in values:
            if other <= value:
                at_or_below += 1
        if at_or_below * 10 >= len(values) * 9:
            return value
    return None


def expected_days(cases: list[Case]) -> list[int]:
    days = []
    for case in cases:
        if case.status in CLOSED and case.start_date and case.end_date:
            days.append((case.end_date - case.start_date).days)
    return days


def expected_pareto(cases: list[Case]) -> list[tuple[str, int, float, float]]:
    counts: dict[str, int] = {}
    for case in cases:
        for reason in case.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    total = sum(counts.values())
    order = sorted(counts, key=lambda reason: (-counts[reason], fold(reason), reason))
    rows, running = [], 0
    for reason in order:
        running += counts[reason]
        rows.append((reason, counts[reason], counts[reason] / total, running / total))
    return rows


def as_tuples(records) -> list[tuple]:
    return [tuple(getattr(r, f.name) for f in fields(r)) for r in records]


# The 200 synthetic cases


def test_the_synthetic_set_covers_what_the_indicators_must_handle(cases):
    statuses = {case.status for case in cases}
    assert len(cases) == 200 and statuses == {OPEN, RETAINED, LEFT, NOT_RETENTION, ""}
    assert any(c.start_date is None and c.created_at is not None for c in cases)
    assert any(c.start_date is None and c.created_at is None for c in cases)
    assert any(c.status in CLOSED and c.end_date is None for c in cases)
    assert any(c.status == OPEN and c.end_date is not None for c in cases)
    assert {len(c.reasons) for c in cases} == {0, 1, 2, 3} == {len(c.actions) for c in cases}
    counts = [count for _, count, _, _ in expected_pareto(cases)]
    assert len(counts) > len(set(counts)), "the Pareto ordering must meet ties"


def test_retention_rate_on_200_cases(cases):
    retained, closed, rate = expected_rate(cases)
    assert retention_rate(cases) == RetentionRate(retained, closed, rate)
    assert 0 < retained < closed


def test_cases_opened_and_closed_per_month_on_200_cases(cases):
    opened: dict[tuple[int, int], int] = {}
    closed: dict[tuple[int, int], int] = {}
    opened_undated = closed_undated = 0
    for case in cases:
        day = case.start_date
        if day is None and case.created_at is not None:
            day = case.created_at.date()
        if day is None:
            opened_undated += 1
        else:
            opened[(day.year, day.month)] = opened.get((day.year, day.month), 0) + 1
        if case.status in CLOSED:
            if case.end_date is None:
                closed_undated += 1
            else:
                key = (case.end_date.year, case.end_date.month)
                closed[key] = closed.get(key, 0) + 1
    present = [*opened, *closed]
    first, last = min(present), max(present)
    expected = []
    for index in range(first[0] * 12 + first[1] - 1, last[0] * 12 + last[1]):
        year, month = divmod(index, 12)
        key = (year, month + 1)
        expected.append((f"{year}-{month + 1:02d}", opened.get(key, 0), closed.get(key, 0)))

    result = monthly(cases)
    assert as_tuples(result.months) == expected
    assert (result.opened_undated, result.closed_undated) == (opened_undated, closed_undated)
    assert len(expected) >= 8 and opened_undated > 0 and closed_undated > 0


def test_completion_time_on_200_cases(cases):
    days = expected_days(cases)
    assert completion_time(cases) == CompletionTime(
        len(days), expected_median(days), expected_p90(days)
    )


def test_reasons_pareto_on_200_cases(cases):
    expected = expected_pareto(cases)
    assert as_tuples(pareto(cases)) == expected
    assert TYPED_REASON in [reason for reason, *_ in expected]
    mentions = 0
    for case in cases:
        mentions += len(case.reasons)
    assert sum(count for _, count, _, _ in expected) == mentions


def test_completion_time_ranges_on_200_cases(cases):
    days = expected_days(cases)
    assert max(days) < 90 <= max(days) + 15  # so 15-day ranges are the narrowest with <= 12
    expected = []
    for first in range(0, max(days) + 1, 15):
        count = 0
        for day in days:
            if first <= day <= first + 14:
                count += 1
        expected.append((first, first + 14, count))
    assert as_tuples(completion_ranges(cases)) == expected


@pytest.mark.parametrize("attribute", ["operator", "uf"])
def test_reasons_pareto_per_operator_and_per_uf_on_200_cases(cases, attribute):
    expected = {}
    for group in sorted({getattr(case, attribute) for case in cases}):
        members = []
        for case in cases:
            if getattr(case, attribute) == group:
                members.append(case)
        expected[group] = expected_pareto(members)

    result = pareto_by(cases, attrgetter(attribute))
    assert [(group, as_tuples(rows)) for group, rows in result.items()] == list(expected.items())


def test_offers_made_against_outcome_on_200_cases(cases):
    expected = []
    for action in (*ACTIONS, TYPED_ACTION):
        offered = retained = left = 0
        for case in cases:
            if action in case.actions and case.status in (RETAINED, LEFT):
                offered += 1
                if case.status == RETAINED:
                    retained += 1
                else:
                    left += 1
        expected.append((action, offered, retained, left, retained / offered))
    assert as_tuples(offer_outcomes(cases)) == expected


def test_per_analyst_on_200_cases(cases):
    expected = []
    for analyst in ANALYSTS:
        mine = [case for case in cases if case.analyst == analyst]
        open_ = closed = 0
        for case in mine:
            if case.status == OPEN:
                open_ += 1
            elif case.status in CLOSED:
                closed += 1
        retained, _, rate = expected_rate(mine)
        median = expected_median(expected_days(mine))
        expected.append((analyst, len(mine), open_, closed, retained, rate, median))
    assert as_tuples(by_analyst(cases)) == expected


# Edge cases, by hand


def test_no_cases_at_all():
    assert retention_rate([]) == RetentionRate(0, 0, None)
    assert monthly([]) == Monthly([], 0, 0)
    assert completion_time([]) == CompletionTime(0, None, None)
    assert pareto([]) == [] and pareto_by([], attrgetter("uf")) == {}
    assert offer_outcomes([]) == [OfferOutcome(action, 0, 0, 0, None) for action in ACTIONS]
    assert by_analyst([]) == []


def test_no_closed_retention_case_has_no_rate():
    started = replace(
        Case(), analyst="Ana", start_date=date(2025, 3, 4), actions=frozenset({ACTIONS[0]})
    )
    not_retention = replace(started, status=NOT_RETENTION, end_date=date(2025, 3, 14))
    cases = [started, not_retention]
    assert retention_rate(cases) == RetentionRate(0, 0, None)
    assert offer_outcomes(cases)[0] == OfferOutcome(ACTIONS[0], 0, 0, 0, None)
    assert completion_time(cases) == CompletionTime(1, 10, 10)
    assert by_analyst(cases) == [AnalystStats("Ana", 2, 1, 1, 0, None, 10)]


def test_a_single_case():
    case = full_case()  # Retenção Efetiva, 02/05/2025 to 17/06/2025: 46 days, three reasons
    assert retention_rate([case]) == RetentionRate(1, 1, 1.0)
    assert monthly([case]) == Monthly(
        [MonthCount("2025-05", 1, 0), MonthCount("2025-06", 0, 1)], 0, 0
    )
    assert completion_time([case]) == CompletionTime(1, 46, 46)
    assert pareto([case]) == [
        ReasonCount("Falta de Reajuste", 1, 1 / 3, 1 / 3),
        ReasonCount("Outros", 1, 1 / 3, 2 / 3),
        ReasonCount("Perda de Contato", 1, 1 / 3, 1.0),
    ]
    offered = {o.action: (o.offered, o.rate) for o in offer_outcomes([case])}
    assert offered == {a: (1, 1.0) if a in case.actions else (0, None) for a in ACTIONS}
    assert by_analyst([case]) == [AnalystStats("Ana Exemplo", 1, 0, 1, 1, 1.0, 46)]


def test_pareto_ties_go_by_name_accents_aside():
    counts = {"Valores": 2, "Óbito": 2, "Glosas": 3, "Aposentou": 2, "Estudos": 1}
    cases = [
        replace(Case(), reasons=frozenset(r for r, n in counts.items() if n > i)) for i in range(3)
    ]
    assert pareto(cases) == [
        ReasonCount("Glosas", 3, 0.3, 0.3),
        ReasonCount("Aposentou", 2, 0.2, 0.5),
        ReasonCount("Óbito", 2, 0.2, 0.7),
        ReasonCount("Valores", 2, 0.2, 0.9),
        ReasonCount("Estudos", 1, 0.1, 1.0),
    ]


def test_months_without_cases_are_zero_filled_across_the_year():
    opened = replace(Case(), start_date=date(2024, 11, 30))
    by_creation = replace(Case(), created_at=datetime(2025, 2, 1, 23, 59))
    open_with_end = replace(opened, end_date=date(2025, 3, 1))  # still open: not closed
    blank_status = replace(opened, status="", end_date=date(2025, 4, 1))  # neither
    result = monthly([opened, by_creation, open_with_end, blank_status, Case()])
    assert as_tuples(result.months) == [
        ("2024-11", 3, 0),
        ("2024-12", 0, 0),
        ("2025-01", 0, 0),
        ("2025-02", 1, 0),
    ]
    assert (result.opened_undated, result.closed_undated) == (1, 0)


def test_the_retention_rate_per_month_counts_only_months_that_closed_retention_cases():
    def closed(status: str, day: date | None) -> Case:
        return replace(Case(), status=status, start_date=date(2025, 1, 2), end_date=day)

    cases = [
        closed(RETAINED, date(2025, 5, 2)),
        closed(RETAINED, date(2025, 5, 31)),
        closed(LEFT, date(2025, 5, 15)),
        closed(NOT_RETENTION, date(2025, 6, 10)),  # not a retention case: June has no rate
        closed(OPEN, date(2025, 6, 11)),
        closed(LEFT, date(2025, 8, 1)),
        closed(RETAINED, None),  # no Data final: in no month
    ]

    trend = retention_by_month(cases)

    assert [(m.month, m.retained, m.retention_closed) for m in trend] == [
        ("2025-05", 2, 3),
        ("2025-08", 0, 1),
    ]
    assert [m.rate for m in trend] == [pytest.approx(2 / 3), 0.0]
    assert retention_by_month([closed(OPEN, None)]) == []


@pytest.mark.parametrize(
    ("days", "ranges"),
    [
        ([], []),
        ([0, 6, 7], [(0, 6, 2), (7, 13, 1)]),
        ([3, 80], [(0, 6, 1), *((w, w + 6, 0) for w in range(7, 77, 7)), (77, 83, 1)]),
        ([3, 84], [(0, 14, 1), *((w, w + 14, 0) for w in range(15, 75, 15)), (75, 89, 1)]),
        ([-2, 5], [(-7, -1, 1), (0, 6, 1)]),  # Data final typed before Data início
        (
            [0, 5000],
            [(0, 364, 1), *((w, w + 364, 0) for w in range(365, 4745, 365)), (4745, 5109, 1)],
        ),
    ],
)
def test_completion_time_ranges_are_the_narrowest_equal_ones(days, ranges):
    cases = [
        replace(Case(), status=LEFT, start_date=FIRST_DAY, end_date=FIRST_DAY + timedelta(days=d))
        for d in days
    ]
    assert completion_ranges(cases) == [DayRange(*r) for r in ranges]


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([7], 7, 7),
        ([9, 3], 6, 9),
        ([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 5.5, 9),
        (list(range(1, 12)), 6, 10),
    ],
)
def test_median_and_nearest_rank_percentile(values, median, p90):
    cases = [
        replace(Case(), status=LEFT, start_date=FIRST_DAY, end_date=FIRST_DAY + timedelta(days=d))
        for d in values
    ]
    assert completion_time(cases) == CompletionTime(len(values), median, p90)
    assert percentile(values, 90) == p90


def test_percentile_rank_is_exact_where_floats_round_up():
    values = list(range(1, 101))  # 7 / 100 × 100 is 7.000000000000001 in floating point
    assert percentile(values, 7) == 7 and percentile(values, 90) == 90
    assert percentile(values, 100) == 100 and percentile(values, 0) == 1
    assert percentile([4, 1, 3, 2], 50) == 2
    with pytest.raises(statistics.StatisticsError):
        percentile([], 90)


def test_tables_have_a_header_row_then_raw_values():
    assert table(RetentionRate, [RetentionRate(3, 4, 0.75)]) == [
        ("Retenção Efetiva", "Retenções encerradas", "Taxa de retenção"),
        (3, 4, 0.75),
    ]
    assert table(MonthCount, []) == [("Mês", "Abertos", "Encerrados")]
    groups = {"MS": [ReasonCount("Valores", 2, 1.0, 1.0)], "SP": []}
    assert grouped_table("UF", ReasonCount, groups) == [
        ("UF", "Motivo", "Casos", "% das menções", "% acumulado"),
        ("MS", "Valores", 2, 1.0, 1.0),
    ]


@pytest.mark.parametrize(
    "row_type",
    [
        RetentionRate,
        MonthlyRetention,
        MonthCount,
        CompletionTime,
        DayRange,
        ReasonCount,
        OfferOutcome,
        AnalystStats,
    ],
)
def test_every_row_type_has_one_header_per_field(row_type):
    assert len(row_type.HEADERS) == len(fields(row_type))
