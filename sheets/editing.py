"""An edit form's post as the case book takes it: the edited case and the fields as loaded."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from retention.case import SIGN_OFF_FIELDS, Case
from sheets.columns import COLUMNS
from sheets.errors import Conflict
from sheets.planning import Fingerprint, digest, fingerprint

SIGN_OFF_HEADERS = tuple(c.header for c in COLUMNS if c.field in SIGN_OFF_FIELDS)


@dataclass(frozen=True)
class Edit:
    """A case as edited, and the ``base`` the book compares with: each field as loaded."""

    case: Case
    base: Fingerprint


def with_sign_off(edited: Case, case: Case, base: Mapping[str, str]) -> Edit:
    """The edit with the case's sign-off, which the form does not carry.

    Reopening a signed case (status back to Em andamento) removes the signature; otherwise
    the sign-off counts as left alone, so a signature given meanwhile is kept.
    """
    if case.is_signed and not case.is_open and edited.is_open:
        return Edit(edited.unsigned(), dict(base))
    kept = replace(edited, **{name: getattr(case, name) for name in SIGN_OFF_FIELDS})
    prints = fingerprint(kept)
    return Edit(kept, {**base, **{header: prints[header] for header in SIGN_OFF_HEADERS}})


def edit_of(
    case: Case, edited: Case, base: Mapping[str, str], kept_from_sheet: Iterable[str]
) -> Edit:
    """What saving the form writes over ``case``: ``with_sign_off``, and the fields whose
    conflict the user settled for the sheet's version counted as left alone."""
    signed = with_sign_off(edited, case, base)
    prints = fingerprint(signed.case)
    settled = {header: prints.get(header, "") for header in kept_from_sheet}
    return Edit(signed.case, {**signed.base, **settled})


def after_conflict(base: Mapping[str, str], conflicts: Iterable[Conflict]) -> Fingerprint:
    """``base`` with the sheet's versions of the conflicting fields as the ones loaded."""
    return {**base, **{c.header: digest(c.theirs) for c in conflicts}}
