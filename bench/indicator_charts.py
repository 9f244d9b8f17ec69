"""The indicators' charts: a visit's charts drawn, then served again for the same data.

Prints the seconds the page's charts take on the first visit (drawn by matplotlib) and on a
second visit with the same snapshot of the sheet (from the chart cache), and how many charts
each drew. Run: ``.venv/bin/python bench/indicator_charts.py [cases]``.
"""

import logging
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import on_workbook  # noqa: E402
from run import config, signed_in  # noqa: E402

from app import create_app  # noqa: E402
from reports.indicators import INDICATORS  # noqa: E402
from sheets import get_book  # noqa: E402

logging.disable(logging.INFO)


def visit(client) -> float:
    """Seconds to fetch every chart of the page once."""
    start = time.perf_counter()
    for indicator in INDICATORS:
        response = client.get(f"/indicadores/grafico/{indicator.name}.svg")
        assert response.status_code == 200
    return time.perf_counter() - start


def main(cases: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({**config(Path(folder)), "RETENCAO_WORKBOOK": f"{folder}/casos.xlsx"})
        rng = random.Random(15)
        with app.app_context():
            get_book().add_many([on_workbook.realistic_case(rng, n) for n in range(cases)], "x")
        client = signed_in(app)
        charts = app.extensions["retencao.charts"]
        client.get("/indicadores")  # the sheet read once, as the page itself does
        first = visit(client)
        drawn_first = charts.drawn
        second = visit(client)
        print(f"{cases} casos, {len(INDICATORS)} gráficos")
        print(f"  primeira visita: {first:.2f} s ({drawn_first} desenhados)")
        print(f"  segunda visita, mesma planilha: {second:.3f} s ({charts.drawn - drawn_first})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
