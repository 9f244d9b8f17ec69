"""What a monitor asks of the app: can it read its sheet, how much waits to be sent, since when."""

from dataclasses import dataclass
from datetime import datetime

from sheets.book import CaseBook
from sheets.errors import SheetError
from sheets.outbox import FAILED


@dataclass(frozen=True)
class Health:
    """The sheet's state (``problem`` is None while it answers) and the outbox's depth."""

    problem: str | None
    checked_at: datetime | None
    waiting: int
    waiting_since: datetime | None
    failed: int
    history_waiting: int


def check(book: CaseBook) -> Health:
    """Check the sheet as a page does (at most once per RETENCAO_SYNC_SECONDS) and count what
    waits for it."""
    try:
        book.sync.snapshot()
        problem = book.stale.reason if book.stale else None
    except SheetError as error:  # the sheet was never read
        problem = str(error)
    waiting = book.outbox.entries()
    return Health(
        problem=problem,
        checked_at=book.sync.checked_at,
        waiting=len(waiting),
        waiting_since=waiting[0].queued_at if waiting else None,
        failed=len(book.outbox.entries(state=FAILED)),
        history_waiting=book.history.count_unsent(),
    )
