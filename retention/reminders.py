"""The daily digest of reminders: which cases need someone's attention today, and whose they are."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from retention.case import Case
from retention.checklist import Deadline, beneficiary_notice_by, deadline, notice_ends


@dataclass(frozen=True)
class BeneficiaryNotice:
    """A case ending in Desligamento whose beneficiaries must be told of the substitution."""

    case: Case
    by: date
    days_left: int  # negative once the day has passed


@dataclass(frozen=True)
class Digest:
    """What one day's reminder lists, each list in the order it is read."""

    day: date
    overdue: list[tuple[Case, Deadline]]  # open past the SLA, longest open first
    notices_ending: list[tuple[Case, Deadline]]  # open, contractual notice ends within the window
    awaiting_sign_off: list[Case]  # closed and not signed yet
    beneficiary_notices: list[BeneficiaryNotice]  # soonest first

    def is_empty(self) -> bool:
        """Whether nothing needs attention."""
        return self.count() == 0

    def count(self) -> int:
        """How many cases the digest names (a case may be in more than one list)."""
        return len(
            {case.case_id for case, _ in self.overdue}
            | {case.case_id for case, _ in self.notices_ending}
            | {case.case_id for case in self.awaiting_sign_off}
            | {notice.case.case_id for notice in self.beneficiary_notices}
        )

    def of_analyst(self, name: str) -> "Digest":
        """The part of the digest about the cases whose Colaborador is ``name``."""

        def mine(case: Case) -> bool:
            return _folded(case.analyst) == _folded(name)

        return Digest(
            day=self.day,
            overdue=[(c, d) for c, d in self.overdue if mine(c)],
            notices_ending=[(c, d) for c, d in self.notices_ending if mine(c)],
            awaiting_sign_off=[c for c in self.awaiting_sign_off if mine(c)],
            beneficiary_notices=[n for n in self.beneficiary_notices if mine(n.case)],
        )


def build_digest(
    cases: Sequence[Case], today: date, sla_days: int, window_days: int, beneficiary_days: int
) -> Digest:
    """The team's digest on ``today``: notices and beneficiaries' notices count when due
    within ``window_days``; a beneficiaries' notice stays until the contract ends."""
    horizon = today + timedelta(days=window_days)
    deadlines = [(case, deadline(case, today, sla_days)) for case in cases]
    due = [(case, d) for case, d in deadlines if d is not None]
    notices = []
    for case in cases:
        by = beneficiary_notice_by(case, beneficiary_days)
        ends = notice_ends(case)
        if by is not None and ends is not None and by <= horizon and ends >= today:
            notices.append(BeneficiaryNotice(case, by, (by - today).days))
    return Digest(
        day=today,
        overdue=sorted(
            ((c, d) for c, d in due if d.overdue_by), key=lambda item: -item[1].days_open
        ),
        notices_ending=sorted(
            ((c, d) for c, d in due if 0 <= d.notice_days_left <= window_days),
            key=lambda item: item[1].notice_days_left,
        ),
        awaiting_sign_off=sorted((c for c in cases if c.awaits_sign_off), key=lambda c: c.case_id),
        beneficiary_notices=sorted(notices, key=lambda n: (n.by, n.case.case_id)),
    )


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()
