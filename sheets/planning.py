"""What a queued write puts in the sheet, decided on a fresh read of it: no I/O, no state.

The backend runs a plan on what it just read (and again on each retry); the book derives the
history events and the confirmed cells from the write the backend reports as sent.
"""

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import replace

from retention.case import Case, case_id_for, case_number
from sheets import codec
from sheets.backend import Plan
from sheets.columns import BY_HEADER, COLUMNS, FORM_COLUMNS, ID_HEADER, KEY_HEADER, Column, Owner
from sheets.errors import CaseNotFound, Conflict, EditConflict
from sheets.history import Event, shown
from sheets.outbox import ADD, Entry
from sheets.table import Append, Table, Update

Fingerprint = dict[str, str]
STAMP_COLUMNS: tuple[Column, ...] = tuple(
    c for c in COLUMNS if c.field in ("updated_at", "updated_by")
)
STAMP_HEADERS = frozenset(c.header for c in STAMP_COLUMNS)


def digest(value: object) -> str:
    """A short, stable digest of one field's value."""
    return hashlib.sha256(codec.canonical(value).encode()).hexdigest()[:16]


def fingerprint(case: Case) -> Fingerprint:
    """A short digest of every form field, kept in the edit form to tell who changed what."""
    return {col.header: digest(col.value_of(case)) for col in FORM_COLUMNS}


def plan_for(batch: list[Entry]) -> Plan:
    """What to write for ``batch``, decided on a fresh read of the sheet (no side effects)."""
    if batch[0].kind == ADD:
        return _append_plan(batch)
    [entry] = batch
    return _update_plan(entry)


def _append_plan(batch: list[Entry]) -> Plan:
    """New rows for the cases the sheet lacks, renumbered where their ID was taken."""

    def append(table: Table) -> Append | None:
        keys = {entry.values.get(KEY_HEADER) for entry in batch} - {None, ""}
        ids, held = table.case_ids(), ids_by_key(table, keys)
        new: list[Mapping[str, object]] = []
        present: list[Mapping[str, object]] = []
        for entry in batch:
            key = entry.values.get(KEY_HEADER)
            if key in held:  # sent before, though its answer was lost
                present.append({**entry.values, ID_HEADER: held[str(key)]})
                continue
            if not key and entry.case_id in ids:
                continue  # queued before rows had keys, and sent before
            values = entry.values
            if entry.case_id in ids:  # another server (or instance folder) took the number
                values = {**values, ID_HEADER: _free_id(entry.case_id, ids)}
            ids.add(str(values[ID_HEADER]))
            new.append(values)
        return Append(tuple(new), tuple(present)) if new or present else None

    return append


def ids_by_key(table: Table, keys: Collection[object]) -> dict[str, str]:
    """The case ID of the row holding each of these write keys (the first, if a key repeats)."""
    id_index, key_index = table.index(ID_HEADER), table.index(KEY_HEADER)
    if id_index is None or key_index is None:
        return {}
    held: dict[str, str] = {}
    for row in table.rows:  # by position: on the workbook, every save runs over every row
        if key_index < len(row) and row[key_index] in keys and id_index < len(row):
            case_id = str(row[id_index] or "").strip()
            if case_id:
                held.setdefault(str(row[key_index]), case_id)
    return held


def renumbering(table: Table, keys: Collection[str], moved: Collection[str]) -> dict[str, str]:
    """The new ID of each of our rows (by write key) that shares its ID with another row and
    must yield: one below the other (appended later), or one ``moved`` (renumbered in place
    since it was appended, so the other row's writer may already have checked and stopped).

    Whoever wrote an ID last reads after both writes, so this rule leaves no ID on two rows
    once every writer's last read finds nothing to renumber.
    """
    holders: dict[str, list[int]] = {}
    ours: list[tuple[int, str, str]] = []
    for number, values in table.records():
        case_id = str(values[ID_HEADER]).strip()
        holders.setdefault(case_id, []).append(number)
        key = str(values.get(KEY_HEADER) or "").strip()
        if key in keys:
            ours.append((number, key, case_id))
    taken, renamed = set(holders), {}
    for number, key, case_id in sorted(ours):
        rows = holders[case_id]
        if len(rows) > 1 and (rows[0] != number or key in moved):
            renamed[key] = _free_id(case_id, taken)
            taken.add(renamed[key])
    return renamed


def _update_plan(entry: Entry) -> Plan:
    """The cells of the case's row the user changed, unless the sheet changed them too."""

    def update(table: Table) -> Update | None:
        found = table.find(entry.case_id)
        if found is None:
            raise CaseNotFound(entry.case_id)
        row, values = found
        changes = _changes(codec.decode(values), codec.decode(entry.values), entry.base)
        if not changes:
            return None
        merged = codec.decode({**values, **changes})
        changes.update(_derived_changes(values, merged))
        merged = replace(merged, updated_at=entry.queued_at, updated_by=entry.author)
        changes.update({c.header: codec.encode_value(c, c.value_of(merged)) for c in STAMP_COLUMNS})
        return Update(row, changes, values)

    return update


def _free_id(case_id: str, taken: set[str]) -> str:
    """The next case ID of ``case_id``'s year above every one ``taken``."""
    year = int(case_id.split("-")[1])
    numbers = (case_number(other, year) for other in taken)
    return case_id_for(year, max(filter(None, numbers), default=0) + 1)


def edit_events(entry: Entry, write: Update) -> list[Event]:
    """One history event per field the edit changed (its stamps aside), old and new value."""
    return [
        Event(
            entry.queued_at,
            entry.author,
            entry.case_id,
            header,
            shown(codec.parse_cell(BY_HEADER[header], write.before.get(header))),
            shown(codec.parse_cell(BY_HEADER[header], value)),
        )
        for header, value in write.values.items()
        if header not in STAMP_HEADERS
    ]


def _changes(current: Case, edited: Case, base: Mapping[str, str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    conflicts: list[Conflict] = []
    for col in FORM_COLUMNS:
        mine, theirs = col.value_of(edited), col.value_of(current)
        if codec.canonical(mine) == codec.canonical(theirs):
            continue
        loaded = base.get(col.header, digest(theirs))
        if digest(mine) == loaded:
            continue  # the user left it alone; the sheet's value stands
        if digest(theirs) != loaded:
            conflicts.append(Conflict(col.header, mine, theirs))
        else:
            changes[col.header] = codec.encode_value(col, mine)
    if conflicts:
        raise EditConflict(conflicts)
    return changes


def _derived_changes(values: Mapping[str, object], merged: Case) -> dict[str, object]:
    changes = {}
    for col in COLUMNS:
        if col.owner is Owner.DERIVED:
            new = col.value_of(merged)
            old = codec.parse_cell(col, values.get(col.header))
            if codec.canonical(new) != codec.canonical(old):
                changes[col.header] = new
    return changes
