"""sheets/apps_script.gs run under node against an in-memory SpreadsheetApp, and the stand-in's
model of it, both held to the scenarios in tests/apps_script/scenarios.json."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from gspread.utils import a1_range_to_grid_range, rowcol_to_a1

from tests.standin import SheetsStandIn
from tests.standin import apps_script as model

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "sheets" / "apps_script.gs"
RUNNER = ROOT / "tests" / "apps_script" / "run.js"
SCENARIOS = json.loads((RUNNER.parent / "scenarios.json").read_text(encoding="utf-8"))
DATE = "<date>"  # a date-time cell, in scenarios and in run.js's output
TYPED_DATE = "17/06/2025 12:00:00"  # a date-time as a person types it


@pytest.fixture(scope="module")
def node_results() -> dict[str, dict]:
    """Each scenario's tabs and hidden tabs after run.js, by scenario name."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: ./test.sh installs Debian's nodejs")
    done = subprocess.run(
        [node, str(RUNNER)], capture_output=True, encoding="utf-8", timeout=120, check=False
    )
    if done.returncode:
        pytest.fail(f"run.js exited with {done.returncode}:\n{done.stderr}")
    return {result.pop("name"): result for result in json.loads(done.stdout)}


def typed(value: object) -> str:
    """A scenario's cell value as a person types it."""
    if value == DATE:
        return TYPED_DATE
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def play(standin: SheetsStandIn, key: str, event: dict) -> None:
    """A person's action: opening the spreadsheet, or typing, ticking, pasting or clearing."""
    if event["type"] == "open":
        standin.person_open(key)
        return
    grid = a1_range_to_grid_range(event["range"])
    height = grid["endRowIndex"] - grid["startRowIndex"]
    width = grid["endColumnIndex"] - grid["startColumnIndex"]
    rows = event.get("values") or [[""] * width] * height  # none: the person clears the range
    assert [len(row) for row in rows] == [width] * height
    tab, cell = event["tab"], event["range"].split(":")[0]
    if (height, width) == (1, 1) and isinstance(rows[0][0], bool):
        standin.person_tick(key, tab, cell, rows[0][0])
    elif (height, width) == (1, 1):
        standin.person_type(key, tab, cell, typed(rows[0][0]))
    else:
        standin.person_paste(key, tab, cell, [[typed(value) for value in row] for row in rows])


def shown(standin: SheetsStandIn, key: str, tab: str) -> list[list]:
    """The tab's values as run.js prints them: date-time cells as "<date>"."""

    def is_date(r: int, c: int) -> bool:
        number_format = standin.number_format(key, tab, rowcol_to_a1(r + 1, c + 1)) or {}
        return number_format.get("type") == "DATE_TIME"

    rows = standin.grid(key, tab)
    return [
        [DATE if value != "" and is_date(r, c) else value for c, value in enumerate(row)]
        for r, row in enumerate(rows)
    ]


def run_in_standin(scenario: dict) -> dict:
    """The scenario played in the stand-in with the model installed, shown as run.js shows it."""
    standin = SheetsStandIn()
    key = standin.create_spreadsheet(worksheets=scenario["tabs"])
    for tab, rows in scenario["tabs"].items():
        standin.person_paste(key, tab, "A1", [[typed(value) for value in row] for row in rows])
    standin.install_script(key, scenario.get("cases_tab", "Casos"))
    standin.script_lock_refused = scenario.get("lock_refused", False)
    for event in scenario["events"]:
        play(standin, key, event)
    titles = standin.titles(key)
    return {
        "tabs": {title: shown(standin, key, title) for title in titles},
        "hidden": [title for title in titles if standin.hidden(key, title)],
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_the_script_leaves_the_expected_log(node_results, scenario):
    result = node_results[scenario["name"]]
    assert result["tabs"].get(model.LOG_TAB) == scenario["log"]
    assert (model.LOG_TAB in result["hidden"]) == scenario["hidden"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_the_standin_model_does_what_the_script_does(node_results, scenario):
    assert run_in_standin(scenario) == node_results[scenario["name"]]


def test_the_script_starts_with_the_settings_the_app_and_the_model_read():
    settings = [
        f"var CASES_TAB = '{model.CASES_TAB}';",
        f"var LOG_TAB = '{model.LOG_TAB}';",
        f"var ID_HEADER = '{model.ID_HEADER}';",
        f"var SCRIPT_VERSION = {model.SCRIPT_VERSION};",
        f"var RING = {model.RING};",
        f"var MAX_ROWS = {model.MAX_ROWS};",
    ]
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    start = lines.index(settings[0])
    assert lines[0] == "/** @OnlyCurrentDoc */"
    assert lines[start : start + len(settings)] == settings


def test_the_script_is_plain_es5():
    code = re.sub(r"//.*|/\*.*?\*/", "", SCRIPT.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert [token for token in ("=>", "`", "let ", "const ", "class ") if token in code] == []
