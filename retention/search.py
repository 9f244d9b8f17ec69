"""Finding cases in the list: free-text search and the list's filters."""

import re
from dataclasses import dataclass
from datetime import date

from retention.case import Case
from retention.ptbr import fold


@dataclass(frozen=True)
class CaseQuery:
    """What the case list was asked for; empty parts match everything."""

    text: str = ""
    status: str = ""
    operator: str = ""
    uf: str = ""
    analyst: str = ""
    since: date | None = None
    until: date | None = None

    def matches(self, case: Case) -> bool:
        """Whether ``case`` passes every filter and contains every word of ``text``."""
        if self.status and case.status != self.status:
            return False
        if self.analyst and fold(case.analyst) != fold(self.analyst):
            return False
        if (self.since or self.until) and not self._in_period(case):
            return False
        if self.operator and fold(case.operator) != fold(self.operator):
            return False
        if self.uf and self.uf not in (case.uf, case.cro_uf):
            return False
        return all(_contains(case, word) for word in self.text.split())

    def _in_period(self, case: Case) -> bool:
        started = _started(case)
        if started is None:
            return False
        return (self.since is None or started >= self.since) and (
            self.until is None or started <= self.until
        )


def _started(case: Case) -> date | None:
    """When the case started: Data início, else the day it was created."""
    return case.start_date or (case.created_at.date() if case.created_at else None)


def _contains(case: Case, word: str) -> bool:
    texts = (case.dentist_name, case.cro, case.protocol, case.case_id, case.cpf, case.cnpj)
    if any(fold(word) in fold(text) for text in texts):
        return True
    digits = re.sub(r"[.\-/]", "", word).upper()
    return bool(digits) and any(digits in doc for doc in (case.cpf, case.cnpj, case.cro))
