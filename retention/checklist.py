"""The process checklist and the deadlines of a case, derived from its fields."""

from dataclasses import dataclass
from datetime import date, timedelta

from retention.case import Case
from retention.choices import STATUS_DISMISSED

CONTACT_LOST = "Perda de Contato"
NOTICE_DAYS = 60  # the contract's notice before a provider stops serving patients
# Lei 9.656/98 art. 17 §1: beneficiaries are told of a dentist's substitution 30 days ahead
BENEFICIARY_NOTICE_DAYS = 30
SIGNED_STEP = "Assinado pelo supervisor"


@dataclass(frozen=True)
class Item:
    """One step of the retention process and whether the case shows it done."""

    label: str
    done: bool


def checklist(case: Case) -> list[Item]:
    """The eight steps a supervisor checks before signing a case."""
    contacts = len(case.logged_contacts)
    return [
        Item("1º contato registrado", not case.contacts[0].is_empty()),
        Item(
            "Ao menos 2 contatos (ou perda de contato)",
            contacts >= 2 or CONTACT_LOST in case.reasons,
        ),
        Item("Ofertas de retenção registradas", bool(case.actions)),
        Item("Motivo do desligamento registrado", bool(case.reasons)),
        Item("Prints no protocolo", case.prints_in_protocol),
        Item("Contato buscado nas redes concorrentes", case.competitor_search),
        Item("Data final preenchida", case.end_date is not None),
        Item(SIGNED_STEP, case.is_signed),
    ]


def missing_before_sign_off(case: Case) -> list[Item]:
    """The steps not done besides the signature itself: what signing "mesmo assim" skips."""
    return [item for item in checklist(case) if not item.done and item.label != SIGNED_STEP]


def progress(items: list[Item]) -> str:
    """``5/8``: steps done out of all."""
    return f"{sum(item.done for item in items)}/{len(items)}"


@dataclass(frozen=True)
class Deadline:
    """How long an open case has run since its protocol was opened, against the SLA."""

    days_open: int
    overdue_by: int
    notice_ends: date
    notice_days_left: int


def days_open(case: Case, today: date) -> int | None:
    """Days since Dt. abertura protocolo while the case is open; None once closed or undated."""
    if not case.is_open or case.protocol_date is None:
        return None
    return (today - case.protocol_date).days


def deadline(case: Case, today: date, sla_days: int) -> Deadline | None:
    """The open case's deadline from Dt. abertura protocolo; None if closed or without a date."""
    days = days_open(case, today)
    ends = notice_ends(case)
    if days is None or ends is None:
        return None
    return Deadline(
        days_open=days,
        overdue_by=max(0, days - sla_days),
        notice_ends=ends,
        notice_days_left=(ends - today).days,
    )


def notice_ends(case: Case) -> date | None:
    """The day the contractual notice ends: NOTICE_DAYS after Dt. abertura protocolo."""
    if case.protocol_date is None:
        return None
    return case.protocol_date + timedelta(days=NOTICE_DAYS)


def beneficiary_notice_by(case: Case, days: int = BENEFICIARY_NOTICE_DAYS) -> date | None:
    """The day by which beneficiaries must be told of the substitution: ``days`` before the
    contractual notice ends; None unless the case ends in Desligamento."""
    ends = notice_ends(case)
    if case.status != STATUS_DISMISSED or ends is None:
        return None
    return ends - timedelta(days=days)
