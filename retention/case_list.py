"""The case list's columns: days open, the status chips and sorting by a column."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from retention.case import Case
from retention.checklist import days_open
from retention.choices import STATUSES
from retention.ptbr import fold

ASCENDING = "asc"
DESCENDING = "desc"
_TONES = dict(zip(STATUSES, ("open", "retained", "left", "not-retention"), strict=True))


@dataclass(frozen=True)
class Chip:
    """A status as the list shows it: its words, and a tone that only repeats them in colour."""

    text: str
    tone: str


def status_chip(status: str) -> Chip:
    """The chip of ``status``; a status typed by hand in the sheet keeps its words."""
    if not status.strip():
        return Chip("Sem status", "other")
    return Chip(status, _TONES.get(status, "other"))


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A key that puts ``RET-2025-9`` before ``RET-2025-10`` and ignores case and accents."""
    parts = re.split(r"(\d+)", fold(text))
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in parts if part)


def _status_rank(case: Case) -> tuple[int, str] | None:
    if not case.status:
        return None
    rank = STATUSES.index(case.status) if case.status in STATUSES else len(STATUSES)
    return (rank, fold(case.status))


def _text(value: Callable[[Case], str], numbered: bool = False) -> Callable[[Case, date], Any]:
    """A text column's key: folded words, or ``_natural`` for codes such as IDs; None if blank."""
    key = _natural if numbered else fold
    return lambda case, _today: key(text) if (text := value(case)).strip() else None


@dataclass(frozen=True)
class Column:
    """A column the list sorts by: its key (None: empty, listed last) and first direction."""

    key: Callable[[Case, date], Any]  # comparable within a column, or None
    first: str = ASCENDING


COLUMNS: dict[str, Column] = {
    "id": Column(_text(lambda c: c.case_id, numbered=True)),
    "dentista": Column(_text(lambda c: c.dentist_name)),
    "operadora": Column(_text(lambda c: c.operator)),
    "protocolo": Column(_text(lambda c: c.protocol, numbered=True)),
    "status": Column(lambda c, _today: _status_rank(c)),
    "dias": Column(days_open, DESCENDING),
    "inicio": Column(lambda c, _today: c.start_date, DESCENDING),
    "colaborador": Column(_text(lambda c: c.analyst)),
}


@dataclass(frozen=True)
class Ordering:
    """How the list is sorted: by ``column`` (a key of COLUMNS), or newest first when empty."""

    column: str = ""
    direction: str = ASCENDING

    @classmethod
    def parse(cls, column: str, direction: str) -> "Ordering":
        """The ordering the page's address asks for: an unknown column means newest first, no
        direction the column's first one."""
        if column not in COLUMNS:
            return cls()
        known = direction in (ASCENDING, DESCENDING)
        return cls(column, direction if known else COLUMNS[column].first)

    def apply(self, cases: Sequence[Case], today: date) -> list[Case]:
        """``cases`` (newest first) in this order; empty values last, ties newest first."""
        if not self.column:
            return list(cases)
        key = COLUMNS[self.column].key
        keyed = [(key(case, today), case) for case in cases]
        present = [pair for pair in keyed if pair[0] is not None]
        present.sort(key=lambda pair: pair[0], reverse=self.direction == DESCENDING)
        return [case for _, case in present] + [case for value, case in keyed if value is None]

    def after_click(self, column: str) -> "Ordering":
        """The ordering a click on ``column``'s header asks for: its first direction, or the
        other direction when the list is already sorted by it."""
        if column == self.column:
            return Ordering(column, ASCENDING if self.direction == DESCENDING else DESCENDING)
        return Ordering(column, COLUMNS[column].first)

    def aria_sort(self, column: str) -> str | None:
        """The header's ``aria-sort``: only the column the list is sorted by has one."""
        if column != self.column:
            return None
        return "ascending" if self.direction == ASCENDING else "descending"

    def as_args(self) -> dict[str, str]:
        """The page address's parameters for this ordering (none for newest first)."""
        return {"ordem": self.column, "sentido": self.direction} if self.column else {}
