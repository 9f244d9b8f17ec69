"""The indicators page's filters: a period typed dd/mm/aaaa, an operadora and a UF."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from retention import ptbr
from retention.case import Case
from retention.choices import UFS
from retention.search import CaseQuery


@dataclass(frozen=True)
class Filters:
    """The page's filters as typed, what they mean, and a pt-BR message per bad field."""

    since_text: str = ""
    until_text: str = ""
    operator: str = ""
    uf: str = ""
    since: date | None = None
    until: date | None = None
    errors: Mapping[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The query string that repeats these filters (for charts and CSV links)."""
        typed = {"de": self.since_text, "ate": self.until_text}
        return {k: v for k, v in {**typed, "operadora": self.operator, "uf": self.uf}.items() if v}

    def matches(self, case: Case) -> bool:
        """Opened (Data início, else created) in the period, of the operadora and of the UF."""
        query = CaseQuery(operator=self.operator, since=self.since, until=self.until)
        return query.matches(case) and (not self.uf or case.uf == self.uf)


def read_filters(args: Mapping[str, str]) -> Filters:
    """Read the filters; a bad date is kept as typed with a message beside it."""
    errors: dict[str, str] = {}
    typed = {key: args.get(key, "").strip() for key in ("de", "ate", "operadora", "uf")}
    days: dict[str, date | None] = {}
    for key in ("de", "ate"):
        try:
            days[key] = ptbr.parse_date(typed[key]) if typed[key] else None
        except ValueError as error:
            errors[key], days[key] = str(error), None
    if (since := days["de"]) and (until := days["ate"]) and since > until:
        errors["ate"] = "A data final do período é anterior à inicial."
    if typed["uf"] and typed["uf"] not in UFS:
        errors["uf"] = "UF desconhecida: escolha uma da lista."
    return Filters(
        since_text=typed["de"],
        until_text=typed["ate"],
        operator=typed["operadora"],
        uf=typed["uf"],
        since=days["de"],
        until=days["ate"],
        errors=errors,
    )
