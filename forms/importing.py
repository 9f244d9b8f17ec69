"""Importing past cases: each row of a spreadsheet is checked by the case form, as if typed in.

Cells are read with the sheet's codec (``17/06/2025`` as text or a date cell, ``1.971``,
``R$ 1.234,56``, ``sim``, options without accents), turned into what a person would type into
the form, and validated by ``CaseForm`` itself: the same rules and the same pt-BR messages.
A cell the codec cannot read goes to the form as typed, so the form's parser says what is
wrong with it.
"""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, HiddenField, SelectChoice, SelectField
from wtforms.fields.core import UnboundField

from forms.case_form import CaseForm, PtBrForm
from retention import ptbr
from retention.case import Case
from retention.choices import AREAS, REASONS, with_extras
from sheets import codec
from sheets.columns import COLUMNS, ID_HEADER, Column, Kind
from sheets.identity import KnownCases
from sheets.mapping import iter_mapped
from sheets.upload import Upload

IGNORE = ""  # the mapping choice of a file column left out of the import


def input_name(column: Column) -> str:
    """The name of the case form's input that holds ``column``'s value."""
    if column.part:
        return f"{column.field}-{column.member}-{column.part}"
    if column.field == "dentists_per_area":
        return f"area_counts-area_{AREAS.index(str(column.member))}"
    return column.field


def _in_form(column: Column) -> bool:
    root = input_name(column).split("-", 1)[0]
    return isinstance(getattr(CaseForm, root, None), UnboundField)


IMPORT_COLUMNS: tuple[Column, ...] = tuple(
    col for col in COLUMNS if col.header == ID_HEADER or _in_form(col)
)
_ID_COLUMN = next(col for col in IMPORT_COLUMNS if col.header == ID_HEADER)
_HEADERS_BY_INPUT: dict[str, list[str]] = {}
for _column in IMPORT_COLUMNS:
    _HEADERS_BY_INPUT.setdefault(input_name(_column), []).append(_column.header)


@dataclass(frozen=True)
class Problem:
    """Why one row cannot be imported: its row number in the file, the field and the problem."""

    row: int
    field: str
    message: str
    value: str = ""


@dataclass(frozen=True)
class Duplicate:
    """A row left out because the case is already there (in the sheet or higher in the file)."""

    row: int
    existing: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: the valid rows to add, the duplicates and the problems."""

    valid: tuple[tuple[int, Case], ...]
    duplicates: tuple[Duplicate, ...]
    problems: tuple[Problem, ...]

    @property
    def rejected(self) -> int:
        """How many rows have a problem."""
        return len({problem.row for problem in self.problems})


def form_input(values: Mapping[Column, object]) -> MultiDict:
    """The case form's input for one row: each cell as a person would type it."""
    data: MultiDict = MultiDict()
    for column, raw in values.items():
        if column.header != ID_HEADER:
            for text in _typed(column, raw):
                data.add(input_name(column), text)
    return data


def _typed(column: Column, raw: object) -> list[str]:
    """A cell as typed into the form: parsed by the codec, then written the pt-BR way."""
    parsed = codec.parse_cell(column, raw)
    if column.kind is Kind.BOOL:
        return [str(column.member or "y")] if parsed else []
    if parsed is None or parsed == "" or parsed == frozenset():
        return [_as_typed(raw)]  # not understood: the form says what is wrong
    if isinstance(parsed, frozenset):
        return sorted(parsed)
    return [_form_text(parsed)]


def _form_text(value: object) -> str:
    """A parsed value as typed into the form: ``17/06/2025``, ``1971``, ``1234,56``."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, date):
        return ptbr.format_value(value)
    return str(value)


def _as_typed(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return ptbr.format_value(raw) if not isinstance(raw, str) else raw


def check_row(number: int, values: Mapping[Column, object]) -> tuple[Case | None, list[Problem]]:
    """The row as a Case if the case form accepts it, else the problems the form found."""
    data = form_input(values)
    form = CaseForm(formdata=data, meta={"csrf": False})
    # Options typed by hand stay, as when a case edited in the sheet is opened in the form.
    form.areas.choices = with_extras(AREAS, frozenset(data.getlist("areas")))
    form.reasons.choices = with_extras(REASONS, frozenset(data.getlist("reasons")))
    if form.validate():
        return form.to_case(), []
    shown = {input_name(column): raw for column, raw in values.items()}
    return None, [
        Problem(number, _field_name(name, label), message, _shown(shown.get(name)))
        for name, label, message in _errors(form)
    ]


def _errors(form) -> Iterator[tuple[str, str, str]]:
    """``(input name, label, message)`` of every error in ``form`` and its sub-forms."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from _errors(entry.form)
        elif isinstance(field, FormField):
            yield from _errors(field.form)
        else:
            for message in field.errors:
                yield field.name, field.label.text, message


def _field_name(name: str, label: str) -> str:
    """The sheet's header for a form input (the form's label when it spans several columns)."""
    headers = _HEADERS_BY_INPUT.get(name, [])
    return headers[0] if len(headers) == 1 else label


def _shown(raw: object) -> str:
    return "" if raw is None else _as_typed(raw)


def plan_import(
    upload: Upload, mapping: Sequence[Column | None], existing: Iterable[Case]
) -> ImportPlan:
    """Check every row and find the cases already there; nothing is written."""
    known = KnownCases(existing)
    valid: list[tuple[int, Case]] = []
    duplicates: list[Duplicate] = []
    problems: list[Problem] = []
    for number, values in iter_mapped(upload, mapping):
        case, found = check_row(number, values)
        if case is None:
            problems.extend(found)
            continue
        identified = replace(case, case_id=_file_id(values))
        match = known.find(identified)
        if match:
            duplicates.append(Duplicate(number, *match))
            continue
        valid.append((number, case))
        known.add(identified, f"linha {number} do arquivo")
    return ImportPlan(tuple(valid), tuple(duplicates), tuple(problems))


def _file_id(values: Mapping[Column, object]) -> str:
    raw = values.get(_ID_COLUMN)
    return "" if raw is None else str(raw).strip()


# The pages' forms


class UploadForm(PtBrForm):
    """Choose the spreadsheet to import."""

    file = FileField("Planilha (.xlsx ou .csv)", [FileRequired("Escolha o arquivo da planilha.")])


class MappingForm(PtBrForm):
    """Which case field each file column goes to; one select per column."""

    reviewed = HiddenField()

    def selects(self) -> list[SelectField]:
        """The mapping selects, in the file's column order."""
        return [field for field in self if field.name.startswith("coluna_")]

    def mapping(self) -> list[Column | None]:
        """The chosen column for each file column (None: ignored)."""
        return [_BY_HEADER.get(field.data or IGNORE) for field in self.selects()]

    def validate(self, extra_validators=None) -> bool:
        """Also refuse two file columns sent to the same case field."""
        valid = super().validate(extra_validators)
        first: dict[str, SelectField] = {}
        for field in self.selects():
            if field.data and field.data in first:
                field.errors.append(
                    f"“{field.data}” já está ligado à coluna {first[field.data].label.text}:"
                    " escolha outro campo ou ignore esta coluna."
                )
                valid = False
            first.setdefault(field.data, field)
        return valid


_BY_HEADER = {col.header: col for col in IMPORT_COLUMNS}
_CHOICES = [
    SelectChoice(IGNORE, "— ignorar —"),
    *(SelectChoice(col.header, col.header) for col in IMPORT_COLUMNS),
]


def mapping_form(labels: Sequence[str], guessed: Sequence[Column | None], **kwargs) -> MappingForm:
    """The mapping form for a file whose columns are called ``labels``, guesses preselected."""

    class FileMappingForm(MappingForm):
        pass

    for position, (label, column) in enumerate(zip(labels, guessed, strict=True)):
        default = column.header if column else IGNORE
        select = SelectField(label, choices=_CHOICES, default=default)
        setattr(FileMappingForm, f"coluna_{position}", select)
    return FileMappingForm(**kwargs)


def signature(mapping: Sequence[Column | None]) -> str:
    """A text that tells one mapping from another, kept in the page between preview and import."""
    return json.dumps([column.header if column else IGNORE for column in mapping])
