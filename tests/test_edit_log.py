"""Reading the edit log the sheet's Apps Script keeps in the hidden ``_retencao`` tab."""

import pytest

from sheets.edit_log import FIRST_SLOT, RING, EditedRows, probe_of, script_source


def log(revision: int, *slots: list, version: object = 1) -> list[list]:
    """The tab's values as the Sheets API returns them: trailing empty cells trimmed."""
    values: list[list] = [["Revisão", revision], ["Versão do script", version] if version else []]
    values.append(["Revisão", "Primeira linha", "Última linha", "IDs", "Quando"])
    values += [[] for _ in range(RING)]
    for slot in slots:
        values[FIRST_SLOT - 1 + (slot[0] - 1) % RING] = slot
    return values


def test_no_tab_means_nothing_is_watched():
    probe = probe_of(None, since=3)

    assert (probe.version, probe.watched, probe.complete, probe.edits) == (None, False, False, None)


def test_a_tab_the_script_never_wrote_is_not_watched():
    probe = probe_of(log(0, version=None), since=0)

    assert probe.version == 0 and not probe.watched and probe.edits == ()


def test_the_edits_since_a_revision_name_their_rows_and_ids():
    values = log(3, [2, 5, 5, "RET-2025-0004", 46000.5], [3, 7, 8, "RET-2025-0006\n", 46000.6])

    probe = probe_of(values, since=1)

    assert probe.watched and probe.version == 3
    assert probe.edits == (
        EditedRows(5, 5, ("RET-2025-0004",)),
        EditedRows(7, 8, ("RET-2025-0006", "")),
    )


@pytest.mark.parametrize(
    ("values", "since"),
    [
        (log(2, [2, 5, 5, "*", 1.0]), 1),  # header row, ID column or too many rows
        (log(2, [52, 5, 5, "RET-2025-0004", 1.0]), 1),  # slot 2 was overwritten by 52
        (log(2, [2, 5, 6, "RET-2025-0004", 1.0]), 1),  # two rows, one ID
        (log(60), 5),  # more edits than the ring holds
        (log(2), None),  # nothing read before
        (log(2), 7),  # the revision went back: the tab was recreated
    ],
    ids=["unknown-rows", "overwritten", "ids-missing", "ring-overrun", "first", "recreated"],
)
def test_when_the_log_cannot_tell_the_rows_the_whole_tab_is_read(values, since):
    assert probe_of(values, since).edits is None


def test_the_script_is_printed_for_the_configured_tab():
    source = script_source("Casos 'novos'")

    assert "var CASES_TAB = \"Casos 'novos'\";" in source
    assert "var CASES_TAB = 'Casos';" not in source
