"""Google's quota: a burst of saves stays within 60 reads and 60 writes a minute, losing nothing."""

from urllib.parse import unquote

import pytest

from sheets.google_client import Quota
from tests.sample import full_case

pytestmark = pytest.mark.parametrize("backend_kind", ["google"])


class FakeClock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def minute(book, standin) -> FakeClock:
    """The app and Google (60 calls a minute, then 429) on one clock the test controls."""
    book.sync.max_age = 3600
    book.cases()
    clock = FakeClock()
    book.backend.reads = Quota("leituras", 60, clock)
    book.backend.writes = Quota("gravações", 60, clock)
    standin.clock, standin.quota_per_minute = clock, 60
    standin.reset_calls()
    return clock


def test_consecutive_saves_cost_three_calls_each(book, standin, minute):
    for _ in range(3):
        book.add(full_case(""), "Ana")

    # IDs and write keys read, the append, and the IDs read back (another server's save)
    assert standin.count() == standin.count("values_batch_get", "values_append") == 9
    assert standin.count("values_append") == 3


@pytest.mark.slow
def test_a_burst_of_100_saves_never_exceeds_the_quota_and_loses_nothing(
    book, standin, sheet, minute
):
    saved = [book.add(full_case(""), "Ana") for _ in range(100)]

    assert standin.count("values_append") <= 60
    assert standin.count("values_get", "values_batch_get") <= 60
    assert [call for call in standin.calls if call.status == 429] == []
    waiting = [s.case.case_id for s in saved if s.waiting]
    assert len(waiting) == 100 - standin.count("values_append")
    assert len(sheet.rows()) == standin.count("values_append")

    minute.now += 60
    standin.reset_calls()
    assert book.flush() is None

    appends = [unquote(call.path) for call in standin.calls if call.kind == "values_append"]
    cases_appends = [path for path in appends if "Histórico" not in path]
    assert len(cases_appends) == 1  # every case that waited goes in one call
    assert len(appends) == 2  # and the history of all 100 in one more
    ids = [row["ID do caso"] for row in sheet.rows()]
    assert len(ids) == len(set(ids)) == 100
    assert set(ids) == {s.case.case_id for s in saved}
