"""The case book: add, update, get and list cases on any backend."""

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from retention.case import Case
from sheets import codec
from sheets.backend import Backend
from sheets.columns import COLUMNS, ID_HEADER, Owner
from sheets.errors import CaseNotFound, Conflict, EditConflict
from sheets.table import Append, Table, Update

Clock = Callable[[], datetime]
Fingerprint = dict[str, str]


def _digest(value: object) -> str:
    return hashlib.sha256(codec.canonical(value).encode()).hexdigest()[:16]


def fingerprint(case: Case) -> Fingerprint:
    """A short digest of every form field, kept in the edit form to tell who changed what."""
    return {col.header: _digest(col.value_of(case)) for col in COLUMNS if col.owner is Owner.FORM}


def next_case_id(table: Table, year: int) -> str:
    """``RET-<year>-<n>``, one above the highest number used this year."""
    pattern = re.compile(rf"RET-{year}-(\d+)")
    numbers = [0]
    for _, values in table.records():
        match = pattern.fullmatch(str(values.get(ID_HEADER) or "").strip())
        if match:
            numbers.append(int(match.group(1)))
    return f"RET-{year}-{max(numbers) + 1:04d}"


class CaseBook:
    """Cases stored one per row of a backend's sheet."""

    def __init__(self, backend: Backend, clock: Clock) -> None:
        self.backend = backend
        self.clock = clock
        self._decoded: tuple[Table, list[Case]] | None = None

    def list(self) -> list[Case]:
        """Every case, newest first."""
        table = self.backend.read()
        if self._decoded is None or self._decoded[0] is not table:
            cases = [codec.decode(values) for _, values in table.records()]
            cases.sort(key=lambda c: (c.created_at or datetime.min, c.case_id), reverse=True)
            self._decoded = (table, cases)
        return list(self._decoded[1])

    def get(self, case_id: str) -> Case:
        """The case with this ID; CaseNotFound if no row holds it."""
        found = self.backend.read().find(case_id)
        if found is None:
            raise CaseNotFound(case_id)
        return codec.decode(found[1])

    def add(self, case: Case, author: str) -> Case:
        """Store a new case under a fresh ID and return it as stored."""
        now = self.clock()
        stored: list[Case] = []

        def plan(table: Table) -> Append:
            new = replace(
                case,
                case_id=next_case_id(table, now.year),
                created_at=now,
                updated_at=now,
                updated_by=author,
            )
            stored.append(new)
            return Append(codec.encode(new))

        self.backend.write(plan)
        return stored[0]

    def update(
        self, case_id: str, edited: Case, base: Mapping[str, str], author: str
    ) -> Case | None:
        """Write the fields the user changed since ``base``; None when nothing changed.

        Fields changed in the sheet since ``base`` and left alone by the user are kept. A
        field both changed raises EditConflict and nothing is written.
        """
        stored: list[Case] = []

        def plan(table: Table) -> Update | None:
            found = table.find(case_id)
            if found is None:
                raise CaseNotFound(case_id)
            row, values = found
            changes = _changes(codec.decode(values), edited, base)
            if not changes:
                return None
            merged = codec.decode({**values, **changes})
            changes.update(_derived_changes(values, merged))
            merged = replace(merged, updated_at=self.clock(), updated_by=author)
            changes.update(_stamp_values(merged))
            stored.append(merged)
            return Update(row, changes)

        self.backend.write(plan)
        return stored[0] if stored else None


def _changes(current: Case, edited: Case, base: Mapping[str, str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    conflicts: list[Conflict] = []
    for col in COLUMNS:
        if col.owner is not Owner.FORM:
            continue
        mine, theirs = col.value_of(edited), col.value_of(current)
        if codec.canonical(mine) == codec.canonical(theirs):
            continue
        loaded = base.get(col.header, _digest(theirs))
        if _digest(mine) == loaded:
            continue  # the user left it alone; the sheet's value stands
        if _digest(theirs) != loaded:
            conflicts.append(Conflict(col.header, mine, theirs))
        else:
            changes[col.header] = codec.encode_value(col, mine)
    if conflicts:
        raise EditConflict(conflicts)
    return changes


def _stamp_values(case: Case) -> dict[str, object]:
    return {
        col.header: codec.encode_value(col, col.value_of(case))
        for col in COLUMNS
        if col.field in ("updated_at", "updated_by")
    }


def _derived_changes(values: Mapping[str, object], merged: Case) -> dict[str, object]:
    changes = {}
    for col in COLUMNS:
        if col.owner is Owner.DERIVED:
            new = col.value_of(merged)
            old = codec.parse_cell(col, values.get(col.header))
            if codec.canonical(new) != codec.canonical(old):
                changes[col.header] = new
    return changes
