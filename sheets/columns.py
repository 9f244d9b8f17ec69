"""The case sheet's columns: the single source of truth for headers, cell kinds and choices.

Header creation, row encoding and decoding, the sheet's validation and the exports all read
``COLUMNS``. Multi-choice cells (Áreas divulgadas, Motivo desligamento) join their options
with ``MULTI_SEPARATOR``.
"""

from dataclasses import dataclass
from enum import Enum

from retention.case import CONTACT_SLOTS, Case
from retention.choices import (
    ACTIONS,
    AREAS,
    CHANNELS,
    OTHER,
    PERSON_TYPES,
    REASONS,
    REQUESTED_BY,
    SECTORS,
    STATUSES,
    UFS,
    YES_NO,
)

MULTI_SEPARATOR = "; "
CELL_TEXT_LIMIT = 32_767  # Excel's cap per cell; Google Sheets allows 50,000


class Kind(Enum):
    """How a column's value is stored in a cell."""

    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    INT = "int"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"


class Owner(Enum):
    """Who writes a column: the form, a computation over the case, or the case book."""

    FORM = "form"
    DERIVED = "derived"
    BOOK = "book"


NUMBER_FORMATS: dict[Kind, str] = {
    Kind.TEXT: "@",
    Kind.CHOICE: "@",
    Kind.MULTI: "@",
    Kind.INT: "#,##0",
    Kind.DECIMAL: "#,##0.00##",
    Kind.MONEY: '"R$" #,##0.00',
    Kind.DATE: "dd/mm/yyyy",
    Kind.DATETIME: "dd/mm/yyyy hh:mm",
    Kind.BOOL: "General",
}


@dataclass(frozen=True)
class Column:
    """One column: its header text and where its value lives in a ``Case``.

    ``member`` picks an item of a collection field: a contact's index (with ``part`` naming
    the Contact attribute), an action or area whose presence is a checkbox, or an area whose
    count is a number.
    """

    header: str
    field: str
    kind: Kind = Kind.TEXT
    choices: tuple[str, ...] = ()
    member: str | int | None = None
    part: str = ""
    owner: Owner = Owner.FORM

    @property
    def number_format(self) -> str:
        """The cell format that shows this column's values the pt-BR way."""
        return NUMBER_FORMATS[self.kind]

    def value_of(self, case: Case) -> object:
        """This column's value in ``case``, as a Python value."""
        value = getattr(case, self.field)
        if self.part:
            return getattr(value[self.member], self.part)
        if self.member is None:
            return value
        if self.kind is Kind.BOOL:
            return self.member in value
        return value.get(self.member)


def _contact_columns(number: int) -> tuple[Column, ...]:
    index = number - 1
    prefix = f"{number}º contato"
    return (
        Column(f"{prefix} - Data", "contacts", Kind.DATE, member=index, part="day"),
        Column(f"{prefix} - Canal", "contacts", Kind.CHOICE, CHANNELS, index, "channel"),
        Column(f"{prefix} - Obs.", "contacts", member=index, part="notes"),
    )


def _action_header(action: str) -> str:
    return "Ação Retenção - Outros" if action == OTHER else action


ID_HEADER = "ID do caso"
KEY_HEADER = "Chave de gravação"

COLUMNS: tuple[Column, ...] = (
    Column(ID_HEADER, "case_id", owner=Owner.BOOK),
    Column("Status retenção", "status", Kind.CHOICE, STATUSES),
    Column("Colaborador", "analyst"),
    Column("Data", "form_date", Kind.DATE),
    Column("Qtd CRO(s)", "cro_count", Kind.INT),
    Column("Operadora", "operator"),
    Column("CRO", "cro"),
    Column("UF do CRO", "cro_uf", Kind.CHOICE, UFS),
    Column("Nome dentista", "dentist_name"),
    Column("CNPJ", "cnpj"),
    Column("CPF", "cpf"),
    Column("Data inclusão", "inclusion_date", Kind.DATE),
    Column("Tipo", "person_type", Kind.CHOICE, tuple(PERSON_TYPES)),
    Column("Demandado por", "requested_by", Kind.CHOICE, REQUESTED_BY),
    Column("Nº do protocolo", "protocol"),
    Column("Dt. abertura protocolo", "protocol_date", Kind.DATE),
    Column("UF", "uf", Kind.CHOICE, UFS),
    Column("Cidade", "city"),
    Column("Nº de vidas", "lives", Kind.INT),
    Column("Nº CRO(s) únicos divulgados", "unique_cros", Kind.INT),
    Column("Atende outros convênios", "other_plans", Kind.CHOICE, YES_NO),
    Column("Quais convênios", "other_plans_which"),
    Column("Moeda", "currency_value", Kind.DECIMAL),
    Column("Última produção", "last_production", Kind.DATE),
    Column("Valor última produção", "last_production_value", Kind.MONEY),
    Column("Data início", "start_date", Kind.DATE),
    Column("Data final", "end_date", Kind.DATE),
    Column("Tempo finalização (dias)", "completion_days", Kind.INT, owner=Owner.DERIVED),
    *(col for n in range(1, CONTACT_SLOTS + 1) for col in _contact_columns(n)),
    Column("Áreas divulgadas", "areas", Kind.MULTI, AREAS),
    *(
        Column(f"Qtd dentistas - {area}", "dentists_per_area", Kind.INT, member=area)
        for area in AREAS
    ),
    *(Column(_action_header(action), "actions", Kind.BOOL, member=action) for action in ACTIONS),
    Column("Obs. Ação Retenção", "actions_note"),
    Column("Motivo desligamento", "reasons", Kind.MULTI, REASONS),
    Column("Obs. Motivo desligamento", "reasons_note"),
    Column("Evidenciado com prints no protocolo", "prints_in_protocol", Kind.BOOL),
    Column("Buscado contato nas redes concorrentes", "competitor_search", Kind.BOOL),
    Column("Necessário abertura de protocolo", "protocol_needed", Kind.CHOICE, YES_NO),
    Column("Setor responsável", "responsible_sector", Kind.CHOICE, SECTORS),
    Column("Mensagem final - Data", "final_message_at", Kind.DATETIME),
    Column("Mensagem final - De", "final_message_from"),
    Column("Mensagem final - Texto", "final_message_text"),
    Column("Obs. Geral", "general_notes"),
    Column("Assinatura colaborador", "analyst_signature"),
    Column("Supervisor", "supervisor"),
    Column("Assinatura supervisor", "supervisor_signature"),
    Column("Data assinatura supervisor", "signed_on", Kind.DATE),
    Column("Comentário assinatura supervisor", "sign_off_comment"),
    Column("Criado em", "created_at", Kind.DATETIME, owner=Owner.BOOK),
    Column("Atualizado em", "updated_at", Kind.DATETIME, owner=Owner.BOOK),
    Column("Atualizado por", "updated_by", owner=Owner.BOOK),
    Column(KEY_HEADER, "write_key", owner=Owner.BOOK),
)

HEADERS: tuple[str, ...] = tuple(col.header for col in COLUMNS)
BY_HEADER: dict[str, Column] = {col.header: col for col in COLUMNS}
FORM_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.owner is Owner.FORM)

assert len(BY_HEADER) == len(COLUMNS), "column headers must be unique"
