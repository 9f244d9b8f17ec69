"""The indicators page's parts, declared once: each chart with its tables, their CSV and titles."""

from collections.abc import Callable, Sequence
from dataclasses import Field, dataclass, fields, replace
from datetime import date
from operator import attrgetter
from typing import Any

from matplotlib.figure import Figure

from reports import charts
from retention import indicators, ptbr
from retention.case import Case

PERCENT_FIELDS = frozenset({"rate", "share", "cumulative_share", "retention_rate"})
UNDATED = "sem data"
NO_REASONS = "Nenhum motivo de saída marcado nos casos destes filtros."


@dataclass(frozen=True)
class Table:
    """One table of the page and its CSV file: a row per record, header first.

    ``group`` names a first column holding the group each record belongs to (Operadora, UF).
    """

    name: str
    title: str
    row_type: type
    records: Callable[[list[Case]], Any]
    group: str = ""

    @property
    def percent_columns(self) -> frozenset[int]:
        """The positions of the columns holding fractions shown as percentages."""
        return frozenset(i for i, f in self._columns() if f.name in PERCENT_FIELDS)

    @property
    def text_columns(self) -> frozenset[int]:
        """The positions of the columns holding text (the others are numbers)."""
        texts = {i for i, f in self._columns() if f.type is str}
        return frozenset(texts | ({0} if self.group else set()))

    def build(self, cases: list[Case]) -> list[tuple[Any, ...]]:
        """Header, then the rows of raw values."""
        if self.group:
            return indicators.grouped_table(self.group, self.row_type, self.records(cases))
        return indicators.table(self.row_type, self.records(cases))

    def formatted(self, cases: list[Case], cell: Callable[[Any, bool], str]) -> list[list[str]]:
        """Header, then the rows with each value formatted by ``cell(value, is_percent)``."""
        header, *rows = self.build(cases)
        percent = self.percent_columns
        body = [[cell(v, i in percent) for i, v in enumerate(row)] for row in rows]
        return [list(header), *body]

    def _columns(self) -> list[tuple[int, Field]]:
        return list(enumerate(fields(self.row_type), start=1 if self.group else 0))


@dataclass(frozen=True)
class Indicator:
    """A part of the page: its chart, the tables with its numbers, what to say without data."""

    name: str  # the chart's address and the part's anchor on the page
    title: str
    draw: Callable[[list[Case]], Figure]
    tables: tuple[Table, ...]
    has_data: Callable[[list[Case]], bool]
    empty: str

    def figure(self, cases: list[Case]) -> Figure:
        """The chart of ``cases``, or its frame saying there is nothing to draw."""
        return self.draw(cases) if self.has_data(cases) else charts.no_data(self.title)


def _month_name(month: str) -> str:
    """``2025-05`` as ``mai/2025``."""
    return ptbr.format_month(date(int(month[:4]), int(month[5:]), 1))


def _months(cases: list[Case]) -> list[indicators.MonthCount]:
    """The months as ``mai/2025``, then the cases without a date, if any."""
    result = indicators.monthly(cases)
    named = [replace(m, month=_month_name(m.month)) for m in result.months]
    if result.opened_undated or result.closed_undated:
        undated = indicators.MonthCount(UNDATED, result.opened_undated, result.closed_undated)
        named.append(undated)
    return named


def _months_with_data(cases: list[Case]) -> list[indicators.MonthCount]:
    """The months that opened or closed a case: the chart's axis skips the empty ones."""
    return [m for m in _months(cases) if m.month != UNDATED and (m.opened or m.closed)]


def _retention_months(cases: list[Case]) -> list[indicators.MonthlyRetention]:
    """The retention rate per month, months as ``mai/2025``."""
    return [replace(m, month=_month_name(m.month)) for m in indicators.retention_by_month(cases)]


def _any_reason(cases: Sequence[Case]) -> bool:
    return any(case.reasons for case in cases)


def _reasons_per(name: str, attribute: str, column: str, label: str) -> Indicator:
    """The reasons ranked per group of cases with the same ``attribute`` (operadora, UF); the
    table heads the groups' column ``column``, titles call them ``label``."""
    title = f"Motivos por {label}"

    def records(cases: list[Case]) -> dict[str, list[indicators.ReasonCount]]:
        return indicators.pareto_by(cases, attrgetter(attribute))

    def draw(cases: list[Case]) -> Figure:
        return charts.reasons_by(indicators.pareto(cases), records(cases), label)

    table = Table(name, title, indicators.ReasonCount, records, group=column)
    return Indicator(name, title, draw, (table,), has_data=_any_reason, empty=NO_REASONS)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        name="retencao",
        title="Taxa de retenção",
        draw=lambda cs: charts.retention(indicators.retention_rate(cs)),
        tables=(
            Table(
                "retencao",
                "Taxa de retenção",
                indicators.RetentionRate,
                lambda cs: [indicators.retention_rate(cs)],
            ),
        ),
        has_data=lambda cs: indicators.retention_rate(cs).retention_closed > 0,
        empty="Nenhum caso encerrado como Retenção Efetiva ou Desligamento: ainda não há taxa de"
        " retenção para estes filtros.",
    ),
    Indicator(
        name="retencao-mes",
        title="Taxa de retenção por mês",
        draw=lambda cs: charts.retention_trend(_retention_months(cs)),
        tables=(
            Table(
                "retencao-mes",
                "Taxa de retenção por mês",
                indicators.MonthlyRetention,
                _retention_months,
            ),
        ),
        has_data=lambda cs: bool(indicators.retention_by_month(cs)),
        empty="Nenhum caso encerrado como Retenção Efetiva ou Desligamento com Data final: ainda"
        " não há taxa de retenção por mês para estes filtros.",
    ),
    Indicator(
        name="mensal",
        title="Casos abertos e encerrados por mês",
        draw=lambda cs: charts.monthly(_months_with_data(cs)),
        tables=(Table("mensal", "Abertos e encerrados por mês", indicators.MonthCount, _months),),
        has_data=lambda cs: bool(indicators.monthly(cs).months),
        empty="Nenhum caso com data de início ou de encerramento para estes filtros.",
    ),
    Indicator(
        name="tempo",
        title="Tempo finalização",
        draw=lambda cs: charts.completion(
            indicators.completion_ranges(cs), indicators.completion_time(cs)
        ),
        tables=(
            Table(
                "tempo",
                "Tempo finalização",
                indicators.CompletionTime,
                lambda cs: [indicators.completion_time(cs)],
            ),
            Table(
                "tempo-faixas",
                "Casos encerrados por faixa de tempo",
                indicators.DayRange,
                indicators.completion_ranges,
            ),
        ),
        has_data=lambda cs: indicators.completion_time(cs).measured > 0,
        empty="Nenhum caso encerrado com Data início e Data final: não há tempo de finalização a"
        " medir.",
    ),
    Indicator(
        name="motivos",
        title="Motivos de saída (Pareto)",
        draw=lambda cs: charts.reasons(indicators.pareto(cs)),
        tables=(Table("motivos", "Motivos (Pareto)", indicators.ReasonCount, indicators.pareto),),
        has_data=_any_reason,
        empty=NO_REASONS,
    ),
    _reasons_per("motivos-operadora", "operator", column="Operadora", label="operadora"),
    _reasons_per("motivos-uf", "uf", column="UF", label="UF"),
    Indicator(
        name="ofertas",
        title="Ações ofertadas × resultado",
        draw=lambda cs: charts.offers(indicators.offer_outcomes(cs)),
        tables=(
            Table(
                "ofertas",
                "Ações ofertadas × resultado",
                indicators.OfferOutcome,
                indicators.offer_outcomes,
            ),
        ),
        has_data=lambda cs: any(o.offered for o in indicators.offer_outcomes(cs)),
        empty="Nenhuma ação ofertada em casos encerrados como Retenção Efetiva ou Desligamento.",
    ),
    Indicator(
        name="colaboradores",
        title="Por colaborador",
        draw=lambda cs: charts.analysts(indicators.by_analyst(cs)),
        tables=(
            Table(
                "colaboradores", "Por colaborador", indicators.AnalystStats, indicators.by_analyst
            ),
        ),
        has_data=bool,
        empty="Nenhum caso para estes filtros.",
    ),
)
CHARTS: dict[str, Indicator] = {indicator.name: indicator for indicator in INDICATORS}
TABLES: dict[str, Table] = {table.name: table for part in INDICATORS for table in part.tables}
