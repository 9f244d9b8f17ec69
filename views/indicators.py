"""The indicators page: the team's numbers for a period, operadora and UF, as charts, tables and
CSV files, all computed by ``retention.indicators`` from the same filtered cases."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from operator import attrgetter
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from matplotlib.figure import Figure

from reports import charts
from retention import indicators, ptbr
from retention.case import Case
from retention.choices import UFS
from retention.search import CaseQuery
from sheets import get_book
from sheets.export import CSV_MIME, excel_csv, guard_formula
from views.access import READER, content_policy, requires

bp = Blueprint("indicators", __name__)

UNPROCESSABLE = 422
PERCENT_FIELDS = frozenset({"rate", "share", "cumulative_share", "retention_rate"})
UNDATED = "sem data"
# The chart's own document may style itself inline; it can never run a script.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Filters:
    """The page's filters as typed, what they mean, and a pt-BR message per bad field."""

    since_text: str = ""
    until_text: str = ""
    operator: str = ""
    uf: str = ""
    since: date | None = None
    until: date | None = None
    errors: Mapping[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The query string that repeats these filters (for charts and CSV links)."""
        typed = {"de": self.since_text, "ate": self.until_text}
        return {k: v for k, v in {**typed, "operadora": self.operator, "uf": self.uf}.items() if v}

    def matches(self, case: Case) -> bool:
        """Opened (Data início, else created) in the period, of the operadora and of the UF."""
        query = CaseQuery(operator=self.operator, since=self.since, until=self.until)
        return query.matches(case) and (not self.uf or case.uf == self.uf)


@dataclass(frozen=True)
class Table:
    """One table of the page and its CSV: rows of raw values, header first."""

    name: str
    title: str
    build: Callable[[list[Case]], list[tuple[Any, ...]]]
    percent_columns: frozenset[int]
    text_columns: frozenset[int]

    def formatted(self, cases: list[Case], cell: Callable[[Any, bool], str]) -> list[list[str]]:
        """Header, then the rows with each value formatted by ``cell(value, is_percent)``."""
        header, *rows = self.build(cases)
        body = [[cell(v, i in self.percent_columns) for i, v in enumerate(row)] for row in rows]
        return [list(header), *body]


@dataclass(frozen=True)
class Section:
    """A part of the page: a chart, the tables with its numbers, what to say without data."""

    title: str
    chart: str
    tables: tuple[str, ...]
    has_data: Callable[[list[Case]], bool]
    empty: str


def _table(name: str, title: str, row_type: Any, records: Callable, group: str = "") -> Table:
    """A table of ``row_type`` records, led by a group column when ``group`` is given."""
    offset = 1 if group else 0
    columns = list(enumerate(fields(row_type), start=offset))
    percent = frozenset(i for i, f in columns if f.name in PERCENT_FIELDS)
    text = frozenset(i for i, f in columns if f.type is str) | ({0} if group else set())

    def build(cases: list[Case]) -> list[tuple[Any, ...]]:
        if group:
            return indicators.grouped_table(group, row_type, records(cases))
        return indicators.table(row_type, records(cases))

    return Table(name, title, build, percent, text)


def _months(cases: list[Case]) -> list[indicators.MonthCount]:
    """The months as ``mai/2025``, then the cases without a date, if any."""
    result = indicators.monthly(cases)
    months = [
        replace(m, month=ptbr.format_month(date(int(m.month[:4]), int(m.month[5:]), 1)))
        for m in result.months
    ]
    if result.opened_undated or result.closed_undated:
        undated = indicators.MonthCount(UNDATED, result.opened_undated, result.closed_undated)
        months.append(undated)
    return months


TABLES = {
    table.name: table
    for table in (
        _table(
            "retencao",
            "Taxa de retenção",
            indicators.RetentionRate,
            lambda cs: [indicators.retention_rate(cs)],
        ),
        _table("mensal", "Abertos e encerrados por mês", indicators.MonthCount, _months),
        _table(
            "tempo",
            "Tempo finalização",
            indicators.CompletionTime,
            lambda cs: [indicators.completion_time(cs)],
        ),
        _table(
            "tempo-faixas",
            "Casos encerrados por faixa de tempo",
            indicators.DayRange,
            indicators.completion_ranges,
        ),
        _table("motivos", "Motivos (Pareto)", indicators.ReasonCount, indicators.pareto),
        _table(
            "motivos-operadora",
            "Motivos por operadora",
            indicators.ReasonCount,
            lambda cs: indicators.pareto_by(cs, attrgetter("operator")),
            group="Operadora",
        ),
        _table(
            "motivos-uf",
            "Motivos por UF",
            indicators.ReasonCount,
            lambda cs: indicators.pareto_by(cs, attrgetter("uf")),
            group="UF",
        ),
        _table(
            "ofertas",
            "Ações ofertadas × resultado",
            indicators.OfferOutcome,
            indicators.offer_outcomes,
        ),
        _table("colaboradores", "Por colaborador", indicators.AnalystStats, indicators.by_analyst),
    )
}


def _retention_chart(cases: list[Case]) -> Figure:
    return charts.retention(indicators.retention_rate(cases))


def _monthly_chart(cases: list[Case]) -> Figure:
    return charts.monthly([m for m in _months(cases) if m.month != UNDATED])


def _completion_chart(cases: list[Case]) -> Figure:
    return charts.completion(indicators.completion_ranges(cases), indicators.completion_time(cases))


def _reasons_chart(cases: list[Case]) -> Figure:
    return charts.reasons(indicators.pareto(cases))


def _reasons_by_chart(key: str, group: str) -> Callable[[list[Case]], Figure]:
    def draw(cases: list[Case]) -> Figure:
        groups = indicators.pareto_by(cases, attrgetter(key))
        return charts.reasons_by(indicators.pareto(cases), groups, group)

    return draw


def _offers_chart(cases: list[Case]) -> Figure:
    return charts.offers(indicators.offer_outcomes(cases))


def _analysts_chart(cases: list[Case]) -> Figure:
    return charts.analysts(indicators.by_analyst(cases))


CHARTS: dict[str, Callable[[list[Case]], Figure]] = {
    "retencao": _retention_chart,
    "mensal": _monthly_chart,
    "tempo": _completion_chart,
    "motivos": _reasons_chart,
    "motivos-operadora": _reasons_by_chart("operator", "operadora"),
    "motivos-uf": _reasons_by_chart("uf", "UF"),
    "ofertas": _offers_chart,
    "colaboradores": _analysts_chart,
}


def _any_reason(cases: list[Case]) -> bool:
    return any(case.reasons for case in cases)


SECTIONS = (
    Section(
        "Taxa de retenção",
        "retencao",
        ("retencao",),
        lambda cs: indicators.retention_rate(cs).retention_closed > 0,
        "Nenhum caso encerrado como Retenção Efetiva ou Desligamento: ainda não há taxa de"
        " retenção para estes filtros.",
    ),
    Section(
        "Casos abertos e encerrados por mês",
        "mensal",
        ("mensal",),
        lambda cs: bool(indicators.monthly(cs).months),
        "Nenhum caso com data de início ou de encerramento para estes filtros.",
    ),
    Section(
        "Tempo finalização",
        "tempo",
        ("tempo", "tempo-faixas"),
        lambda cs: indicators.completion_time(cs).measured > 0,
        "Nenhum caso encerrado com Data início e Data final: não há tempo de finalização a medir.",
    ),
    Section(
        "Motivos de saída (Pareto)",
        "motivos",
        ("motivos",),
        _any_reason,
        "Nenhum motivo de saída marcado nos casos destes filtros.",
    ),
    Section(
        "Motivos por operadora",
        "motivos-operadora",
        ("motivos-operadora",),
        _any_reason,
        "Nenhum motivo de saída marcado nos casos destes filtros.",
    ),
    Section(
        "Motivos por UF",
        "motivos-uf",
        ("motivos-uf",),
        _any_reason,
        "Nenhum motivo de saída marcado nos casos destes filtros.",
    ),
    Section(
        "Ações ofertadas × resultado",
        "ofertas",
        ("ofertas",),
        lambda cs: any(o.offered for o in indicators.offer_outcomes(cs)),
        "Nenhuma ação ofertada em casos encerrados como Retenção Efetiva ou Desligamento.",
    ),
    Section(
        "Por colaborador",
        "colaboradores",
        ("colaboradores",),
        bool,
        "Nenhum caso para estes filtros.",
    ),
)


@bp.get("/indicadores")
@requires(READER)
def index():
    """Charts and tables of the cases that pass the filters."""
    every_case = get_book().cases()
    filters = _filters(request.args)
    cases = [] if filters.errors else [case for case in every_case if filters.matches(case)]
    operators = sorted({c.operator for c in every_case if c.operator})
    page = render_template(
        "indicators.html",
        filters=filters,
        operators=_keeping(operators, filters.operator),
        ufs=_keeping(list(UFS), filters.uf),
        cases=cases,
        summary=_summary(cases),
        sections=[_section(section, cases, filters) for section in SECTIONS],
    )
    return page, UNPROCESSABLE if filters.errors else 200


@bp.get("/indicadores/grafico/<name>.svg")
@requires(READER)
@content_policy(SVG_POLICY)
def chart(name: str):
    """One chart as an SVG image, for the same filters as the page."""
    draw = CHARTS.get(name) or abort(404)
    filters = _filters(request.args)
    if filters.errors:
        return _bad_filters(filters)
    cases = _matching(filters)
    section = next(s for s in SECTIONS if s.chart == name)
    figure = draw(cases) if section.has_data(cases) else charts.no_data(section.title)
    return Response(charts.to_svg(figure), mimetype="image/svg+xml")


@bp.get("/indicadores/<name>.csv")
@requires(READER)
def download(name: str):
    """One table as CSV the way Excel in Portuguese opens it: BOM, ``;``, decimal comma."""
    table = TABLES.get(name) or abort(404)
    filters = _filters(request.args)
    if filters.errors:
        return _bad_filters(filters)
    return Response(
        excel_csv(table.formatted(_matching(filters), _csv_cell)),
        mimetype=CSV_MIME,
        headers={"Content-Disposition": f'attachment; filename="indicadores-{name}.csv"'},
    )


def _filters(args: Mapping[str, str]) -> Filters:
    """Read the filters; a bad date is kept as typed with a message beside it."""
    errors: dict[str, str] = {}
    typed = {key: args.get(key, "").strip() for key in ("de", "ate", "operadora", "uf")}
    days: dict[str, date | None] = {}
    for key in ("de", "ate"):
        try:
            days[key] = ptbr.parse_date(typed[key]) if typed[key] else None
        except ValueError as error:
            errors[key], days[key] = str(error), None
    if days["de"] and days["ate"] and days["de"] > days["ate"]:
        errors["ate"] = "A data final do período é anterior à inicial."
    if typed["uf"] and typed["uf"] not in UFS:
        errors["uf"] = "UF desconhecida: escolha uma da lista."
    return Filters(
        since_text=typed["de"],
        until_text=typed["ate"],
        operator=typed["operadora"],
        uf=typed["uf"],
        since=days["de"],
        until=days["ate"],
        errors=errors,
    )


def _matching(filters: Filters) -> list[Case]:
    return [case for case in get_book().cases() if filters.matches(case)]


def _bad_filters(filters: Filters):
    """The error page for a chart or CSV asked for with filters the page would reject."""
    message = "Filtro inválido: " + " ".join(filters.errors.values())
    return render_template("error.html", message=message), 400


def _keeping(options: list[str], chosen: str) -> list[str]:
    """The options of a select, with what was chosen even if it is not among them."""
    return options if not chosen or chosen in options else [*options, chosen]


def _summary(cases: list[Case]) -> list[tuple[str, str]]:
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
    return "—" if value is None else f"{ptbr.format_number(value)} dia(s)"


def _section(section: Section, cases: list[Case], filters: Filters) -> dict[str, Any]:
    """What the template needs to draw a section."""
    has_data = bool(cases) and section.has_data(cases)
    return {
        "title": section.title,
        "anchor": section.chart,
        "has_data": has_data,
        "empty": section.empty,
        "chart_url": url_for("indicators.chart", name=section.chart, **filters.args()),
        "tables": [
            {
                "title": TABLES[name].title,
                "rows": TABLES[name].formatted(cases, _page_cell) if has_data else [],
                "text_columns": TABLES[name].text_columns,
                "csv_url": url_for("indicators.download", name=name, **filters.args()),
            }
            for name in section.tables
        ],
    }


def _page_cell(value: Any, percent: bool) -> str:
    """A value as the page shows it: 1.971, 45,3%, 5,5; "—" when there is none."""
    if value is None:
        return "—"
    if percent:
        return ptbr.format_percent(value)
    if isinstance(value, int):
        return ptbr.format_int(value)
    if isinstance(value, float):
        return ptbr.format_number(value)
    return str(value) or charts.BLANK


def _csv_cell(value: Any, percent: bool) -> str:
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
