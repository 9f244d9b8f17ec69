"""The indicators page: the team's numbers for a period, operadora and UF, as charts, tables and
CSV files, all computed by ``retention.indicators`` from the same filtered cases."""

import threading
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for

from auth.access import READER, content_policy, requires
from forms.indicator_filters import Filters, read_filters
from reports import charts
from reports.cells import csv_cell, page_cell, summary
from reports.indicators import CHARTS, INDICATORS, TABLES, Indicator
from retention.case import Case
from retention.choices import UFS, operators_in
from sheets import get_book
from sheets.export import CSV_MIME, excel_csv

bp = Blueprint("indicators", __name__)

# The chart's own document may style itself inline; it can never run a script.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_CHARTS = "retencao.charts"


class ChartCache:
    """The charts drawn from one version of the data (the sheet's snapshot and the writes still
    waiting for it), per chart and filters: drawing the page's charts took 1,2 to 1,6 s."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self.drawn = 0  # charts drawn, not served from the cache
        self._version: tuple[Any, ...] = ()
        self._svgs: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def svg(self, version: tuple[Any, ...], key: tuple[str, ...], draw: Callable[[], str]) -> str:
        """The chart ``key`` of the data at ``version``, drawn only if not kept yet. A new
        version forgets every chart of the old one."""
        with self._lock:
            if not _same(version, self._version):
                self._version, self._svgs = version, OrderedDict()
            elif key in self._svgs:
                self._svgs.move_to_end(key)
                return self._svgs[key]
        svg = draw()  # outside the lock: charts of other filters are served meanwhile
        with self._lock:
            self.drawn += 1
            if _same(version, self._version):
                self._svgs[key] = svg
                while len(self._svgs) > self.size:
                    self._svgs.popitem(last=False)
        return svg


def _same(version: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    """The same waiting writes, and the same snapshot or one read again with the same rows
    (the sheet is read whole now and then even when nothing changed)."""
    if not other or version[1:] != other[1:]:
        return False
    now, then = version[0], other[0]
    return now is then or (now.headers == then.headers and now.rows == then.rows)


@bp.record_once
def _init_cache(state) -> None:
    app: Flask = state.app
    app.extensions[_CHARTS] = ChartCache()


def get_chart_cache() -> ChartCache:
    """The current app's (worker process's) cache of drawn charts."""
    return current_app.extensions[_CHARTS]


def _data_version() -> tuple[Any, ...]:
    """What the cases depend on: the sheet's snapshot and the writes waiting in the outbox."""
    book = get_book()
    waiting = tuple(entry.seq for entry in book.outbox.entries(state=None))
    return (book.sync.snapshot(), *waiting)


@bp.get("/indicadores")
@requires(READER)
def index():
    """Charts and tables of the cases that pass the filters."""
    every_case = get_book().cases()
    filters = read_filters(request.args)
    cases = [] if filters.errors else [case for case in every_case if filters.matches(case)]
    page = render_template(
        "indicators.html",
        filters=filters,
        operators=_keeping(operators_in(every_case), filters.operator),
        ufs=_keeping(list(UFS), filters.uf),
        cases=cases,
        summary=summary(cases),
        sections=[_section(indicator, cases, filters) for indicator in INDICATORS],
    )
    return page, HTTPStatus.UNPROCESSABLE_ENTITY if filters.errors else 200


@bp.get("/indicadores/grafico/<name>.svg")
@requires(READER)
@content_policy(SVG_POLICY)
def chart(name: str):
    """One chart as an SVG image, for the same filters as the page."""
    indicator = CHARTS.get(name) or abort(404)
    filters = read_filters(request.args)
    if filters.errors:
        return _bad_filters(filters)
    key = (name, *(f"{k}={v}" for k, v in sorted(filters.args().items())))
    svg = get_chart_cache().svg(
        _data_version(), key, lambda: charts.to_svg(indicator.figure(_matching(filters)))
    )
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/indicadores/<name>.csv")
@requires(READER)
def download(name: str):
    """One table as CSV the way Excel in Portuguese opens it: BOM, ``;``, decimal comma."""
    table = TABLES.get(name) or abort(404)
    filters = read_filters(request.args)
    if filters.errors:
        return _bad_filters(filters)
    return Response(
        excel_csv(table.formatted(_matching(filters), csv_cell)),
        mimetype=CSV_MIME,
        headers={"Content-Disposition": f'attachment; filename="indicadores-{name}.csv"'},
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


def _section(indicator: Indicator, cases: list[Case], filters: Filters) -> dict[str, Any]:
    """What the template needs to draw a part of the page."""
    has_data = bool(cases) and indicator.has_data(cases)
    return {
        "title": indicator.title,
        "anchor": indicator.name,
        "has_data": has_data,
        "empty": indicator.empty,
        "chart_url": url_for("indicators.chart", name=indicator.name, **filters.args()),
        "tables": [
            {
                "title": table.title,
                "rows": table.formatted(cases, page_cell) if has_data else [],
                "text_columns": table.text_columns,
                "csv_url": url_for("indicators.download", name=table.name, **filters.args()),
            }
            for table in indicator.tables
        ],
    }
