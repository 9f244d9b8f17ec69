"""People's edits, as the spreadsheet's own Apps Script logs them in the hidden ``_retencao`` tab.

Drive's ``modifiedTime`` of a Sheets file lags by minutes, and API writes fire no trigger, so
the sheet tells the app about people's edits itself: ``apps_script.gs`` (pasted by a
supervisor, a simple ``onEdit`` trigger) keeps this layout, which the app reads in one call:

- B1: the revision, one more for every edit a person made in the cases tab;
- B2: the script's version (empty until the script ran: "not installed");
- rows 4 to 3 + ``RING``: a ring of slots, the one of revision r at row 4 + (r - 1) % RING,
  each ``[r, first row, last row, IDs, when]``. IDs are the case IDs of those rows at the time
  of the edit, one per line, or ``*`` when the edit touched the header row or the ID column or
  too many rows: then only a read of the whole tab tells what changed.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LOG_TAB = "_retencao"
RING = 50
FIRST_SLOT = 4
LOG_RANGE = f"A1:E{FIRST_SLOT + RING - 1}"
HEAD_ROWS: tuple[tuple[object, ...], ...] = (
    ("Revisão", 0),
    ("Versão do script",),
    ("Revisão", "Primeira linha", "Última linha", "IDs", "Quando"),
)
UNKNOWN_ROWS = "*"
SCRIPT = Path(__file__).with_name("apps_script.gs")
_TAB_LINE = "var CASES_TAB = 'Casos';"


@dataclass(frozen=True)
class EditedRows:
    """Rows ``first`` to ``last`` of the cases tab, edited by a person while they held ``ids``."""

    first: int
    last: int
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Probe:
    """What one cheap check of the sheet tells.

    ``version`` changes when people edit the sheet; ``watched`` says whether it changes at once
    (False: only a scheduled read of the whole tab shows people's edits); ``complete`` says
    whether an unchanged version proves that nothing changed (a file's stamp does; the
    script's log misses sorts and deleted rows); ``edits`` are the rows edited since the
    version asked about, or None when only a read of the whole tab can tell.
    """

    version: object
    watched: bool
    complete: bool
    edits: tuple[EditedRows, ...] | None = None


def probe_of(values: Sequence[Sequence[object]] | None, since: object) -> Probe:
    """The probe that the ``_retencao`` tab's values (None: no such tab) give after ``since``."""
    if values is None:
        return Probe(None, watched=False, complete=False)
    revision = _whole(_cell(values, 0, 1))
    watched = _cell(values, 1, 1) not in ("", None)
    return Probe(revision, watched, complete=False, edits=_edits(values, since, revision))


def script_source(cases_tab: str) -> str:
    """The Apps Script to paste into the spreadsheet, for the cases tab ``cases_tab``."""
    source = SCRIPT.read_text(encoding="utf-8")
    return source.replace(_TAB_LINE, f"var CASES_TAB = {json.dumps(cases_tab)};", 1)


def _edits(
    values: Sequence[Sequence[object]], since: object, revision: int | None
) -> tuple[EditedRows, ...] | None:
    if not isinstance(since, int) or revision is None or not 0 <= revision - since <= RING:
        return None
    edits = []
    for number in range(since + 1, revision + 1):
        slot = FIRST_SLOT - 1 + (number - 1) % RING
        edited = _slot(values, slot, number)
        if edited is None:
            return None
        edits.append(edited)
    return tuple(edits)


def _slot(values: Sequence[Sequence[object]], row: int, revision: int) -> EditedRows | None:
    """The slot's edit if it still holds ``revision`` and names its rows' IDs."""
    first, last = _whole(_cell(values, row, 1)), _whole(_cell(values, row, 2))
    ids = _cell(values, row, 3)
    if _whole(_cell(values, row, 0)) != revision or first is None or last is None:
        return None
    names = tuple(str(ids).split("\n"))
    if ids == UNKNOWN_ROWS or len(names) != last - first + 1:
        return None
    return EditedRows(first, last, names)


def _cell(values: Sequence[Sequence[object]], row: int, column: int) -> object:
    if row < len(values) and column < len(values[row]):
        return values[row][column]
    return ""


def _whole(value: object) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return int(value)
    return None
