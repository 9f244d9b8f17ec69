"""Form fields for pt-BR input: dates dd/mm/aaaa, integers 1.971, money R$ 1.234,56."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from wtforms import (
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from retention import documents, ptbr
from sheets.columns import CELL_TEXT_LIMIT

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029]")
# Control characters and non-characters XML 1.0 forbids: no .xlsx cell can hold them.
_UNSTORABLE = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")


def clean_text(value: str | None) -> str:
    """Line breaks as ``\\n`` (Word pastes Shift+Enter as a vertical tab), invisible control
    characters removed, surrounding blanks trimmed."""
    return _UNSTORABLE.sub("", _LINE_BREAKS.sub("\n", value or "")).strip()


def clean_line(value: str | None) -> str:
    """Like ``clean_text``, for a one-line field: line breaks become spaces."""
    return clean_text(value).replace("\n", " ")


class ParsedField(StringField):
    """A text input whose value is parsed into a Python value; None when left blank."""

    data: Any  # the parsed value: its type is the subclass's
    parse: Callable[[str], object] = staticmethod(str)
    show: Callable[[Any], str] = staticmethod(str)
    blank: Callable[[str], bool] = staticmethod(lambda text: text.strip() in ("", "-"))

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if valuelist and not self.blank(valuelist[0]):
            self.data = self.parse(valuelist[0])

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)


def today() -> date:
    """Today in the team's time zone (the year of a date typed without one)."""
    zone = ZoneInfo(current_app.config["RETENCAO_TIMEZONE"]) if has_app_context() else None
    return datetime.now(zone).date()


class DateField(ParsedField):
    """``dd/mm/aaaa``; also ``d/m/aa``, ``ddmmaaaa``, ``ddmmaa`` and ``dd/mm`` (this year)."""

    parse = staticmethod(lambda text: ptbr.parse_typed_date(text, today()))
    show = staticmethod(ptbr.format_date)


class DateTimeField(ParsedField):
    """``dd/mm/aaaa hh:mm``, the date as DateField takes it; also digits only."""

    parse = staticmethod(lambda text: ptbr.parse_typed_datetime(text, today()))
    show = staticmethod(ptbr.format_datetime)


class IntegerField(ParsedField):
    """A whole number, with or without thousands dots: ``1.971``."""

    parse = staticmethod(ptbr.parse_int)
    show = staticmethod(ptbr.format_int)


class DecimalField(ParsedField):
    """A decimal or money amount: ``0,30``, ``R$ 1.234,56``; ``R$ -`` means no value."""

    parse = staticmethod(ptbr.parse_decimal)
    show = staticmethod(ptbr.format_decimal_input)
    blank = staticmethod(ptbr.is_empty_amount)


class DocumentField(StringField):
    """CPF or CNPJ typed with or without punctuation; data holds only its characters."""

    def __init__(self, *args, formatter: Callable[[str], str], **kwargs) -> None:
        super().__init__(*args, filters=[documents.normalize], **kwargs)
        self.formatter = formatter

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.formatter(self.data or "")


class MultiCheckboxField(SelectMultipleField):
    """Several options, one checkbox each."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NotNegative:
    """Reject a number below zero; a blank field passes."""

    def __call__(self, _form, field) -> None:
        if field.data is not None and field.data < 0:
            raise ValidationError("Informe um valor igual ou maior que zero.")


def select_field(label: str, options: list, *validators, **kwargs) -> SelectField:
    """A dropdown whose blank first option is also its value when nothing was sent."""
    return SelectField(label, list(validators), choices=options, default="", **kwargs)


def page_status(form) -> HTTPStatus:
    """The status of a page showing ``form``: 422 when what was posted has errors, else 200."""
    return HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK


@dataclass(frozen=True)
class FieldError:
    """One message of the error summary: the field's label and where the link goes."""

    anchor: str  # the id of the control to focus: a field's, or its first option's
    label: str
    message: str


def error_summary(form, prefix: str = "") -> list[FieldError]:
    """Every error of ``form`` in page order; nested forms' labels say where they are."""
    found: list[FieldError] = []
    for field in form:
        if isinstance(field, FieldList):
            for number, entry in enumerate(field, start=1):
                found += error_summary(entry.form, f"{prefix}{number}º {field.label.text} – ")
        elif isinstance(field, FormField):
            found += error_summary(field.form, f"{prefix}{field.label.text} – ")
        elif field.type not in _UNLISTED:
            anchor = f"{field.id}-0" if field.type in _OPTIONS else field.id
            found += [FieldError(anchor, prefix + field.label.text, m) for m in field.errors]
    return found


_UNLISTED = {"CSRFTokenField", "HiddenField"}
_OPTIONS = {"RadioField", "MultiCheckboxField"}


def first_error_id(form) -> str | None:
    """The id of the first field, in page order, that has an error (to put the cursor there)."""
    summary = error_summary(form)
    return summary[0].anchor.removesuffix("-0") if summary else None


def text_field(label: str, *validators, **kwargs) -> StringField:
    """A one-line text input within the sheet's cell limit."""
    return StringField(label, [*validators, _cell_limit()], filters=[clean_line], **kwargs)


def notes_field(label: str, *validators, **kwargs) -> TextAreaField:
    """A multi-line text area (pasted WhatsApp transcripts) within the sheet's cell limit."""
    return TextAreaField(label, [*validators, _cell_limit()], filters=[clean_text], **kwargs)


def _cell_limit() -> Length:
    return Length(
        max=CELL_TEXT_LIMIT,
        message=f"Texto longo demais: no máximo {ptbr.format_int(CELL_TEXT_LIMIT)} caracteres"
        " por campo (divida entre os contatos, se preciso).",
    )
