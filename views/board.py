"""The team's board: cases in lanes, checklists, overdue cases, changes made in the sheet."""

from datetime import date

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
from retention.board import AWAITING, OLDER, OPEN, RECENT, BoardRules, build_board
from retention.checklist import NOTICE_DAYS
from retention.choices import UFS
from retention.search import CaseQuery
from sheets import get_book

bp = Blueprint("board", __name__)
RECENT_CHANGES = 20
LANE_TITLES = {
    OPEN: "Em andamento",
    AWAITING: "Aguardando assinatura",
    RECENT: "Encerrados nos últimos {days} dias",
    OLDER: "Encerrados há mais de {days} dias",
}
FILTERS = ("colaborador", "operadora", "uf", "de", "ate", "meus")


@bp.get("/painel")
@requires(READER)
def index():
    """Cases in lanes for the team, with the filters people use; ``raia`` shows one lane whole."""
    book = get_book()
    me = current_user.name
    mine = bool(request.args.get("meus"))
    period = (request.args.get("de", ""), request.args.get("ate", ""))
    query = _query(me if mine else "", period)
    every_case = book.cases(newest_first=False)  # first: reading it may notice people's edits
    rules = _rules(book.clock().date())
    changes = book.sync.changes()
    lane = request.args.get("raia") if request.args.get("raia") in LANE_TITLES else None
    board = build_board(
        every_case,
        query,
        rules,
        changed_ids={change.case_id for change in changes},
        lane=lane,
        page=request.args.get("pagina", 1, type=int),  # as the list: not a number, the first
    )
    return render_template(
        "board.html",
        board=board,
        lane=lane,
        titles={key: title.format(days=rules.closed_days) for key, title in LANE_TITLES.items()},
        filters={k: v for k, v in request.args.items() if k in FILTERS and v},
        changes=[] if lane else changes[:RECENT_CHANGES],
        query=query,
        me=me,
        mine=mine,
        period=period,
        sla=rules.sla_days,
        notice_days=NOTICE_DAYS,
        beneficiary_days=rules.beneficiary_days,
        today=rules.today,
        ufs=UFS,
    )


def _query(mine: str, period: tuple[str, str]) -> CaseQuery:
    """The board's filters as asked; "meus casos" (``mine``: the user's name) over Colaborador."""
    return CaseQuery(
        operator=request.args.get("operadora", ""),
        uf=request.args.get("uf", ""),
        analyst=mine or request.args.get("colaborador", ""),
        since=_day(period[0]),
        until=_day(period[1]),
    )


def _rules(today: date) -> BoardRules:
    """The board's settings, on ``today``."""
    return BoardRules(
        today=today,
        sla_days=int(current_app.config["RETENCAO_SLA_DAYS"]),
        closed_days=int(current_app.config["RETENCAO_BOARD_CLOSED_DAYS"]),
        beneficiary_days=int(current_app.config["RETENCAO_BENEFICIARY_NOTICE_DAYS"]),
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
