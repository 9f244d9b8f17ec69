"""The storage interface every backend (local workbook, Google Sheets) implements."""

from collections.abc import Callable, Sequence
from typing import Protocol

from sheets.table import Table, Write

Plan = Callable[[Table], Write | None]


class Backend(Protocol):
    """A sheet of cases: read it whole, or write to it from a fresh read."""

    description: str
    version_is_current: bool  # False: ``version`` may lag behind changes (Drive's stamp)

    def read(self) -> Table:
        """The whole table; may come from a cache that is known to be current."""
        ...

    def version(self) -> object:
        """A token that changes whenever the sheet changes, as cheap as the backend allows."""
        ...

    def write(self, plan: Plan) -> None:
        """Read the table afresh, ask ``plan`` what to write, and write it.

        Rows are re-found and columns re-mapped by header on that fresh read. Headers the
        write names but the sheet lacks are added after the last column.
        """
        ...

    def append_log(
        self, tab: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Add ``rows`` below the last row of the tab ``tab`` of the same spreadsheet (the
        history), creating it with the ``headers`` row if it is missing. Text stays text."""
        ...
