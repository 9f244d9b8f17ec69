"""A backend that cannot be opened (bad configuration): every use says why, in pt-BR."""

from collections.abc import Sequence

from sheets.backend import Plan
from sheets.edit_log import Probe
from sheets.errors import SheetUnavailable
from sheets.table import Table, Write


class UnavailableBackend:
    """Stands in for a sheet the app could not open; writes wait in the outbox meanwhile."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.description = "planilha Google (indisponível: veja a mensagem)"
        self.public_description = self.description

    def read(self) -> Table:
        """Always refuses, with the reason."""
        raise SheetUnavailable(self.reason)

    def probe(self, since: object) -> Probe:
        """Always refuses, with the reason."""
        raise SheetUnavailable(self.reason)

    def read_rows(self, numbers: Sequence[int]) -> Table:
        """Always refuses, with the reason."""
        raise SheetUnavailable(self.reason)

    def write(self, plan: Plan, case_id: str | None = None) -> Write | None:
        """Always refuses, with the reason."""
        raise SheetUnavailable(self.reason)

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Always refuses, with the reason."""
        raise SheetUnavailable(self.reason)
