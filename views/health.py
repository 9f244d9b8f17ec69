"""``/saude``: whether the app reaches its sheet, for monitors (no sign-in, no case data)."""

from datetime import datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify

from auth.access import public
from sheets import get_book
from sheets.health import check

bp = Blueprint("health", __name__)


@bp.get("/saude")
@public
def health():
    """The sheet's state and the outbox's depth as JSON: 200 while the sheet answers, else 503."""
    state = check(get_book())
    zone = ZoneInfo(current_app.config["RETENCAO_TIMEZONE"])
    healthy = state.problem is None
    response = jsonify(
        situacao="ok" if healthy else "planilha indisponível",
        planilha_acessivel=healthy,
        erro=state.problem,
        ultima_sincronizacao=_moment(state.checked_at, zone),
        fila=state.waiting,
        fila_desde=_moment(state.waiting_since, zone),
        fila_com_falha=state.failed,
        historico_na_fila=state.history_waiting,
    )
    response.status_code = HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE
    response.headers["Cache-Control"] = "no-store"
    return response


def _moment(when: datetime | None, zone: ZoneInfo) -> str | None:
    """A time of the app's clock (naive, in RETENCAO_TIMEZONE) in ISO 8601 with its offset."""
    return when.replace(tzinfo=zone).isoformat() if when else None
