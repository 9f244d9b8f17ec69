"""The "Formulário - Processo de Retenção" as a web form."""

import json
from collections.abc import Mapping
from dataclasses import fields as dataclass_fields
from datetime import date
from types import MappingProxyType
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Optional, Regexp

from forms.fields import (
    DateField,
    DateTimeField,
    DecimalField,
    DocumentField,
    IntegerField,
    MultiCheckboxField,
    NotNegative,
    notes_field,
    select_field,
    text_field,
)
from retention import documents
from retention.case import CONTACT_SLOTS, Case, Contact
from retention.choices import (
    ACTIONS,
    AREAS,
    CHANNELS,
    OTHER,
    PERSON_TYPES,
    REASONS,
    REQUESTED_BY,
    SECTORS,
    STATUS_OPEN,
    STATUSES,
    UFS,
    YES,
    YES_NO,
    with_extras,
)


def _options(values, blank: str = "Selecione") -> list[SelectChoice]:
    """A dropdown's options: a blank one first, then ``values`` (strings or value/label pairs)."""
    pairs = (v if isinstance(v, tuple) else (v, v) for v in values)
    return [SelectChoice("", blank), *(SelectChoice(value, label) for value, label in pairs)]


class PtBrMeta:
    """Built-in WTForms messages in Portuguese."""

    locales = ("pt_BR", "pt")


class PtBrForm(FlaskForm):
    """Base of the submitted forms (CSRF-protected, messages in Portuguese)."""

    Meta = PtBrMeta


class ContactForm(Form):
    """One numbered contact attempt."""

    Meta = PtBrMeta

    day = DateField("Data")
    channel = select_field("Canal", _options(CHANNELS, "—"))
    notes = notes_field("Obs.")
    # Never stored: its buttons (forms/whatsapp_paste.py) move the chat into the notes.
    whatsapp = TextAreaField("Conversa copiada do WhatsApp")

    def validate_whatsapp(self, field: TextAreaField) -> None:
        """A pasted chat left in the paste area would be lost on saving."""
        if (field.data or "").strip():
            raise ValidationError(
                "Esta conversa ainda não foi para as Obs.: clique em “Ler conversa” e depois em"
                " “Usar esta conversa”, ou em “Descartar”."
            )


class AreaCountsForm(Form):
    """Quantidade de dentistas por área: one number per specialty."""

    Meta = PtBrMeta


for _index, _area in enumerate(AREAS):
    setattr(AreaCountsForm, f"area_{_index}", IntegerField(_area, [NotNegative()]))


class CaseForm(PtBrForm):
    """Every field of the paper form; field names are the Case's attribute names."""

    analyst = text_field("Colaborador", DataRequired("Informe o colaborador."))
    form_date = DateField("Data")
    cro_count = IntegerField("Qtd CRO(s)", [NotNegative()])

    operator = text_field("Operadora")
    cro = text_field(
        "CRO",
        DataRequired("Informe o CRO."),
        Regexp(r"^\d+$", message="CRO deve ter apenas números."),
    )
    cro_uf = select_field("UF do CRO", _options(UFS), DataRequired("Informe a UF do CRO."))
    dentist_name = text_field("Nome dentista", DataRequired("Informe o nome do dentista."))
    cnpj = DocumentField("CNPJ", formatter=documents.format_cnpj)
    cpf = DocumentField("CPF", formatter=documents.format_cpf)
    inclusion_date = DateField("Data inclusão")
    person_type = select_field(
        "Tipo",
        _options(PERSON_TYPES.items()),
        DataRequired("Informe o tipo: F (pessoa física) ou J (pessoa jurídica)."),
    )
    requested_by = select_field("Demandado por?", _options(REQUESTED_BY))
    protocol = text_field("Nº do protocolo")
    protocol_date = DateField("Dt. abertura protocolo")
    uf = select_field("UF", _options(UFS))
    city = text_field("Cidade")
    lives = IntegerField("Nº de vidas", [NotNegative()])
    unique_cros = IntegerField("Nº CRO(s) únicos divulgados", [NotNegative()])
    other_plans = RadioField("Atende outros convênios", [Optional()], choices=YES_NO)
    other_plans_which = text_field("Quais?")
    currency_value = DecimalField("Moeda", [NotNegative()])
    last_production = DateField("Última produção")
    last_production_value = DecimalField("Valor última produção", [NotNegative()])
    start_date = DateField("Data início")
    end_date = DateField("Data final")

    status = RadioField("Status retenção", choices=STATUSES, default=STATUS_OPEN)
    contacts = FieldList(
        FormField(ContactForm), "contato", min_entries=CONTACT_SLOTS, max_entries=CONTACT_SLOTS
    )

    areas = MultiCheckboxField("Áreas divulgadas", choices=AREAS)
    area_counts = FormField(AreaCountsForm, "Quantidade de dentistas por área")
    actions = MultiCheckboxField("Ação Retenção", choices=ACTIONS)
    actions_note = notes_field("Obs. Ação Retenção")
    reasons = MultiCheckboxField("Motivo desligamento", choices=REASONS)
    reasons_note = notes_field("Obs. Motivo desligamento")

    prints_in_protocol = BooleanField("Foi evidenciado com prints no protocolo")
    competitor_search = BooleanField("Buscado contato nas redes concorrentes")
    protocol_needed = RadioField("Necessário abertura de protocolo", [Optional()], choices=YES_NO)
    responsible_sector = select_field("Setor responsável", _options(SECTORS))
    final_message_at = DateTimeField("Data")
    final_message_from = text_field("De")
    final_message_text = notes_field("Mensagem")
    general_notes = notes_field("Obs. Geral")
    analyst_signature = text_field("Assinatura colaborador")
    supervisor = text_field("Supervisor")

    def validate_cpf(self, field: DocumentField) -> None:
        """Check digits when given; required for Tipo F."""
        if field.data and not documents.is_valid_cpf(field.data):
            raise ValidationError("CPF inválido: confira os dígitos.")
        if not field.data and self.person_type.data == "F":
            raise ValidationError("Tipo F (pessoa física) exige o CPF.")

    def validate_cnpj(self, field: DocumentField) -> None:
        """Check digits when given; required for Tipo J."""
        if field.data and not documents.is_valid_cnpj(field.data):
            raise ValidationError("CNPJ inválido: confira os dígitos.")
        if not field.data and self.person_type.data == "J":
            raise ValidationError("Tipo J (pessoa jurídica) exige o CNPJ.")

    def validate_other_plans_which(self, field) -> None:
        """Quais is required when the dentist serves other plans."""
        if self.other_plans.data == YES and not field.data:
            raise ValidationError("Informe quais convênios o dentista atende.")

    def validate_end_date(self, field: DateField) -> None:
        """Not before Data início; required to close the case."""
        start: date | None = self.start_date.data
        end: date | None = field.data
        if end and start and end < start:
            raise ValidationError("A Data final não pode ser anterior à Data início.")
        if not field.data and self.status.data not in (None, STATUS_OPEN):
            raise ValidationError(
                f"Para encerrar o caso como “{self.status.data}”, informe a Data final."
            )

    def validate_actions_note(self, field) -> None:
        """ "Outros" in Ação Retenção needs a justification."""
        if OTHER in (self.actions.data or ()) and not field.data:
            raise ValidationError("Obrigatório justificar quando “Outros” é selecionado.")

    def validate_reasons_note(self, field) -> None:
        """ "Outros" in Motivo desligamento needs a justification."""
        if OTHER in (self.reasons.data or ()) and not field.data:
            raise ValidationError("Obrigatório justificar quando “Outros” é selecionado.")

    def to_case(self) -> Case:
        """The validated input as a Case (no ID or bookkeeping yet); blanks take defaults."""
        scalars: dict[str, Any] = {
            f.name: f.default if self[f.name].data is None else self[f.name].data
            for f in dataclass_fields(Case)
            if f.name in self._fields and f.name not in _COLLECTIONS
        }
        counts = (self.area_counts[f"area_{i}"].data for i in range(len(AREAS)))
        return Case(
            **scalars,
            contacts=tuple(
                Contact(entry.day.data, entry.channel.data or "", entry.notes.data)
                for entry in self.contacts
            ),
            areas=frozenset(self.areas.data),
            dentists_per_area=MappingProxyType(
                {area: n for area, n in zip(AREAS, counts, strict=True) if n is not None}
            ),
            actions=frozenset(self.actions.data),
            reasons=frozenset(self.reasons.data),
        )

    @classmethod
    def from_case(cls, case: Case, **kwargs) -> "CaseForm":
        """A form holding ``case``; posted data, when there is any, takes precedence."""
        counts = {f"area_{i}": case.dentists_per_area.get(a) for i, a in enumerate(AREAS)}
        form = cls(obj=case, area_counts=counts, **kwargs)
        # Options a person typed into the sheet stay visible and ticked.
        form.areas.choices = with_extras(AREAS, case.areas)
        form.reasons.choices = with_extras(REASONS, case.reasons)
        return form


class EditCaseForm(CaseForm):
    """The case form for an existing case, with the row as it was loaded."""

    # A conflict's radios: named RESOLVE_PREFIX + header, valued MINE or THEIRS (the sheet's).
    RESOLVE_PREFIX, MINE, THEIRS = "resolver:", "minha", "planilha"

    base = HiddenField()

    @classmethod
    def resolve_name(cls, header: str) -> str:
        """The name of the radios that settle a conflict on ``header``."""
        return cls.RESOLVE_PREFIX + header

    @classmethod
    def kept_from_sheet(cls, posted: Mapping[str, str]) -> list[str]:
        """The conflicting fields for which the user chose the sheet's version."""
        prefix = cls.RESOLVE_PREFIX
        return [
            key[len(prefix) :]
            for key, value in posted.items()
            if key.startswith(prefix) and value == cls.THEIRS
        ]

    def remember(self, base: Mapping[str, str]) -> None:
        """Keep in the page what each field held when the form was loaded (``base``)."""
        self.base.data = json.dumps(base)

    def loaded_fingerprint(self) -> dict[str, str]:
        """What each field held when the form was loaded (empty if the page sent nothing)."""
        try:
            base = json.loads(self.base.data or "{}")
        except ValueError:
            return {}
        return base if isinstance(base, dict) else {}


_COLLECTIONS = {"contacts", "areas", "area_counts", "actions", "reasons"}
