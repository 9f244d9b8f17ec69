"""When an imported case is one already known: same ID and CRO, protocol, CRO and start, or all."""

import re
from collections.abc import Iterable

from retention import documents
from retention.case import Case
from sheets.planning import fingerprint

Key = tuple[object, ...]
KEY_REASONS = {
    "id": "mesmo ID do caso e mesmo CRO",
    "protocolo": "mesmo Nº do protocolo",
    "cro": "mesmos CRO, UF do CRO e Data início",
    "conteúdo": "todos os campos iguais",
}


def identity_keys(case: Case) -> set[Key]:
    """What tells that two cases are the same case, one key per kind of ``KEY_REASONS``.

    The ID counts together with the CRO (an ID from another sheet may name another case);
    the Nº do protocolo counts when it holds a digit (``-`` or ``N/A`` say nothing).
    """
    cro = documents.normalize(case.cro)
    keys: set[Key] = {("conteúdo", tuple(sorted(fingerprint(case).items())))}
    if case.case_id:
        keys.add(("id", case.case_id.strip().upper(), cro))
    if protocol := _protocol(case):
        keys.add(("protocolo", protocol))
    if cro and case.start_date:
        keys.add(("cro", cro, case.cro_uf, case.start_date))
    return keys


def _protocol(case: Case) -> str:
    protocol = re.sub(r"\s", "", case.protocol).upper()
    return protocol if re.search(r"\d", protocol) else ""


class KnownCases:
    """Cases already there, found again by any of their identity keys."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self._keys: dict[Key, tuple[str, str]] = {}
        for case in cases:
            self.add(case, case.case_id)

    def add(self, case: Case, label: str) -> None:
        """Know ``case`` from now on, shown as ``label`` (its ID, or its row in the file)."""
        for key in identity_keys(case):
            self._keys.setdefault(key, (label, _protocol(case)))

    def find(self, case: Case) -> tuple[str, str] | None:
        """``(label, why)`` of the known case that ``case`` is, or None if it is a new one.

        Two cases with different protocol numbers are different cases, whatever their ID,
        CRO, UF and Data início.
        """
        keys = identity_keys(case)
        mine = _protocol(case)
        for kind, reason in KEY_REASONS.items():
            for key in keys:
                if key[0] != kind or key not in self._keys:
                    continue
                label, theirs = self._keys[key]
                if mine and theirs and mine != theirs:
                    continue
                return label, reason
        return None
