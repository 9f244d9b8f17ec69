"""A closed case's review: the supervisor signs it off, reopens it or returns it to the analyst."""

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from auth.access import SUPERVISOR, requires
from forms.fields import clean_text
from retention.case import STATUS_OPEN, Case
from retention.checklist import checklist, missing_before_sign_off, progress
from sheets import get_book
from sheets.errors import EditConflict
from sheets.history import RETURNED, SIGN_OFF_COMMENT, SIGNED_INCOMPLETE
from sheets.planning import fingerprint
from views.cases import flash_saved

bp = Blueprint("review", __name__)
REASON_LIMIT = 2000  # characters of a return's reason, or of a sign-off's comment
ANYWAY = "mesmo_assim"  # the second confirmation, needed when the checklist is incomplete


@bp.route("/casos/<case_id>/assinar", methods=["GET", "POST"])
@requires(SUPERVISOR)
def sign(case_id: str):
    """The supervisor's signature on a closed case, as at the bottom of the paper form, after
    a confirmation that shows the checklist; an incomplete one needs "assinar mesmo assim"."""
    book = get_book()
    case = book.get(case_id)
    if case.is_open:
        flash("Só um caso encerrado pode ser assinado: informe o status e a Data final.", "error")
        return redirect(url_for("cases.detail", case_id=case_id))
    if case.is_signed:
        flash(f"O caso já foi assinado por {case.supervisor_signature}.", "warning")
        return redirect(url_for("cases.detail", case_id=case_id))
    comment = clean_text(request.form.get("comentario"))[:REASON_LIMIT]
    missing = missing_before_sign_off(case)
    if request.method == "GET" or (missing and not request.form.get(ANYWAY)):
        return _confirmation(case, comment, insist=request.method == "POST")
    signed = replace(
        case,
        supervisor_signature=current_user.name,
        signed_on=book.clock().date(),
        sign_off_comment=comment,
    )
    if _save_as_supervisor(case, signed, "assinado"):
        if missing:
            skipped = "; ".join(item.label for item in missing)
            book.note(case_id, SIGNED_INCOMPLETE, f"faltava: {skipped}", current_user.name)
        if comment:
            book.note(case_id, SIGN_OFF_COMMENT, comment, current_user.name)
    return redirect(url_for("cases.detail", case_id=case_id))


def _confirmation(case: Case, comment: str, insist: bool) -> str:
    """The page that asks to confirm the signature, the comment kept."""
    items = checklist(case)
    return render_template(
        "cases/sign.html",
        case=case,
        checklist=items,
        progress=progress(items),
        missing=missing_before_sign_off(case),
        comment=comment,
        insist=insist,
        limit=REASON_LIMIT,
    )


@bp.post("/casos/<case_id>/reabrir")
@requires(SUPERVISOR)
def reopen(case_id: str):
    """Back to Em andamento, without the signature, so the team can work on it again."""
    case = get_book().get(case_id)
    if case.is_open:
        flash("O caso já está em andamento.", "warning")
    else:
        reopened = replace(case.unsigned(), status=STATUS_OPEN)
        _save_as_supervisor(case, reopened, "reaberto")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/casos/<case_id>/devolver")
@requires(SUPERVISOR)
def send_back(case_id: str):
    """A closed, unsigned case back to Em andamento, with what the analyst should correct."""
    book = get_book()
    case = book.get(case_id)
    reason = clean_text(request.form.get("motivo"))[:REASON_LIMIT]
    if case.is_open or case.is_signed:
        flash("Só um caso encerrado e ainda não assinado pode ser devolvido ao analista.", "error")
    elif not reason:
        flash("Diga ao analista o que corrigir: o motivo da devolução é obrigatório.", "error")
    elif _save_as_supervisor(case, replace(case, status=STATUS_OPEN), "devolvido ao analista"):
        book.note(case_id, RETURNED, reason, current_user.name)
    return redirect(url_for("cases.detail", case_id=case_id))


def _save_as_supervisor(case: Case, changed: Case, done: str) -> bool:
    """Write the supervisor's change; whether it was taken (not refused for a conflict)."""
    try:
        saved = get_book().update(case.case_id, changed, fingerprint(case), current_user.name)
    except EditConflict:
        flash(
            "O caso foi alterado na planilha neste meio-tempo: confira os dados e tente de novo.",
            "error",
        )
        return False
    if saved is not None:
        flash_saved(saved, done)
    return True
