"""The team's board: cases by status, checklists, overdue cases, changes made in the sheet."""

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

from retention import ptbr
from retention.checklist import checklist, deadline, progress
from retention.choices import STATUSES, UFS
from retention.search import CaseQuery
from sheets import get_book
from views.access import READER, requires

bp = Blueprint("board", __name__)
RECENT_CHANGES = 20


@bp.get("/painel")
@requires(READER)
def index():
    """Cases by status for the team, with the filters people use."""
    book = get_book()
    me = current_user.name
    since, until = _day(request.args.get("de", "")), _day(request.args.get("ate", ""))
    query = CaseQuery(
        operator=request.args.get("operadora", ""),
        uf=request.args.get("uf", ""),
        analyst=me if request.args.get("meus") and me else request.args.get("colaborador", ""),
        since=since,
        until=until,
    )
    every_case = book.cases()
    cases = [case for case in every_case if query.matches(case)]
    today = book.clock().date()
    sla = int(current_app.config["RETENCAO_SLA_DAYS"])
    changes = book.sync.changes()
    changed_ids = {change.case_id for change in changes}
    deadlines = {case.case_id: deadline(case, today, sla) for case in cases}
    cards = {
        case.case_id: {
            "progress": progress(checklist(case)),
            "deadline": deadlines[case.case_id],
            "changed": case.case_id in changed_ids,
        }
        for case in cases
    }
    late = {case_id: due for case_id, due in deadlines.items() if due and due.overdue_by}
    overdue = sorted(
        (c for c in cases if c.case_id in late),
        key=lambda c: late[c.case_id].days_open,
        reverse=True,
    )
    return render_template(
        "board.html",
        columns={status: [c for c in cases if c.status == status] for status in STATUSES},
        cards=cards,
        overdue=overdue,
        changes=changes[:RECENT_CHANGES],
        query=query,
        me=me,
        mine=bool(request.args.get("meus")),
        period=(request.args.get("de", ""), request.args.get("ate", "")),
        sla=sla,
        analysts=sorted({c.analyst for c in every_case if c.analyst}),
        operators=sorted({c.operator for c in every_case if c.operator}),
        ufs=UFS,
    )


@bp.post("/sincronizar")
@requires(READER)
def sync_now():
    """Read the sheet now (where its stamp cannot tell) instead of waiting for the next check."""
    book = get_book()
    book.sync.refresh(full=True)
    if book.stale:
        flash(f"A planilha não pôde ser lida: {book.stale.reason}", "error")
    else:
        flash(f"Sincronizado às {ptbr.format_datetime(book.sync.checked_at)}.", "success")
    return redirect(_same_site(request.referrer) or url_for("board.index"))


def _day(text: str):
    try:
        return ptbr.parse_date(text) if text.strip() else None
    except ValueError:
        flash(f"Período ignorado: “{text}” não é uma data dd/mm/aaaa.", "warning")
        return None


def _same_site(referrer: str | None) -> str | None:
    """The page the button was pressed on, if it is one of ours."""
    if referrer and referrer.startswith(request.host_url):
        return referrer
    return None
