"""The indicators' charts: matplotlib figures drawn on the server as SVG, no JavaScript.

Text stays text in the SVG (searchable, drawn in the reader's sans-serif font); every number on
a chart is formatted as in Brazil (1.971, 45,3%).
"""

import io
import threading
from collections.abc import Mapping, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from retention import ptbr
from retention.indicators import (
    AnalystStats,
    CompletionTime,
    DayRange,
    MonthCount,
    MonthlyRetention,
    OfferOutcome,
    ReasonCount,
    RetentionRate,
)

# Okabe-Ito colours: told apart by colour-blind readers too.
GREEN, VERMILLION, BLUE, ORANGE, GREY = "#009E73", "#D55E00", "#0072B2", "#E69F00", "#999999"
INK = "#1d2733"
WIDTH = 5.8  # inches; the page scales the image to its column
BAR_HEIGHT = 0.34  # inches per bar of a horizontal bar chart
TOP_REASONS = 12  # reasons (rows) in the per-operadora / per-UF charts
CHAR_WIDTH = 0.075  # inches, about, of a 10 pt character
REASON_CHARS = 32  # characters of a reason's name over a column of a per-group chart
BLANK = "(em branco)"

# Set once for the process: rc_context would race between request threads.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "retencao",
        "text.parse_math": False,  # "R$ 1 e R$ 2" typed in the sheet is text, not TeX
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        "font.size": 10,
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": "#b9c2cf",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.frameon": False,
    }
)
_drawing = threading.Lock()  # matplotlib is not thread-safe, even across separate figures

INTEGERS = FuncFormatter(lambda value, _pos: ptbr.format_int(round(value)))
PERCENTS = FuncFormatter(lambda value, _pos: f"{ptbr.format_int(round(value * 100))}%")


def to_svg(figure: Figure) -> str:
    """The figure as an SVG document, the same bytes for the same figure."""
    with _drawing:
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def retention(rate: RetentionRate) -> Figure:
    """Retenção Efetiva against Desligamento, the rate in the title."""
    figure, axes = _figure(f"Taxa de retenção: {ptbr.format_percent(rate.rate)}", 2.3)
    labels = ["Retenção Efetiva", "Desligamento"]
    values = [rate.retained, rate.retention_closed - rate.retained]
    bars = axes.barh(labels, values, color=[GREEN, VERMILLION], height=0.6)
    _label_bars(axes, bars, [ptbr.format_int(v) for v in values])
    axes.invert_yaxis()
    _count_axis(axes, "x", "casos encerrados")
    return figure


def retention_trend(months: Sequence[MonthlyRetention]) -> Figure:
    """The retention rate of each month that closed retention cases, as a line."""
    figure, axes = _figure("Taxa de retenção por mês", 3.4)
    positions = list(range(len(months)))
    rates = [m.rate or 0.0 for m in months]
    axes.plot(positions, rates, color=GREEN, marker="o", linewidth=2)
    if len(months) <= 12:
        for position, month in zip(positions, months, strict=True):
            label = (
                f"{ptbr.format_percent(month.rate)} de {ptbr.format_int(month.retention_closed)}"
            )
            axes.annotate(
                label,
                (position, month.rate or 0.0),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=9,
            )
    axes.set_ylim(0, 1.15)
    axes.yaxis.set_major_locator(MultipleLocator(0.25))
    axes.yaxis.set_major_formatter(PERCENTS)
    axes.set_ylabel("Retenção Efetiva ÷ encerradas")
    axes.set_xticks(positions, [m.month for m in months])
    axes.set_xlim(-0.5, len(months) - 0.5)
    if len(months) > 6:
        axes.tick_params(axis="x", labelrotation=45)
    return figure


def monthly(months: Sequence[MonthCount]) -> Figure:
    """Cases opened and closed per month, side by side."""
    figure, axes = _figure("Casos abertos e encerrados por mês", 3.6)
    positions = range(len(months))
    opened = axes.bar([p - 0.2 for p in positions], [m.opened for m in months], 0.4, color=BLUE)
    closed = axes.bar([p + 0.2 for p in positions], [m.closed for m in months], 0.4, color=ORANGE)
    if len(months) <= 12:
        _label_bars(axes, opened, [ptbr.format_int(m.opened) for m in months])
        _label_bars(axes, closed, [ptbr.format_int(m.closed) for m in months])
    axes.set_xticks(list(positions), [m.month for m in months])
    if len(months) > 6:
        axes.tick_params(axis="x", labelrotation=45)
    _count_axis(axes, "y", "casos")
    figure.legend(  # type: ignore[call-overload]  # the stubs leave out containers as handles
        [opened, closed], ["Abertos", "Encerrados"], loc="outside lower center", ncols=2
    )
    return figure


def completion(ranges: Sequence[DayRange], time: CompletionTime) -> Figure:
    """Closed cases per range of Tempo finalização, with the median and the 90th percentile."""
    figure, axes = _figure("Tempo finalização dos casos encerrados", 3.4)
    width = ranges[0].last - ranges[0].first + 1
    bars = axes.bar(
        [r.first for r in ranges], [r.cases for r in ranges], width * 0.92, align="edge", color=BLUE
    )
    _label_bars(axes, bars, [ptbr.format_int(r.cases) if r.cases else "" for r in ranges])
    for value, colour, style, name in (
        (time.median, INK, "--", "Mediana"),
        (time.p90, VERMILLION, ":", "Percentil 90"),
    ):
        if value is not None:
            label = f"{name}: {ptbr.format_days(value)}"
            axes.axvline(value + 0.5, color=colour, linestyle=style, linewidth=1.6, label=label)
    axes.set_xticks([r.first for r in ranges] + [ranges[-1].last + 1])
    axes.xaxis.set_major_formatter(INTEGERS)
    axes.set_xlabel("dias da Data início à Data final")
    _count_axis(axes, "y", "casos encerrados")
    figure.legend(loc="outside lower center", ncols=2)
    return figure


def reasons(ranked: Sequence[ReasonCount]) -> Figure:
    """The Pareto chart: reasons most cited first, with the running share of mentions."""
    figure = _titled("Motivos de saída (Pareto)", 1.4 + BAR_HEIGHT * len(ranked))
    axes, running = figure.subplots(1, 2, sharey=True, width_ratios=(2, 1))
    names = [r.reason or BLANK for r in ranked]
    bars = axes.barh(names, [r.cases for r in ranked], color=BLUE, height=0.7)
    _label_bars(axes, bars, [ptbr.format_int(r.cases) for r in ranked])
    _count_axis(axes, "x", "casos que citam o motivo")
    running.plot(
        [r.cumulative_share for r in ranked], names, color=VERMILLION, marker="o", markersize=4
    )
    running.axvline(0.8, color=GREY, linestyle="--", linewidth=1)
    running.set_xlim(0, 1.05)
    running.xaxis.set_major_locator(MultipleLocator(0.4))
    running.xaxis.set_major_formatter(PERCENTS)
    running.set_xlabel("% acumulado")
    running.tick_params(axis="y", length=0)
    axes.set_ylim(len(ranked) - 0.5, -0.5)  # most cited on top, no room above it
    return figure


def reasons_by(
    ranked: Sequence[ReasonCount], groups: Mapping[str, Sequence[ReasonCount]], group: str
) -> Figure:
    """Cases per group (a row each) and reason (the most cited overall, a column each), as a
    table of shaded cells as wide as the other charts, so its text is as large as theirs."""
    top = [r.reason for r in ranked[:TOP_REASONS]]
    names = list(groups)
    counts = [[_cases_of(groups[name], reason) for reason in top] for name in names]
    reasons = [_clipped(reason or BLANK) for reason in top]
    shown = f" (os {len(top)} motivos mais citados)" if len(ranked) > len(top) else ""
    labels = max(len(reason) for reason in reasons) * CHAR_WIDTH
    figure, axes = _figure(f"Motivos por {group}{shown}", 1.0 + labels + BAR_HEIGHT * len(names))
    axes.imshow(counts, cmap="Blues", aspect="auto", vmin=0)
    _write_counts(axes, counts)
    axes.set_xticks(range(len(top)), reasons, rotation=90)
    axes.set_yticks(range(len(names)), [n or BLANK for n in names])
    axes.xaxis.tick_top()
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    return figure


def offers(outcomes: Sequence[OfferOutcome]) -> Figure:
    """Each action: closed retention cases that were offered it, retained or not."""
    figure, axes = _figure(
        "Ações ofertadas × resultado (taxa de retenção)", 1.6 + BAR_HEIGHT * len(outcomes)
    )
    names = [o.action for o in outcomes]
    kept = axes.barh(names, [o.retained for o in outcomes], color=GREEN, height=0.65)
    gone = axes.barh(
        names, [o.left for o in outcomes], left=[o.retained for o in outcomes], color=VERMILLION
    )
    labels = [
        f"{ptbr.format_percent(o.rate)} de {ptbr.format_int(o.offered)}"
        if o.offered
        else "não ofertada"
        for o in outcomes
    ]
    _label_bars(axes, gone, labels)
    axes.invert_yaxis()
    _count_axis(axes, "x", "casos encerrados em que a ação foi ofertada")
    figure.legend(  # type: ignore[call-overload]  # the stubs leave out containers as handles
        [kept, gone], ["Retenção Efetiva", "Desligamento"], loc="outside lower center", ncols=2
    )
    return figure


def analysts(stats: Sequence[AnalystStats]) -> Figure:
    """Each colaborador's cases by outcome, with the retention rate."""
    figure, axes = _figure("Casos por colaborador", 1.8 + BAR_HEIGHT * len(stats))
    names = [s.analyst or BLANK for s in stats]
    parts = (
        ("Retenção Efetiva", GREEN, [s.retained for s in stats]),
        ("Outros encerramentos", VERMILLION, [s.closed - s.retained for s in stats]),
        ("Em andamento", BLUE, [s.open for s in stats]),
        ("Sem status", GREY, [s.cases - s.closed - s.open for s in stats]),
    )
    left = [0] * len(stats)
    for name, colour, values in parts:
        if any(values):
            bars = axes.barh(names, values, left=left, color=colour, height=0.65, label=name)
            left = [a + b for a, b in zip(left, values, strict=True)]
    labels = [
        f"{ptbr.format_int(s.cases)} · taxa {ptbr.format_percent(s.retention_rate) or '—'}"
        for s in stats
    ]
    _label_bars(axes, bars, labels)
    axes.invert_yaxis()
    _count_axis(axes, "x", "casos")
    figure.legend(loc="outside lower center", ncols=2)
    return figure


def no_data(title: str) -> Figure:
    """A chart's frame saying there is nothing to draw for these filters."""
    figure = _titled(title, 1.2)
    figure.text(0.02, 0.4, "Sem dados para os filtros escolhidos.", color=GREY)
    return figure


def _titled(title: str, height: float, width: float = WIDTH) -> Figure:
    """An empty figure with its title at the top left."""
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    return figure


def _figure(title: str, height: float, width: float = WIDTH) -> tuple[Figure, Axes]:
    """A titled figure with one plot."""
    figure = _titled(title, height, width)
    return figure, figure.add_subplot()


def _count_axis(axes: Axes, which: str, label: str) -> None:
    """Whole numbers only, pt-BR thousands, room for the labels at the bars' ends."""
    axis = axes.xaxis if which == "x" else axes.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(INTEGERS)
    if which == "x":
        axes.margins(x=0.12)
    else:
        axes.margins(y=0.12)
    (axes.set_xlabel if which == "x" else axes.set_ylabel)(label)


def _label_bars(axes: Axes, bars, labels: list[str]) -> None:
    axes.bar_label(bars, labels=labels, padding=3, fontsize=9)


def _write_counts(axes: Axes, counts: list[list[int]]) -> None:
    """Each cell's number on a table of shaded cells, white on the darker ones."""
    peak = max(max(row) for row in counts) or 1
    for row, values in enumerate(counts):
        for column, value in enumerate(values):
            colour = "white" if value > peak * 0.6 else INK
            axes.text(column, row, ptbr.format_int(value), ha="center", va="center", color=colour)


def _clipped(name: str) -> str:
    """``name``, cut with an ellipsis if longer than ``REASON_CHARS``."""
    return name if len(name) <= REASON_CHARS else name[: REASON_CHARS - 1] + "…"


def _cases_of(ranked: Sequence[ReasonCount], reason: str) -> int:
    return next((r.cases for r in ranked if r.reason == reason), 0)
