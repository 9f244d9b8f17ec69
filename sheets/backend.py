"""The storage interface every backend (local workbook, Google Sheets) implements."""

from collections.abc import Callable, Sequence
from typing import Protocol

from sheets.edit_log import Probe
from sheets.table import Table, Write

Plan = Callable[[Table], Write | None]


class Backend(Protocol):
    """A sheet of cases: check it cheaply, read it whole or in part, write to it."""

    description: str

    @property
    def public_description(self) -> str:
        """The storage named for every user: no path of the server's folders."""
        ...

    def read(self) -> Table:
        """The whole table; may come from a cache that is known to be current."""
        ...

    def probe(self, since: object) -> Probe:
        """The cheapest check of whether the sheet changed since the version ``since``."""
        ...

    def read_rows(self, numbers: Sequence[int]) -> Table:
        """The header row and the rows with these sheet row numbers (blank rows included)."""
        ...

    def write(self, plan: Plan, case_id: str | None = None) -> Write | None:
        """Read what the write needs afresh, ask ``plan`` what to write, write it; what was
        written (None: nothing).

        ``case_id`` names the one case an update is for; without it ``plan`` gets every case
        ID (to append rows). Rows are re-found by ID and columns re-mapped by header on that
        fresh read. Headers the write names but the sheet lacks are added after the last
        column (workbook) or reported (Google).
        """
        ...

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Add ``rows`` below the last row of the tab ``tab`` of the same spreadsheet (the
        history), creating it with the ``headers`` row if it is missing. Text stays text.

        The last of ``headers`` names the records' key column (added to a tab that lacks it):
        a row whose key (its last value) the tab holds already is not added again, so a try
        whose answer was lost can be made again."""
        ...
