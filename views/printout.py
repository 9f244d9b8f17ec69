"""The case as the paper form on A4: a page to print from the browser and the same as a PDF."""

from io import BytesIO

from flask import Blueprint, current_app, render_template, request, send_file

from auth.access import READER, requires
from reports.pdf import html_to_pdf
from retention import choices
from retention.case import Case
from sheets import get_book

bp = Blueprint("printout", __name__)


@bp.get("/casos/<case_id>/imprimir")
@requires(READER)
def page(case_id: str):
    """The "Formulário - Processo de Retenção" of a case, laid out for A4 paper."""
    return render_page(get_book().get(case_id))


@bp.get("/casos/<case_id>/pdf")
@requires(READER)
def pdf(case_id: str):
    """The print page as a PDF download named after the case, e.g. RET-2025-0001.pdf."""
    case = get_book().get(case_id)
    return send_file(
        BytesIO(case_pdf(case)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{case.case_id}.pdf",
    )


def render_page(case: Case) -> str:
    """The print page's HTML."""
    return render_template("cases/print.html", case=case, choices=choices)


def case_pdf(case: Case) -> bytes:
    """The print page of ``case`` laid out by WeasyPrint (needs a request context)."""
    return html_to_pdf(
        render_page(case),
        base_url=request.host_url,
        static_path=current_app.static_url_path,
        folder=str(current_app.static_folder),
    )
