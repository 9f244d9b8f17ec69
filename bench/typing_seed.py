"""How fast the first seed form is typed through the browser, keyboard only: Tab stops and keys.

A keyboard-only typist starts above the form and presses Tab from field to field down to
Salvar; where the seed (tests/seeds.py) has a value she types it (a value the form already
shows, such as a suggested default, is left alone), picks it (a dropdown: the shortest prefix
that selects it; radios: arrow keys) or ticks it (Space), and opens a closed section (Enter)
when it holds something to type. Dates are typed as ``ddmmaa`` where the form accepts it;
``-`` and ``R$ -`` (no value) are left blank. The run is made on the current tree and on the
tree of an older commit (``--before``, by default the one issue #14 started from), each served
by ``flask run`` from its own folder with a fresh workbook. Run from the repository folder:

    .venv/bin/python bench/typing_seed.py [--before 838ff7a] [--phone]
"""

import argparse
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import requests
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auth.users import UserStore  # noqa: E402
from tests.conftest import PASSWORD  # noqa: E402
from tests.seeds import CLINIC_FORM  # noqa: E402

STARTED_FROM = "838ff7a"  # main when issue #14 ("The analyst's day") was taken up
CHROMIUM = os.environ.get("RETENCAO_CHROMIUM", "/usr/bin/chromium")
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
BLANK = {"-", "R$ -"}
MAX_STOPS = 400
FOCUSED = """() => {
  const e = document.activeElement, form = e.closest("form.case-form");
  const details = e.tagName === "SUMMARY" ? e.parentElement : null;
  return {inForm: !!form, tag: e.tagName, type: e.type || "", name: e.name || "",
          value: e.value ?? "", text: e.textContent.trim(), mask: e.dataset.mask || "",
          checked: !!e.checked, closedDetails: !!(details && !details.open),
          roving: !!e.closest("[data-roving]"),
          inside: details ? [...details.querySelectorAll("[name]")].map(c => c.name) : []};
}"""


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def extract(commit: str, folder: Path) -> Path:
    """The tree of ``commit`` unpacked into ``folder``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def serve(tree: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """``flask run`` from ``tree`` with a fresh workbook; the process and its address."""
    UserStore(folder / "users.sqlite3").add("bench", "Bench", "analista", PASSWORD)
    port = free_port()
    env = os.environ | {
        "FLASK_SKIP_DOTENV": "1",
        "GOOGLE_SHEET_ID": "",
        "RETENCAO_WORKBOOK": str(folder / "casos.xlsx"),
        "RETENCAO_OUTBOX": str(folder / "outbox.sqlite3"),
        "RETENCAO_OUTBOX_INTERVAL": "0",
        "RETENCAO_USERS": str(folder / "users.sqlite3"),
        "SECRET_KEY": "bench",
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/entrar", timeout=2)
            return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the server did not start")


class Typist:
    """Counts every key she presses on ``page``."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.tabs = 0
        self.keys = 0

    def press(self, key: str, count: int = 1) -> None:
        for _ in range(count):
            self.page.keyboard.press(key)
        self.keys += count

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def tab(self) -> dict:
        """Tab to the next stop; what has the focus then."""
        self.page.keyboard.press("Tab")
        self.tabs += 1
        return self.page.evaluate(FOCUSED)


def start_above_the_form(page: Page) -> None:
    """Put the sequential focus starting point on the page's heading, above the form."""
    page.locator("h1").first.click()


def count_tab_stops(page: Page) -> int:
    """The Tab stops of the form as it opens, each counted once."""
    start_above_the_form(page)
    typist, stops = Typist(page), 0
    focused = typist.tab()
    while not focused["inForm"] and typist.tabs < MAX_STOPS:
        focused = typist.tab()
    while focused["inForm"] and typist.tabs < MAX_STOPS:
        stops += 1
        focused = typist.tab()
    return stops


def shortest(text: str) -> str:
    """A date or date-time as a typist with a masked field types it: ``170625``, digits only."""
    digits = "".join(c for c in text if c.isdigit())
    return digits[:4] + digits[6:] if len(digits) == 8 else digits


def prefix_for(page: Page, value: str) -> str:
    """The shortest text that, typed on the focused dropdown, selects ``value``."""
    labels = page.evaluate(
        "() => [...document.activeElement.options].map(o => [o.value, o.text.toLowerCase()])"
    )
    label = next(text for option, text in labels if option == value)
    for size in range(1, len(label) + 1):
        first = next(option for option, text in labels if text.startswith(label[:size]))
        if first == value:
            return label[:size]
    return label


def fill_text(typist: Typist, focused: dict, value: str) -> None:
    """Type ``value`` into the focused text field, unless it already shows it."""
    if value in BLANK or focused["value"] == value.replace("\r\n", "\n"):
        return
    if focused["value"]:
        typist.press("Control+A")
    typed = shortest(value) if focused["mask"] in ("date", "datetime") else value
    typist.type(typed.replace("\r\n", "\n"))


def pick_radio(typist: Typist, focused: dict) -> None:
    """Arrow keys from the focused radio to the seed's choice (arrows tick as they move)."""
    values = typist.page.evaluate(
        "n => [...document.getElementsByName(n)].map(r => r.value)", focused["name"]
    )
    steps = values.index(CLINIC_FORM[focused["name"]]) - values.index(focused["value"])
    if steps == 0 and not focused["checked"]:
        typist.press("Space")
    typist.press("ArrowRight" if steps >= 0 else "ArrowLeft", abs(steps))


def tick_group(typist: Typist, focused: dict) -> dict:
    """Tick the seed's options of a checkbox group: one stop, or one stop per box."""
    wanted = CLINIC_FORM[focused["name"]]
    wanted = wanted if isinstance(wanted, list) else [focused["value"]]
    while True:
        if focused["value"] in wanted and not focused["checked"]:
            typist.press("Space")
        if not focused["roving"]:
            return focused
        last = typist.page.evaluate(
            "n => [...document.getElementsByName(n)].at(-1) === document.activeElement",
            focused["name"],
        )
        if last:
            return focused
        typist.press("ArrowDown")
        focused = typist.page.evaluate(FOCUSED)


def act(typist: Typist, focused: dict) -> None:
    """Do what the seed asks of the focused control, if anything."""
    name, kind = focused["name"], focused["type"]
    if focused["closedDetails"] and set(focused["inside"]) & set(CLINIC_FORM):
        typist.press("Enter")
    elif name not in CLINIC_FORM:
        return
    elif kind == "radio":
        pick_radio(typist, focused)
    elif kind == "checkbox":
        tick_group(typist, focused)
    elif focused["tag"] == "SELECT":
        if focused["value"] != CLINIC_FORM[name]:
            typist.type(prefix_for(typist.page, str(CLINIC_FORM[name])))
    else:
        fill_text(typist, focused, str(CLINIC_FORM[name]))


def type_the_seed(page: Page) -> Typist:
    """Type seed 1 from above the form down to Salvar, then press Enter on it."""
    start_above_the_form(page)
    typist = Typist(page)
    focused = typist.tab()
    while typist.tabs < MAX_STOPS:
        if focused["inForm"] and focused["tag"] == "BUTTON" and focused["text"] == "Salvar":
            typist.press("Enter")
            page.wait_for_url("**/casos/RET-*")
            return typist
        act(typist, focused)
        focused = typist.tab()
    raise RuntimeError("never reached Salvar")


def measure(base: str, browser, device: dict) -> dict:
    """Tab stops of the empty form, and the keys and time to type seed 1 into it."""
    context = browser.new_context(locale="pt-BR", timezone_id="America/Sao_Paulo", **device)
    page = context.new_page()
    page.goto(base + "/entrar")
    page.fill("#username", "bench")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.goto(base + "/casos/novo")
    height = page.evaluate("document.documentElement.scrollHeight")
    stops = count_tab_stops(page)
    page.goto(base + "/casos/novo")
    started = time.perf_counter()
    typist = type_the_seed(page)
    elapsed = time.perf_counter() - started
    context.close()
    return {"stops": stops, "tabs": typist.tabs, "keys": typist.keys, "s": elapsed, "px": height}


def run(tree: Path, device: dict) -> dict:
    """Serve ``tree`` and measure it in Debian's Chromium."""
    with tempfile.TemporaryDirectory() as folder:
        process, base = serve(tree, Path(folder))
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                try:
                    return measure(base, browser, device)
                finally:
                    browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=STARTED_FROM, help="commit to compare with")
    parser.add_argument("--phone", action="store_true", help="390 x 844 instead of 1366 x 768")
    args = parser.parse_args()
    device = PHONE if args.phone else LAPTOP
    with tempfile.TemporaryDirectory() as folder:
        before = run(extract(args.before, Path(folder)), device)
    after = run(ROOT, device)
    print(f"Seed 1 typed keyboard-only on a {device['viewport']['width']} px wide screen")
    print(f"{'':24}{'before':>10}{'after':>10}")
    rows = [
        ("Tab stops of the form", "stops", "{}"),
        ("Tab presses to Salvar", "tabs", "{}"),
        ("Other keys", "keys", "{}"),
        ("Page height (px)", "px", "{}"),
        ("Time (s)", "s", "{:.1f}"),
    ]
    for label, key, shape in rows:
        print(f"{label:24}{shape.format(before[key]):>10}{shape.format(after[key]):>10}")
    saved = 1 - after["stops"] / before["stops"]
    print(f"Tab stops: {saved:.0%} fewer")


if __name__ == "__main__":
    main()
