"""The team's board: the cases a query picks, in lanes by where they stand, a page of cards each."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date

from retention.case import Case
from retention.checklist import (
    BENEFICIARY_NOTICE_DAYS,
    Deadline,
    beneficiary_notice_by,
    checklist,
    deadline,
    progress,
)
from retention.choices import STATUS_OPEN
from retention.search import CaseQuery

OPEN, AWAITING, RECENT, OLDER = "andamento", "assinatura", "encerrados", "anteriores"
ON_THE_BOARD = (OPEN, AWAITING, RECENT)  # OLDER is behind a link
CARDS_PER_LANE = 20  # on the board; "ver todos" shows a lane alone, LANE_PAGE cards a page
LANE_PAGE = 100


@dataclass(frozen=True)
class Card:
    """What a case's card on the board says besides the case itself."""

    progress: str
    deadline: Deadline | None
    changed: bool  # people changed the case in the sheet lately
    beneficiary_notice: date | None  # Desligamento: tell the beneficiaries by this day


@dataclass(frozen=True)
class Lane:
    """One lane: how many cases it holds and the page of them shown, in its order."""

    key: str
    count: int
    cases: list[Case]
    page: int
    pages: int
    overdue: int = 0  # open cases past the SLA (only Em andamento has any)

    @property
    def more(self) -> bool:
        """Whether the lane holds more cases than it shows."""
        return self.count > len(self.cases)


@dataclass(frozen=True)
class Board:
    """The board for one query: what its page shows."""

    lanes: list[Lane]  # ON_THE_BOARD, or the one lane asked for
    older: int  # closed cases past the last ``closed_days``, behind a link
    cards: dict[str, Card]  # by case ID, for the cases shown
    analysts: list[str]  # the filters' options, from every case
    operators: list[str]


@dataclass(frozen=True)
class BoardRules:
    """The settings the board is drawn with."""

    today: date
    sla_days: int
    closed_days: int  # closed cases show for this many days after Data final
    # Desligamento: beneficiaries are told this many days before its notice ends
    beneficiary_days: int = BENEFICIARY_NOTICE_DAYS


def lane_of(case: Case, rules: BoardRules) -> str:
    """Which lane ``case`` goes in: open, awaiting sign-off, closed lately, or closed before."""
    if case.status == STATUS_OPEN:
        return OPEN
    if not case.supervisor_signature:
        return AWAITING
    closed_on = case.end_date or case.signed_on
    recent = closed_on is not None and (rules.today - closed_on).days <= rules.closed_days
    return RECENT if recent else OLDER


def build_board(
    every_case: Sequence[Case],
    query: CaseQuery,
    rules: BoardRules,
    changed_ids: Collection[str],
    lane: str | None = None,
    page: int = 1,
) -> Board:
    """The board of the cases ``query`` picks: every lane on it, or ``lane`` alone at ``page``.

    One pass over every case (at 10.000 cases each pass counts); only shown lanes are sorted.
    """
    by_lane: dict[str, list[Case]] = {key: [] for key in (*ON_THE_BOARD, OLDER)}
    analysts, operators = set(), set()
    picks = query.matches if query != CaseQuery() else None
    for case in every_case:
        analysts.add(case.analyst)
        operators.add(case.operator)
        if picks is None or picks(case):
            by_lane[lane_of(case, rules)].append(case)
    shown = [lane] if lane in by_lane else list(ON_THE_BOARD)
    size = LANE_PAGE if lane in by_lane else CARDS_PER_LANE
    lanes = [_lane(key, by_lane[key], rules, size, page) for key in shown]
    cards = {
        case.case_id: Card(
            progress(checklist(case)),
            deadline(case, rules.today, rules.sla_days),
            case.case_id in changed_ids,
            beneficiary_notice_by(case, rules.beneficiary_days),
        )
        for one in lanes
        for case in one.cases
    }
    return Board(
        lanes=lanes,
        older=len(by_lane[OLDER]),
        cards=cards,
        analysts=sorted(analysts - {""}),
        operators=sorted(operators - {""}),
    )


def _lane(key: str, cases: list[Case], rules: BoardRules, size: int, page: int) -> Lane:
    """The lane ``key`` in its order, cut to page ``page`` of ``size`` cards."""
    order = _ORDER[key](rules)
    keys = [order(case) for case in cases]
    pages = max(1, -(-len(cases) // size))
    page = min(max(1, page), pages)
    ranked = sorted(range(len(cases)), key=keys.__getitem__)[(page - 1) * size : page * size]
    overdue = sum(1 for k in keys if k[0] is False) if key == OPEN else 0
    return Lane(key, len(cases), [cases[i] for i in ranked], page, pages, overdue)


def _open_order(rules: BoardRules) -> Callable[[Case], tuple]:
    """Overdue first, then the rest; each the longest open first, cases with no date last."""
    today = rules.today.toordinal()

    def key(case: Case) -> tuple:
        opened = case.protocol_date
        days = -1 if opened is None else today - opened.toordinal()
        return (days <= rules.sla_days, -days, case.case_id)

    return key


def _waiting_order(_rules: BoardRules) -> Callable[[Case], tuple]:
    """Waiting longest first: the earliest Data final first."""
    return lambda case: (case.end_date or date.max, case.case_id)


def _closed_order(_rules: BoardRules) -> Callable[[Case], tuple]:
    """The latest closed first."""
    return lambda case: (-(case.end_date or case.signed_on or date.min).toordinal(), case.case_id)


_ORDER = {OPEN: _open_order, AWAITING: _waiting_order, RECENT: _closed_order, OLDER: _closed_order}
