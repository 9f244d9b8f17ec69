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

from auth.access import READER, requires
from retention import ptbr
from retention.board import build_board
from retention.checklist import NOTICE_DAYS
from retention.choices import UFS
from retention.search import CaseQuery
from sheets import get_book

bp = Blueprint("board", __name__)
RECENT_CHANGES = 20


@bp.get("/painel")
@requires(READER)
def index():
    """Cases by status for the team, with the filters people use."""
    book = get_book()
    me = current_user.name
    mine = bool(request.args.get("meus"))
    period = (request.args.get("de", ""), request.args.get("ate", ""))
    query = CaseQuery(
        operator=request.args.get("operadora", ""),
        uf=request.args.get("uf", ""),
        analyst=me if mine and me else request.args.get("colaborador", ""),
        since=_day(period[0]),
        until=_day(period[1]),
    )
    every_case = book.cases()  # first: reading the sheet may notice changes people made
    today = book.clock().date()
    sla = int(current_app.config["RETENCAO_SLA_DAYS"])
    beneficiary_days = int(current_app.config["RETENCAO_BENEFICIARY_NOTICE_DAYS"])
    changes = book.sync.changes()
    changed_ids = {change.case_id for change in changes}
    return render_template(
        "board.html",
        board=build_board(every_case, query, today, sla, changed_ids, beneficiary_days),
        changes=changes[:RECENT_CHANGES],
        query=query,
        me=me,
        mine=mine,
        period=period,
        sla=sla,
        notice_days=NOTICE_DAYS,
        beneficiary_days=beneficiary_days,
        today=today,
        ufs=UFS,
    )


@bp.post("/sincronizar")
@requires(READER)
def sync_now():
    """Read the sheet now (where its stamp cannot tell) instead of waiting for the next check."""
    book = get_book()
    book.sync.refresh_everywhere()
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
