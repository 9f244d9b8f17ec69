"""Cases: the list, the new-case form, the read view and the edit form."""

import math
from http import HTTPStatus

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from auth.access import ANALYST, READER, may_edit, requires
from forms.case_form import CaseForm, EditCaseForm
from forms.fields import error_summary, first_error_id, page_status
from forms.whatsapp_paste import paste_step
from retention import choices
from retention.case import Case
from retention.case_list import COLUMNS, Ordering, status_chip
from retention.checklist import (
    NOTICE_DAYS,
    beneficiary_notice_by,
    checklist,
    days_open,
    deadline,
    progress,
)
from retention.choices import STATUSES, UFS, operators_in
from retention.duplicates import Dentist, Duplicate, open_cases_of
from retention.search import CaseQuery
from sheets import get_book, get_drafts
from sheets.book import Saved
from sheets.drafts import NEW
from sheets.editing import after_conflict, edit_of
from sheets.errors import CaseNotFound, EditConflict, SheetError
from sheets.history import returned_to_analyst
from sheets.planning import fingerprint
from views import drafts

bp = Blueprint("cases", __name__)
DUPLICATE_CONFIRMED = "confirmar_duplicado"


@bp.get("/")
@requires(READER)
def index():
    """The case list: search, filters, sorted by a column (else newest first), paginated."""
    query = list_query()
    ordering = list_ordering()
    book = get_book()
    today = book.clock().date()
    every_case = book.cases()
    found = ordering.apply([case for case in every_case if query.matches(case)], today)
    size = int(current_app.config["RETENCAO_PAGE_SIZE"])
    pages = max(1, math.ceil(len(found) / size))
    page = min(max(request.args.get("pagina", 1, type=int), 1), pages)
    shown = found[(page - 1) * size : page * size]
    return render_template(
        "cases/list.html",
        cases=shown,
        days={case.case_id: days_open(case, today) for case in shown},
        chip=status_chip,
        waiting={entry.case_id for entry in book.waiting()},
        total=len(found),
        query=query,
        ordering=ordering,
        sort_columns=COLUMNS,
        page=page,
        pages=pages,
        statuses=STATUSES,
        ufs=UFS,
        operators=operators_in(every_case),
        drafts=get_drafts().of_owner(drafts.owner()),
        draft_url=drafts.form_url,
    )


def list_query() -> CaseQuery:
    """The search and filters of the case list, as given in the page's address."""
    return CaseQuery(
        text=request.args.get("q", "").strip(),
        status=request.args.get("status", ""),
        operator=request.args.get("operadora", ""),
        uf=request.args.get("uf", ""),
    )


def list_ordering() -> Ordering:
    """The column the case list is sorted by, as given in the page's address."""
    return Ordering.parse(request.args.get("ordem", ""), request.args.get("sentido", ""))


@bp.route("/casos/novo", methods=["GET", "POST"])
@requires(ANALYST)
def new():
    """Fill in a new case; it becomes one row of the sheet."""
    resuming = {"formdata": draft} if (draft := drafts.resumed(NEW)) else {}
    form = CaseForm(form_date=get_book().clock().date(), analyst=current_user.name, **resuming)
    if (pasted := paste_step(form)) is not None:
        return _form_page(form, None, pasted.status, whatsapp=pasted)
    if form.validate_on_submit():
        if DUPLICATE_CONFIRMED not in request.form and (found := _open_cases_of(form)):
            return _form_page(form, None, HTTPStatus.CONFLICT, duplicates=found)
        saved = get_book().add(form.to_case(), author=current_user.name)
        get_drafts().discard(drafts.owner(), NEW)
        flash_saved(saved, "salvo")
        return redirect(url_for("cases.detail", case_id=saved.case.case_id))
    return _form_page(form, None, page_status(form))


@bp.get("/casos/duplicados")
@requires(ANALYST)
def duplicates():
    """The open cases of the dentist the query names (cro, cro_uf, cpf, cnpj), as JSON."""
    args = request.args
    dentist = Dentist(*(args.get(name, "")[:40] for name in ("cro", "cro_uf", "cpf", "cnpj")))
    found = open_cases_of(dentist, get_book().cases())
    return {"cases": [_as_json(duplicate) for duplicate in found]}


def _as_json(duplicate: Duplicate) -> dict:
    case = duplicate.case
    return {
        "id": case.case_id,
        "url": url_for("cases.detail", case_id=case.case_id),
        "dentist": case.dentist_name,
        "status": case.status,
        "analyst": case.analyst,
        "why": list(duplicate.why),
    }


def _open_cases_of(form: CaseForm) -> list[Duplicate]:
    """The open cases of the dentist the form names (the book's snapshot: no Sheets call)."""
    dentist = Dentist(form.cro.data, form.cro_uf.data, form.cpf.data, form.cnpj.data)
    return open_cases_of(dentist, get_book().cases())


@bp.get("/casos/<case_id>")
@requires(READER)
def detail(case_id: str):
    """The case laid out like the paper form."""
    book = get_book()
    case = book.get(case_id)
    items = checklist(case)
    sla = int(current_app.config["RETENCAO_SLA_DAYS"])
    beneficiary_days = int(current_app.config["RETENCAO_BENEFICIARY_NOTICE_DAYS"])
    today = book.clock().date()
    history = book.history_of(case_id)
    return render_template(
        "cases/detail.html",
        case=case,
        waiting=book.waiting(case_id),
        checklist=items,
        progress=progress(items),
        deadline=deadline(case, today, sla),
        sla=sla,
        notice_days=NOTICE_DAYS,
        beneficiary_notice=beneficiary_notice_by(case, beneficiary_days),
        beneficiary_days=beneficiary_days,
        today=today,
        changes=book.sync.changes(case_id),
        history=history,
        returned=returned_to_analyst(history) if case.is_open else None,
        may_edit=may_edit(current_user.role, case),
        choices=choices,
    )


@bp.route("/casos/<case_id>/editar", methods=["GET", "POST"])
@requires(ANALYST)
def edit(case_id: str):
    """Change a case; only the fields the user changed are written."""
    book = get_book()
    case = book.get(case_id) if request.method == "GET" else _to_edit(case_id)
    if not may_edit(current_user.role, case):
        return _locked(case)
    if (draft := drafts.resumed(case_id)) is not None:
        return _form_page(EditCaseForm.from_case(case, formdata=draft), case, 200)
    form = EditCaseForm.from_case(case)
    if request.method == "GET":
        form.remember(fingerprint(case))
        return _form_page(form, case, 200)
    if (pasted := paste_step(form)) is not None:
        return _form_page(form, case, pasted.status, whatsapp=pasted)
    if not form.validate():
        return _form_page(form, case, page_status(form))
    kept = form.kept_from_sheet(request.form)
    change = edit_of(case, form.to_case(), form.loaded_fingerprint(), kept)
    try:
        saved = book.update(case_id, change.case, change.base, current_user.name)
    except EditConflict as conflict:
        form.remember(after_conflict(change.base, conflict.conflicts))
        return _form_page(form, case, 409, conflicts=conflict.conflicts)
    get_drafts().discard(drafts.owner(), case_id)
    if saved is None:
        flash("Nenhuma alteração para salvar.", "success")
    else:
        flash_saved(saved, "atualizado")
    return redirect(url_for("cases.detail", case_id=case_id))


def _to_edit(case_id: str) -> Case:
    """The case a post edits; a bare one if the sheet is out of reach, so the edit still queues."""
    try:
        return get_book().get(case_id)
    except CaseNotFound:
        raise
    except SheetError:
        return Case(case_id=case_id)


def _locked(case: Case):
    """The page an analyst gets for a case only a supervisor may change now: a signed one."""
    message = (
        f"O caso {case.case_id} foi assinado pelo supervisor: só um supervisor pode alterá-lo"
        " ou reabri-lo."
    )
    return render_template("error.html", message=message), 403


def flash_saved(saved: Saved, done: str) -> None:
    """Say honestly whether the write reached the sheet or waits in the outbox."""
    if saved.renumbered_from:
        flash(
            f"O número {saved.renumbered_from} já tinha sido usado por outro servidor nesta"
            f" planilha; o caso foi gravado como {saved.case.case_id}.",
            "warning",
        )
    if saved.waiting is None:
        flash(f"Caso {saved.case.case_id} {done} na planilha.", "success")
    else:
        flash(
            f"Caso {saved.case.case_id} {done}, aguardando envio à planilha: nada foi perdido e"
            f" o envio será tentado de novo automaticamente. Motivo: {saved.waiting}",
            "warning",
        )


def _form_page(form: CaseForm, case: Case | None, status: int, **extra):
    """The form page; it never fails for want of the sheet, so typed input is never lost.
    What a refused post held is kept as a draft; a page opened afresh offers the draft."""
    target = case.case_id if case else NEW
    if request.method == "POST":
        drafts.keep_posted(drafts.owner(), target)
    try:
        operators = operators_in(get_book().cases())
    except SheetError:
        operators = []
    return render_template(
        "cases/form.html",
        form=form,
        case=case,
        operators=operators,
        first_error=first_error_id(form),
        error_list=error_summary(form),
        draft=drafts.offered(target) if request.method == "GET" else None,
        target=target,
        **extra,
    ), status
