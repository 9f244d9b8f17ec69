"""The retention case: one filled-in "Formulário - Processo de Retenção"."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from retention.choices import STATUS_OPEN

CONTACT_SLOTS = 8
SIGN_OFF_FIELDS = ("supervisor_signature", "signed_on", "sign_off_comment")
_CASE_ID = re.compile(r"RET-(\d{4})-(\d+)")


def case_id_for(year: int, number: int) -> str:
    """The case ID of the ``number``-th case of ``year``: ``RET-2025-0001``."""
    return f"RET-{year}-{number:04d}"


def case_number(case_id: str, year: int) -> int | None:
    """The number of a case ID of ``year`` (``RET-2025-0012`` -> 12), None for other IDs."""
    match = _CASE_ID.fullmatch(case_id)
    return int(match.group(2)) if match and int(match.group(1)) == year else None


@dataclass(frozen=True)
class Contact:
    """One contact attempt (1º contato, 2º contato, ...)."""

    day: date | None = None
    channel: str = ""
    notes: str = ""

    def is_empty(self) -> bool:
        """Whether nothing was recorded for this attempt."""
        return self.day is None and not self.channel and not self.notes


def _empty_contacts() -> tuple[Contact, ...]:
    return tuple(Contact() for _ in range(CONTACT_SLOTS))


@dataclass(frozen=True)
class Case:
    """Every field of the paper form, plus the case ID and who touched it when."""

    case_id: str = ""
    # Header: Colaborador, Data, Qtd CRO(s)
    analyst: str = ""
    form_date: date | None = None
    cro_count: int | None = None
    # Dentist
    operator: str = ""
    cro: str = ""
    cro_uf: str = ""
    dentist_name: str = ""
    cnpj: str = ""
    cpf: str = ""
    inclusion_date: date | None = None
    person_type: str = ""
    requested_by: str = ""
    protocol: str = ""
    protocol_date: date | None = None
    uf: str = ""
    city: str = ""
    lives: int | None = None
    unique_cros: int | None = None
    other_plans: str = ""
    other_plans_which: str = ""
    currency_value: Decimal | None = None
    last_production: date | None = None
    last_production_value: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str = STATUS_OPEN
    contacts: tuple[Contact, ...] = field(default_factory=_empty_contacts)
    areas: frozenset[str] = frozenset()
    dentists_per_area: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    actions: frozenset[str] = frozenset()
    actions_note: str = ""
    reasons: frozenset[str] = frozenset()
    reasons_note: str = ""
    prints_in_protocol: bool = False
    competitor_search: bool = False
    protocol_needed: str = ""
    responsible_sector: str = ""
    final_message_at: datetime | None = None
    final_message_from: str = ""
    final_message_text: str = ""
    general_notes: str = ""
    analyst_signature: str = ""
    supervisor: str = ""
    # Sign-off (SIGN_OFF_FIELDS): set by a supervisor on a closed case, never by the form
    supervisor_signature: str = ""
    signed_on: date | None = None
    sign_off_comment: str = ""
    # Bookkeeping, set by the case book
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str = ""
    write_key: str = ""  # unique to the save that created the row: a retried save knows its own

    @property
    def completion_days(self) -> int | None:
        """Tempo finalização: days from Data início to Data final."""
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).days

    @property
    def is_signed(self) -> bool:
        """Whether a supervisor signed the case off (which locks it for analysts)."""
        return bool(self.supervisor_signature)

    def unsigned(self) -> "Case":
        """The case without its supervisor's sign-off."""
        return replace(self, supervisor_signature="", signed_on=None, sign_off_comment="")

    @property
    def awaits_sign_off(self) -> bool:
        """Closed but not signed yet: analysts may still correct it (Aguardando assinatura)."""
        return not self.is_open and not self.is_signed

    @property
    def is_open(self) -> bool:
        """Whether the case is still Em andamento."""
        return self.status == STATUS_OPEN

    @property
    def logged_contacts(self) -> list[tuple[int, Contact]]:
        """The contact attempts that hold anything, numbered from 1 as on the paper."""
        return [(n, c) for n, c in enumerate(self.contacts, start=1) if not c.is_empty()]
