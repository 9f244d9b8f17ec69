"""The team's board: the cases a query picks, by status, with checklist, deadline and overdue."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from retention.case import Case
from retention.checklist import Deadline, beneficiary_notice_by, checklist, deadline, progress
from retention.choices import STATUSES, operators_in
from retention.search import CaseQuery


@dataclass(frozen=True)
class Card:
    """What a case's card on the board says besides the case itself."""

    progress: str
    deadline: Deadline | None
    changed: bool  # people changed the case in the sheet lately
    beneficiary_notice: date | None  # Desligamento: tell the beneficiaries by this day


@dataclass(frozen=True)
class Board:
    """The board for one query: what its page shows."""

    columns: dict[str, list[Case]]  # the picked cases by status, in STATUSES order
    cards: dict[str, Card]  # by case ID
    overdue: list[Case]  # open cases past the SLA, longest open first
    analysts: list[str]  # the filters' options, from every case
    operators: list[str]


def build_board(
    every_case: Sequence[Case],
    query: CaseQuery,
    today: date,
    sla_days: int,
    changed_ids: Collection[str],
    beneficiary_days: int,
) -> Board:
    """The board of the cases ``query`` picks, on ``today``, against an SLA of ``sla_days``;
    beneficiaries are told ``beneficiary_days`` before a Desligamento's notice ends."""
    cases = [case for case in every_case if query.matches(case)]
    deadlines = {case.case_id: deadline(case, today, sla_days) for case in cases}
    cards = {
        case.case_id: Card(
            progress(checklist(case)),
            deadlines[case.case_id],
            case.case_id in changed_ids,
            beneficiary_notice_by(case, beneficiary_days),
        )
        for case in cases
    }
    late = {case_id: due for case_id, due in deadlines.items() if due and due.overdue_by}
    overdue = sorted(
        (c for c in cases if c.case_id in late),
        key=lambda c: late[c.case_id].days_open,
        reverse=True,
    )
    return Board(
        columns={status: [c for c in cases if c.status == status] for status in STATUSES},
        cards=cards,
        overdue=overdue,
        analysts=sorted({c.analyst for c in every_case if c.analyst}),
        operators=operators_in(every_case),
    )
