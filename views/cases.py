"""Cases: the list, the new-case form, the read view and the edit form."""

import json
import math

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from forms.case_form import CaseForm, EditCaseForm
from forms.fields import first_error_id
from retention.case import Case
from retention.checklist import checklist, deadline, progress
from retention.choices import (
    ACTIONS,
    AREAS,
    PERSON_TYPES,
    REASONS,
    SECTORS,
    STATUSES,
    UFS,
    with_extras,
)
from retention.search import CaseQuery
from sheets import get_book
from sheets.book import Saved, digest, fingerprint
from sheets.errors import CaseNotFound, EditConflict, SheetError
from views.access import ANALYST, READER, requires

bp = Blueprint("cases", __name__)

UNPROCESSABLE = 422


@bp.get("/")
@requires(READER)
def index():
    """The case list: search, filters, newest first, paginated."""
    query = list_query()
    every_case = get_book().cases()
    found = [case for case in every_case if query.matches(case)]
    size = int(current_app.config["RETENCAO_PAGE_SIZE"])
    pages = max(1, math.ceil(len(found) / size))
    page = min(max(request.args.get("pagina", 1, type=int), 1), pages)
    return render_template(
        "cases/list.html",
        cases=found[(page - 1) * size : page * size],
        waiting={entry.case_id for entry in get_book().waiting()},
        total=len(found),
        query=query,
        page=page,
        pages=pages,
        statuses=STATUSES,
        ufs=UFS,
        operators=_operators(every_case),
    )


def list_query() -> CaseQuery:
    """The search and filters of the case list, as given in the page's address."""
    return CaseQuery(
        text=request.args.get("q", "").strip(),
        status=request.args.get("status", ""),
        operator=request.args.get("operadora", ""),
        uf=request.args.get("uf", ""),
    )


@bp.route("/casos/novo", methods=["GET", "POST"])
@requires(ANALYST)
def new():
    """Fill in a new case; it becomes one row of the sheet."""
    form = CaseForm(form_date=get_book().clock().date())
    if form.validate_on_submit():
        saved = get_book().add(form.to_case(), author=form.analyst.data)
        _flash_saved(saved, "salvo")
        return redirect(url_for("cases.detail", case_id=saved.case.case_id))
    return _form_page(form, None, UNPROCESSABLE if form.errors else 200)


@bp.get("/casos/<case_id>")
@requires(READER)
def detail(case_id: str):
    """The case laid out like the paper form."""
    book = get_book()
    case = book.get(case_id)
    items = checklist(case)
    sla = int(current_app.config["RETENCAO_SLA_DAYS"])
    return render_template(
        "cases/detail.html",
        case=case,
        waiting=book.waiting(case_id),
        checklist=items,
        progress=progress(items),
        deadline=deadline(case, book.clock().date(), sla),
        sla=sla,
        changes=book.sync.changes(case_id),
        statuses=STATUSES,
        areas=AREAS,
        actions=ACTIONS,
        reasons=REASONS,
        sectors=SECTORS,
        person_types=PERSON_TYPES,
        with_extras=with_extras,
    )


@bp.route("/casos/<case_id>/editar", methods=["GET", "POST"])
@requires(ANALYST)
def edit(case_id: str):
    """Change a case; only the fields the user changed are written."""
    book = get_book()
    if request.method == "GET":
        case = book.get(case_id)
        form = EditCaseForm.from_case(case)
        form.base.data = json.dumps(fingerprint(case))
        form.editor.data = session.get("editor", "")
        return _form_page(form, case, 200)
    try:
        case = book.get(case_id)
    except CaseNotFound:
        raise
    except SheetError:
        case = Case(case_id=case_id)  # the sheet is out of reach: the edit still gets queued
    form = EditCaseForm.from_case(case)
    if form.validate():
        session["editor"] = form.editor.data
        edited, base = form.to_case(), form.loaded_fingerprint()
        for header in _kept_from_sheet(request.form):
            base[header] = fingerprint(edited).get(header, "")  # as if the user left it alone
        try:
            saved = book.update(case_id, edited, base, form.editor.data)
        except EditConflict as conflict:
            base.update({c.header: digest(c.theirs) for c in conflict.conflicts})
            form.base.data = json.dumps(base)
            return _form_page(form, case, 409, conflicts=conflict.conflicts)
        if saved is None:
            flash("Nenhuma alteração para salvar.", "success")
        else:
            _flash_saved(saved, "atualizado")
        return redirect(url_for("cases.detail", case_id=case_id))
    return _form_page(form, case, UNPROCESSABLE if form.errors else 200)


def _kept_from_sheet(posted) -> list[str]:
    """The conflicting fields for which the user chose the sheet's version."""
    prefix = "resolver:"
    return [
        key[len(prefix) :]
        for key, value in posted.items()
        if key.startswith(prefix) and value == "planilha"
    ]


def _flash_saved(saved: Saved, done: str) -> None:
    """Say honestly whether the write reached the sheet or waits in the outbox."""
    if saved.waiting is None:
        flash(f"Caso {saved.case.case_id} {done} na planilha.", "success")
    else:
        flash(
            f"Caso {saved.case.case_id} {done}, aguardando envio à planilha: nada foi perdido e"
            f" o envio será tentado de novo automaticamente. Motivo: {saved.waiting}",
            "warning",
        )


def _form_page(form: CaseForm, case: Case | None, status: int, **extra):
    """The form page; it never fails for want of the sheet, so typed input is never lost."""
    try:
        operators = _operators(get_book().cases())
    except SheetError:
        operators = []
    return render_template(
        "cases/form.html",
        form=form,
        case=case,
        operators=operators,
        first_error=first_error_id(form),
        **extra,
    ), status


def _operators(cases: list[Case]) -> list[str]:
    return sorted({case.operator for case in cases if case.operator})
