"""The indicators page: the numbers in its tables, its filters, its CSV files and its charts.

Cases are saved through the case book on both backends; the expected numbers are counted here
with plain loops over the cases as they were made, and formatted here the Brazilian way.
"""

import csv
import io
import random
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from html.parser import HTMLParser

import pytest

from reports import cells, charts
from reports.indicators import TABLES
from retention.case import Case
from retention.choices import ACTIONS
from retention.indicators import AnalystStats, ReasonCount, RetentionRate
from tests.html import field_errors, input_value, text

RETAINED, LEFT, NOT_RETENTION, OPEN = (
    "Retenção Efetiva",
    "Desligamento",
    "Não se trata de Retenção",
    "Em andamento",
)
OPERATORS = ("ODONTOLIFE", "SORRISO PLENO")
UFS = ("MS", "SP", "MT")
ANALYSTS = ("Ana Exemplo", "Célia Fictícia", "Davi Modelo")
REASONS = ("Óbito", "Valores", "Ameaça Judicialização", "Glosas", "Migração")
FIRST_DAY = date(2025, 1, 6)
CSV_NAMES = tuple(TABLES)
CHART_TITLES = {
    "retencao": "Taxa de retenção: ",
    "retencao-mes": "Taxa de retenção por mês",
    "mensal": "Casos abertos e encerrados por mês",
    "tempo": "Tempo finalização dos casos encerrados",
    "motivos": "Motivos de saída (Pareto)",
    "motivos-operadora": "Motivos por operadora",
    "motivos-uf": "Motivos por UF",
    "ofertas": "Ações ofertadas × resultado",
    "colaboradores": "Casos por colaborador",
}
SVG = "{http://www.w3.org/2000/svg}"


def synthetic_cases(count: int = 24) -> list[Case]:
    """Varied cases over five months of 2025, every status, accents in names and reasons."""
    rng = random.Random(6)
    cases = []
    for n in range(count):
        status = (
            (RETAINED, LEFT, NOT_RETENTION, OPEN)[n % 4]
            if n < 8
            else rng.choice((RETAINED, RETAINED, LEFT, NOT_RETENTION, OPEN))
        )
        start = FIRST_DAY + timedelta(days=rng.randrange(150))
        cases.append(
            Case(
                dentist_name=f"Dentista Fictício {n}",
                status=status,
                start_date=start,
                end_date=start + timedelta(days=rng.randrange(3, 70)) if status != OPEN else None,
                operator=OPERATORS[n % 2],
                uf=UFS[n % 3],
                analyst=ANALYSTS[rng.randrange(3)],
                reasons=frozenset(rng.sample(REASONS, rng.randint(1, 3))),
                actions=frozenset(rng.sample(ACTIONS[:3], rng.randint(0, 2))),
            )
        )
    return cases


@pytest.fixture
def saved(app, book):
    """Save cases through the book, then let pages read one snapshot of the sheet."""

    def save(cases: list[Case]) -> list[Case]:
        by_author: dict[str, list[Case]] = {}
        for case in cases:
            by_author.setdefault(case.analyst or "Teste", []).append(case)
        for author, group in by_author.items():
            book.add_many(group, author)  # one append per author
        book.sync.refresh()
        book.sync.max_age = 3600  # the Google stand-in counts reads against the quota
        return cases

    return save


@pytest.fixture
def cases(saved) -> list[Case]:
    return saved(synthetic_cases())


# Expected numbers, counted here


def percent(part: int, whole: int) -> str:
    """``45,3%`` with half-to-even rounding of the exact value."""
    value = (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    return f"{value}%".replace(".", ",")


def number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def in_days(shown: object) -> str:
    """``46 dias``; ``1 dia`` and ``1,5 dia`` (pt-BR: singular below 2)."""
    whole = int(str(shown).split(",")[0].replace(".", ""))
    return f"{shown} {'dia' if whole < 2 else 'dias'}"


def p90(values: list[int]) -> int:
    ordered = sorted(values)
    for index, value in enumerate(ordered, start=1):
        if index * 10 >= len(ordered) * 9:
            return value
    raise AssertionError("no values")


def closed_days(cases: list[Case]) -> list[int]:
    return [
        (c.end_date - c.start_date).days
        for c in cases
        if c.status in (RETAINED, LEFT, NOT_RETENTION) and c.end_date
    ]


def count(cases: list[Case], status: str) -> int:
    return sum(1 for case in cases if case.status == status)


MONTHS = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]}/{day.year}"


# Reading the page


class Tables(HTMLParser):
    """Every ``<table class="figures">`` of a page: caption -> rows of cell texts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "figures") in attrs:
            self._rows, self._caption = [], ""
        elif self._rows is not None and tag == "tr":
            self._rows.append([])
        elif self._rows is not None and tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._rows is None:
            return
        if tag == "caption":
            self._caption = "".join(self._cell).strip()
        elif tag in ("td", "th"):
            self._rows[-1].append(" ".join("".join(self._cell).split()))
        elif tag == "table":
            self.found[self._caption] = self._rows
            self._rows = None
        if tag in ("td", "th", "caption"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(client, query: str = "") -> dict[str, list[list[str]]]:
    response = client.get(f"/indicadores{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return Tables(response.get_data(as_text=True)).found


def as_dict(rows: list[list[str]]) -> dict[str, list[str]]:
    """Body rows keyed by their first cell."""
    return {row[0]: row[1:] for row in rows[1:]}


def summary(client, query: str = "") -> str:
    page = client.get(f"/indicadores{query}").get_data(as_text=True)
    return text(re.search(r'<dl class="summary">(.*?)</dl>', page, re.S).group(1)).strip()


def as_csv(row: list[str]) -> list[str]:
    """A page row as the CSV writes it: 1.971 -> 1971, 5,5 and 45,3% as they are, — empty."""
    return [
        "" if c == "—" else c.replace(".", "") if re.fullmatch(r"[\d.]+(,\d+)?", c) else c
        for c in row
    ]


def download(client, name: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/indicadores/{name}.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="indicadores-{name}.csv"'
    )
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


# The numbers


def test_the_tables_show_the_numbers_of_the_saved_cases(client, cases):
    tables = page_tables(client)
    retained, left = count(cases, RETAINED), count(cases, LEFT)
    closed = retained + left + count(cases, NOT_RETENTION)
    days = closed_days(cases)

    assert summary(client) == (
        f"Casos {len(cases)} Encerrados {closed} Taxa de retenção"
        f" {percent(retained, retained + left)} Mediana tempo finalização"
        f" {in_days(number(median(days)))} Percentil 90 tempo finalização {in_days(p90(days))}"
    )
    assert tables["Taxa de retenção"] == [
        ["Retenção Efetiva", "Retenções encerradas", "Taxa de retenção"],
        [str(retained), str(retained + left), percent(retained, retained + left)],
    ]
    assert tables["Tempo finalização"][1] == [str(len(days)), number(median(days)), str(p90(days))]

    opened: dict[str, int] = {}
    ended: dict[str, int] = {}
    for case in cases:
        opened[month_label(case.start_date)] = opened.get(month_label(case.start_date), 0) + 1
        if case.end_date:
            ended[month_label(case.end_date)] = ended.get(month_label(case.end_date), 0) + 1
    months = as_dict(tables["Abertos e encerrados por mês"])
    assert list(months)[0] == "jan/2025"
    assert {m: [str(opened.get(m, 0)), str(ended.get(m, 0))] for m in months} == months
    assert sum(int(o) for o, _ in months.values()) == len(cases)
    assert sum(int(e) for _, e in months.values()) == closed

    mentions = {reason: sum(reason in c.reasons for c in cases) for reason in REASONS}
    total = sum(mentions.values())
    reasons = as_dict(tables["Motivos (Pareto)"])
    assert {r: values[:2] for r, values in reasons.items()} == {
        r: [str(n), percent(n, total)] for r, n in mentions.items() if n
    }
    counts = [int(values[0]) for values in reasons.values()]
    assert counts == sorted(counts, reverse=True)
    assert list(reasons.values())[-1][2] == "100,0%"


def test_offers_and_colaboradores_tables(client, cases):
    tables = page_tables(client)
    offers = as_dict(tables["Ações ofertadas × resultado"])
    for action in ACTIONS:
        decided = [c for c in cases if action in c.actions and c.status in (RETAINED, LEFT)]
        kept = count(decided, RETAINED)
        rate = percent(kept, len(decided)) if decided else "—"
        assert offers[action] == [str(len(decided)), str(kept), str(len(decided) - kept), rate]

    people = as_dict(tables["Por colaborador"])
    assert list(people) == sorted(ANALYSTS)
    for analyst in ANALYSTS:
        mine = [c for c in cases if c.analyst == analyst]
        kept, gone = count(mine, RETAINED), count(mine, LEFT)
        closed = len(mine) - count(mine, OPEN)
        assert people[analyst] == [
            str(len(mine)),
            str(count(mine, OPEN)),
            str(closed),
            str(kept),
            percent(kept, kept + gone) if kept + gone else "—",
            number(median(closed_days(mine))) if closed_days(mine) else "—",
        ]


def test_reasons_per_operadora_and_per_uf(client, cases):
    tables = page_tables(client)
    for caption, attribute, groups in (
        ("Motivos por operadora", "operator", OPERATORS),
        ("Motivos por UF", "uf", UFS),
    ):
        header, *rows = tables[caption]
        assert header[1:] == ["Motivo", "Casos", "% das menções", "% acumulado"]
        shown = {(row[0], row[1]): row[2] for row in rows}
        expected = {}
        for group in groups:
            for reason in REASONS:
                n = sum(reason in c.reasons for c in cases if getattr(c, attribute) == group)
                if n:
                    expected[(group, reason)] = str(n)
        assert shown == expected


# Filters


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("?operadora=SORRISO+PLENO", lambda c: c.operator == "SORRISO PLENO"),
        ("?uf=MT", lambda c: c.uf == "MT"),
        ("?de=01/03/2025", lambda c: c.start_date >= date(2025, 3, 1)),
        (
            "?de=01/02/2025&ate=30/04/2025&operadora=odontolife",
            lambda c: (
                date(2025, 2, 1) <= c.start_date <= date(2025, 4, 30) and c.operator == "ODONTOLIFE"
            ),
        ),
    ],
)
def test_filters_change_the_numbers(client, cases, query, keep):
    chosen = [c for c in cases if keep(c)]
    assert 0 < len(chosen) < len(cases)
    retained, left = count(chosen, RETAINED), count(chosen, LEFT)

    assert summary(client, query).startswith(f"Casos {len(chosen)} Encerrados ")
    tables = page_tables(client, query)
    rate = percent(retained, retained + left) if retained + left else None
    if rate:
        assert tables["Taxa de retenção"][1] == [str(retained), str(retained + left), rate]
    people = as_dict(tables["Por colaborador"])
    assert {a: int(v[0]) for a, v in people.items()} == {
        a: n for a in ANALYSTS if (n := sum(c.analyst == a for c in chosen))
    }
    assert download(client, "colaboradores", query)[1:] == [
        as_csv(row) for row in tables["Por colaborador"][1:]
    ]


def test_the_page_keeps_its_filters_in_the_form_charts_and_downloads(client, cases):
    page = client.get("/indicadores?de=01/02/2025&operadora=SORRISO+PLENO&uf=SP").get_data(
        as_text=True
    )

    assert not re.search(r"<script|<style|\sstyle=|\son\w+=", page)  # a strict CSP allows none
    assert input_value(page, "de") == "01/02/2025"
    assert re.search(r"<option selected>SORRISO PLENO</option>", page)
    assert re.search(r"<option selected>SP</option>", page)
    links = re.findall(r'(?:src|href)="(/indicadores/[^"]+\.(?:svg|csv)[^"]*)"', page)
    assert len(links) == len(CHART_TITLES) + len(CSV_NAMES)
    for link in links:
        assert "de=01/02/2025" in link.replace("%2F", "/")
        assert "operadora=SORRISO+PLENO" in link and "uf=SP" in link
        assert client.get(link.replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize("backend_kind", ["local"])  # the filters are rejected before any read
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?de=31/02/2025", "de", "Data inexistente: confira dia e mês."),
        ("?ate=ontem", "ate", "Data inválida: use dd/mm/aaaa."),
        ("?de=01/05/2025&ate=01/04/2025", "ate", "A data final do período é anterior à inicial."),
        ("?uf=XX", "uf", "UF desconhecida: escolha uma da lista."),
    ],
)
def test_bad_filter_input_gets_a_message_and_is_kept(client, query, field, message):
    response = client.get(f"/indicadores{query}")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_errors(page, field) == [message]
    typed = dict(pair.split("=") for pair in query[1:].split("&"))[field]
    if field == "uf":
        assert "<option selected>XX</option>" in page
    else:
        assert input_value(page, field) == typed
    assert "Corrija o filtro destacado para ver os indicadores." in text(page)
    assert 'class="figures"' not in page

    for path in ("/indicadores/motivos.csv", "/indicadores/grafico/motivos.svg"):
        answer = client.get(path + query)
        assert answer.status_code == 400
        assert message in text(answer.get_data(as_text=True))


# Downloads and charts


def test_each_csv_has_the_numbers_of_its_table(client, cases):
    tables = page_tables(client)
    by_csv = {
        "retencao": "Taxa de retenção",
        "retencao-mes": "Taxa de retenção por mês",
        "mensal": "Abertos e encerrados por mês",
        "tempo": "Tempo finalização",
        "tempo-faixas": "Casos encerrados por faixa de tempo",
        "motivos": "Motivos (Pareto)",
        "motivos-operadora": "Motivos por operadora",
        "motivos-uf": "Motivos por UF",
        "ofertas": "Ações ofertadas × resultado",
        "colaboradores": "Por colaborador",
    }
    assert sorted(by_csv) == sorted(CSV_NAMES) and set(by_csv.values()) == set(tables)
    for name, caption in by_csv.items():
        rows = download(client, name)
        header, *body = tables[caption]
        assert rows[0] == header
        assert rows[1:] == [as_csv(row) for row in body]

    reasons = download(client, "motivos")
    assert {"Óbito", "Ameaça Judicialização", "Migração"} <= {row[0] for row in reasons}
    assert "Célia Fictícia" in {row[0] for row in download(client, "colaboradores")}
    assert all(re.fullmatch(r"\d+,\d%", row[3]) for row in reasons[1:])  # decimal comma


@pytest.mark.parametrize(
    ("value", "is_percent", "on_page", "in_csv"),
    [
        (1971, False, "1.971", "1971"),
        (1234567, False, "1.234.567", "1234567"),
        (0.4531, True, "45,3%", "45,3%"),
        (1.0, True, "100,0%", "100,0%"),
        (1971.5, False, "1.971,5", "1971,5"),
        (46, False, "46", "46"),
        (None, True, "—", ""),
        ("Célia Fictícia", False, "Célia Fictícia", "Célia Fictícia"),
        ("", False, "(em branco)", ""),
    ],
)
def test_numbers_on_the_page_and_in_the_csv(value, is_percent, on_page, in_csv):
    assert cells.page_cell(value, is_percent) == on_page
    assert cells.csv_cell(value, is_percent) == in_csv


def test_names_typed_in_the_sheet_never_become_formulas_in_the_csv(client, saved):
    typed = replace(
        Case(),
        status=LEFT,
        start_date=FIRST_DAY,
        analyst='=HYPERLINK("http://x";"y")',
        operator="+SORRISO",
        reasons=frozenset({"@motivo", "-2 pontos"}),
    )
    saved([typed])

    assert download(client, "colaboradores")[1][0] == '\'=HYPERLINK("http://x";"y")'
    assert {row[1] for row in download(client, "motivos-operadora")[1:]} == {
        "'@motivo",
        "'-2 pontos",
    }
    assert download(client, "motivos-operadora")[1][0] == "'+SORRISO"
    people = as_dict(page_tables(client)["Por colaborador"])
    assert list(people) == ['=HYPERLINK("http://x";"y")']


def test_each_chart_is_an_svg_image_with_its_title_and_labels(client, cases):
    labels_expected = {
        "retencao": {"Retenção Efetiva", "Desligamento", "casos encerrados"},
        "retencao-mes": {"fev/2025", "mar/2025", "0%", "100%"},
        "mensal": {"jan/2025", "Abertos", "Encerrados"},
        "tempo": {"casos encerrados", "dias da Data início à Data final"},
        "motivos": {*REASONS, "% acumulado"},
        "motivos-operadora": {*OPERATORS, "Óbito"},
        "motivos-uf": {*UFS, "Ameaça Judicialização"},
        "ofertas": {*ACTIONS[:3], "Retenção Efetiva", "Desligamento"},
        "colaboradores": {*ANALYSTS, "Em andamento"},
    }
    retained, left = count(cases, RETAINED), count(cases, LEFT)
    days = closed_days(cases)
    for name, title in CHART_TITLES.items():
        response = client.get(f"/indicadores/grafico/{name}.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert "script-src" not in response.headers["Content-Security-Policy"]
        root = ElementTree.fromstring(response.get_data())
        assert root.tag == f"{SVG}svg" and not list(root.iter(f"{SVG}script"))
        texts = svg_texts(response.get_data(as_text=True))
        assert any(t.startswith(title) for t in texts), (name, texts)
        assert labels_expected[name] <= texts, (name, labels_expected[name] - texts)

    svg = client.get("/indicadores/grafico/retencao.svg").get_data(as_text=True)
    assert f"Taxa de retenção: {percent(retained, retained + left)}" in svg
    svg = client.get("/indicadores/grafico/tempo.svg").get_data(as_text=True)
    assert f"Mediana: {in_days(number(median(days)))}" in svg
    assert f"Percentil 90: {in_days(p90(days))}" in svg


def test_charts_write_numbers_the_brazilian_way():
    rate = RetentionRate(1971, 4350, 1971 / 4350)
    texts = svg_texts(charts.to_svg(charts.retention(rate)))
    assert {"Taxa de retenção: 45,3%", "1.971", "2.379"} <= texts
    ticks = {t for t in texts if re.fullmatch(r"[\d.,]+", t)} - {"1.971", "2.379"}
    assert len(ticks) > 3 and {"0", "1.200"} <= ticks
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in ticks)
    stats = AnalystStats("Beatriz Exemplo", 1200, 200, 1000, 600, 0.6, 12.5)
    assert "1.200 · taxa 60,0%" in svg_texts(charts.to_svg(charts.analysts([stats])))


def test_text_typed_in_the_sheet_is_drawn_as_typed():
    typed = ReasonCount("R$ 10 a menos e R$ 5 de taxa <b>&", 3, 1.0, 1.0)
    assert typed.reason in svg_texts(charts.to_svg(charts.reasons([typed])))


def test_the_per_group_charts_show_the_twelve_reasons_most_cited():
    ranked = [ReasonCount(f"Motivo {n:02d}", 20 - n, 0.0, 0.0) for n in range(13)]
    groups = {"ODONTOLIFE": ranked[:7], "SORRISO PLENO": ranked[5:]}
    texts = svg_texts(charts.to_svg(charts.reasons_by(ranked, groups, "operadora")))
    assert "Motivos por operadora (os 12 motivos mais citados)" in texts
    assert {"Motivo 00", "Motivo 11", "ODONTOLIFE", "SORRISO PLENO", "20", "9"} <= texts
    assert "Motivo 12" not in texts


def svg_texts(svg: str) -> set[str]:
    root = ElementTree.fromstring(svg)
    return {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}


@pytest.mark.parametrize("backend_kind", ["local"])
def test_unknown_charts_and_tables_are_not_found(client):
    assert client.get("/indicadores/grafico/nada.svg").status_code == 404
    assert client.get("/indicadores/nada.csv").status_code == 404


# Little or no data


def test_no_cases_at_all(client):
    page = client.get("/indicadores")

    assert page.status_code == 200
    assert "Nenhum caso para estes filtros." in text(page.get_data(as_text=True))
    for name in CHART_TITLES:
        svg = client.get(f"/indicadores/grafico/{name}.svg").get_data(as_text=True)
        assert "Sem dados para os filtros escolhidos." in svg
    assert download(client, "retencao") == [
        ["Retenção Efetiva", "Retenções encerradas", "Taxa de retenção"],
        ["0", "0", ""],
    ]
    assert download(client, "motivos") == [["Motivo", "Casos", "% das menções", "% acumulado"]]


def test_cases_none_of_them_closed(client, saved):
    opened = [
        replace(Case(), status=OPEN, analyst="Ana Exemplo", start_date=FIRST_DAY, operator="X"),
        replace(Case(), status=NOT_RETENTION, analyst="Ana Exemplo", start_date=FIRST_DAY),
    ]
    saved(opened)
    page = text(client.get("/indicadores").get_data(as_text=True))

    assert "Casos 2 Encerrados 1 Taxa de retenção — Mediana tempo finalização — " in page
    assert "Nenhum caso encerrado como Retenção Efetiva ou Desligamento" in page
    assert "não há tempo de finalização a medir" in page
    assert "Nenhum motivo de saída marcado" in page
    tables = page_tables(client)
    assert as_dict(tables["Por colaborador"]) == {"Ana Exemplo": ["2", "1", "1", "0", "—", "—"]}
    assert "Sem dados" in client.get("/indicadores/grafico/retencao.svg").get_data(as_text=True)


# The trend, the months on the axis, the per-group charts, the cache


def test_the_retention_trend_has_a_point_per_month_that_closed_retention_cases(client, saved):
    def closed(status: str, day: date) -> Case:
        return replace(Case(), status=status, start_date=FIRST_DAY, end_date=day, analyst="Ana")

    saved(
        [
            closed(RETAINED, date(2025, 2, 3)),
            closed(RETAINED, date(2025, 2, 20)),
            closed(LEFT, date(2025, 2, 21)),
            closed(LEFT, date(2025, 5, 2)),
            closed(NOT_RETENTION, date(2025, 3, 9)),
        ]
    )

    texts = svg_texts(client.get("/indicadores/grafico/retencao-mes.svg").get_data(as_text=True))
    table = as_dict(page_tables(client)["Taxa de retenção por mês"])

    assert {"fev/2025", "mai/2025", "66,7% de 3", "0,0% de 1"} <= texts
    assert not {"mar/2025", "abr/2025"} & texts
    assert table == {"fev/2025": ["2", "3", "66,7%"], "mai/2025": ["0", "1", "0,0%"]}


def test_the_monthly_chart_shows_only_months_with_cases(client, saved):
    saved(
        [
            replace(Case(), status=OPEN, start_date=date(2024, 11, 4)),
            replace(Case(), status=OPEN, start_date=date(2025, 3, 4)),
        ]
    )

    texts = svg_texts(client.get("/indicadores/grafico/mensal.svg").get_data(as_text=True))

    assert {"nov/2024", "mar/2025"} <= texts
    assert not {"dez/2024", "jan/2025", "fev/2025"} & texts
    assert "jan/2025" in as_dict(page_tables(client)["Abertos e encerrados por mês"])


def test_the_per_uf_chart_is_as_wide_as_the_others_whatever_the_number_of_ufs():
    ranked = [ReasonCount(reason, 3, 0.25, 0.25 * (n + 1)) for n, reason in enumerate(REASONS)]
    every_uf = {uf: ranked for uf in ("AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE".split())}
    retention = charts.to_svg(charts.retention(RetentionRate(1, 2, 0.5)))

    heatmap = charts.to_svg(charts.reasons_by(ranked, every_uf, "UF"))

    assert svg_width(heatmap) == svg_width(retention)  # its text is shown as large as theirs
    assert {*every_uf, *REASONS} <= svg_texts(heatmap)


def svg_width(svg: str) -> str:
    return ElementTree.fromstring(svg).attrib["width"]


@pytest.mark.parametrize("backend_kind", ["local"])
def test_a_chart_is_drawn_once_per_version_of_the_data_and_filters(app, client, book, cases):
    drawn = app.extensions["retencao.charts"]
    book.sync.max_age = 0  # every visit checks the sheet (and reads it whole) again

    first = client.get("/indicadores/grafico/motivos.svg").get_data()
    again = client.get("/indicadores/grafico/motivos.svg").get_data()
    assert again == first and drawn.drawn == 1

    client.get("/indicadores/grafico/motivos.svg?uf=SP")
    client.get("/indicadores/grafico/motivos.svg?uf=SP")
    assert drawn.drawn == 2

    book.add(replace(cases[0], reasons=frozenset({"Motivo novo"})), "Ana Exemplo")
    changed = client.get("/indicadores/grafico/motivos.svg").get_data()
    assert drawn.drawn == 3 and b"Motivo novo" in changed and b"Motivo novo" not in first
