"""A WhatsApp chat pasted into a contact of the case form: read, shown, then used, without JS.

Each contact has a paste area and a "Ler conversa" button that posts the whole form back with
``ler_whatsapp=<slot>``. Such a post saves nothing and shows no error for the rest of the form:
everything typed (the edit page's conflict base included) comes back as it was, and the
contact shows the messages read for the user to confirm. "Usar esta conversa"
(``usar_whatsapp``) then appends the chat to the contact's notes and, where the user left them
blank, sets the contact's date and picks the channel WhatsApp; "Descartar"
(``descartar_whatsapp``) empties the paste area.

A contact's date is the day the attempt was made, as on the paper form (the first seed's
contacts are dated by the message sent, the replies come days later): the day of the chat's
first message.
"""

from dataclasses import dataclass
from datetime import date
from http import HTTPStatus

from flask import request

from forms.case_form import CaseForm
from forms.fields import DateField, clean_text
from retention import ptbr
from retention.whatsapp import Transcript, parse
from sheets.columns import CELL_TEXT_LIMIT

READ, USE, DISCARD = "ler_whatsapp", "usar_whatsapp", "descartar_whatsapp"
WHATSAPP = "WhatsApp"


@dataclass(frozen=True)
class Plan:
    """What "Usar esta conversa" does to one contact."""

    transcript: Transcript
    notes: str  # the contact's notes afterwards: what was there, then the chat
    day: date | None  # the contact's new date; None keeps the one it has
    channel: str  # the contact's new channel; "" keeps the one it has
    appends: bool  # whether the notes already held text

    @property
    def fits(self) -> bool:
        """Whether the notes still fit one cell of the sheet."""
        return len(self.notes) <= CELL_TEXT_LIMIT


@dataclass(frozen=True)
class PasteStep:
    """The answer to a WhatsApp button: the contact it was for and what to show there."""

    slot: int | None  # index of the contact; None for a post the page never sends
    status: int
    plan: Plan | None = None  # shown for confirmation
    notice: str = ""


def paste_step(form: CaseForm) -> PasteStep | None:
    """Act on the WhatsApp button the post pressed, if any; None for any other request."""
    action = next((name for name in (READ, USE, DISCARD) if name in request.form), None)
    if request.method != "POST" or action is None:
        return None
    slot = _slot(form, request.form[action])
    if slot is None or ("csrf_token" in form and not form["csrf_token"].validate(form)):
        return PasteStep(None, HTTPStatus.BAD_REQUEST)
    entry = form.contacts[slot]
    if action == DISCARD:
        entry.whatsapp.data = ""
        return PasteStep(slot, 200, notice="Conversa colada descartada.")
    if not (entry.whatsapp.data or "").strip():
        entry.whatsapp.errors = ["Cole aqui a conversa do WhatsApp e clique em “Ler conversa”."]
        return PasteStep(slot, HTTPStatus.UNPROCESSABLE_ENTITY)
    plan = plan_for(entry)
    if not plan.fits:
        entry.whatsapp.errors = [_overflow(plan)]
        return PasteStep(slot, HTTPStatus.UNPROCESSABLE_ENTITY, plan)
    if action == READ:
        return PasteStep(slot, 200, plan)
    _use(entry, plan)
    return PasteStep(slot, 200, notice=_used(slot, plan))


def plan_for(entry) -> Plan:
    """What using the chat pasted into the contact ``entry`` would do to it."""
    transcript = parse(entry.whatsapp.data or "")
    chat = clean_text(transcript.as_notes())
    before = entry.notes.data or ""
    return Plan(
        transcript,
        notes=f"{before}\n{chat}" if before else chat,
        day=transcript.first_day if _blank_date(entry.day) else None,
        channel=WHATSAPP if transcript.messages and not entry.channel.data else "",
        appends=bool(before),
    )


def _slot(form: CaseForm, value: str) -> int | None:
    """The contact index a button sent, if the form has such a contact."""
    return int(value) if value.isdigit() and int(value) < len(form.contacts) else None


def _blank_date(field: DateField) -> bool:
    """Whether the user left the date empty (a mistyped date is not empty)."""
    return field.data is None and field.blank(field._value())


def _use(entry, plan: Plan) -> None:
    """Put the chat into the contact's fields, as if the user had typed it there."""
    entry.notes.data = plan.notes
    if plan.day is not None:
        entry.day.data = plan.day
        entry.day.raw_data = [ptbr.format_date(plan.day)]
    if plan.channel:
        entry.channel.data = plan.channel
    entry.whatsapp.data = ""


def _used(slot: int, plan: Plan) -> str:
    """What the page says once the chat went into the contact."""
    count = len(plan.transcript.messages)
    read = f"{ptbr.format_int(count)} mensage{'m' if count == 1 else 'ns'}" if count else "texto"
    return (
        f"Conversa ({read}) colocada nas Obs. do {slot + 1}º contato. Nada foi gravado ainda:"
        " confira e clique em Salvar."
    )


def _overflow(plan: Plan) -> str:
    """Why the chat cannot go into the notes, and what to do instead."""
    where = "com o que já está nas Obs." if plan.appends else "nas Obs."
    return (
        f"A conversa não cabe neste contato: {where} ficaria com"
        f" {ptbr.format_int(len(plan.notes))} caracteres, e a planilha guarda no máximo"
        f" {ptbr.format_int(CELL_TEXT_LIMIT)} por campo. Deixe aqui só uma parte da conversa e"
        " cole o restante no próximo contato."
    )
