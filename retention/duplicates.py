"""Open cases of the same dentist: same CRO and UF do CRO, same CPF or same CNPJ."""

from collections.abc import Iterable
from dataclasses import dataclass

from retention import documents
from retention.case import Case


@dataclass(frozen=True)
class Dentist:
    """What identifies a dentist on the form; blanks identify nothing."""

    cro: str = ""
    cro_uf: str = ""
    cpf: str = ""
    cnpj: str = ""

    def matches(self, case: Case) -> list[str]:
        """Why ``case`` is the same dentist: ``CRO 12345/MS``, ``CPF``, ``CNPJ``; [] if not."""
        why = []
        cro = self.cro.strip().lstrip("0")
        if cro and self.cro_uf and (cro, self.cro_uf) == (case.cro.lstrip("0"), case.cro_uf):
            why.append(f"CRO {self.cro.strip()}/{self.cro_uf}")
        for label, mine, theirs in (("CPF", self.cpf, case.cpf), ("CNPJ", self.cnpj, case.cnpj)):
            if documents.normalize(mine) and documents.normalize(mine) == theirs:
                why.append(label)
        return why


@dataclass(frozen=True)
class Duplicate:
    """An open case of the same dentist, and what they share."""

    case: Case
    why: tuple[str, ...]


def open_cases_of(dentist: Dentist, cases: Iterable[Case]) -> list[Duplicate]:
    """The open (Em andamento) cases of ``dentist``."""
    found = []
    for case in cases:
        if case.is_open and (why := dentist.matches(case)):
            found.append(Duplicate(case, tuple(why)))
    return found
