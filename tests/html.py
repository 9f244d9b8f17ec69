"""Reading what a user sees in a rendered page."""

import html
import re
from html.parser import HTMLParser

TICKED, EMPTY = "☑", "☐"


def field_errors(page: str, field_id: str) -> list[str]:
    """The error messages shown beside the field ``field_id``."""
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-erro">(.*?)</ul>', page, re.S)
    if not match:
        return []
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def input_value(page: str, field_id: str) -> str | None:
    """The value an ``<input id=field_id>`` shows, or None if there is no such input."""
    match = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def text(page: str) -> str:
    """The page's visible text: tags removed, entities decoded, blanks collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def hidden_value(page: str, name: str) -> str:
    """The value of the hidden input ``name``."""
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*type="hidden"[^>]*>', page)
    assert match, f"no hidden input {name}"
    return html.unescape(re.search(r'\bvalue="([^"]*)"', match.group(0)).group(1))


def tick_lists(page: str) -> dict[str, list[tuple[str, bool]]]:
    """Each list of options drawn with boxes, by its label: (option, box ticked) in page order."""
    parser = _TickLists()
    parser.feed(page)
    parser.close()
    return parser.lists


class _TickLists(HTMLParser):
    """Collects ``<ul class="ticks" aria-label=...>`` items; the box is the item's first glyph."""

    def __init__(self) -> None:
        super().__init__()
        self.lists: dict[str, list[tuple[str, bool]]] = {}
        self.label: str | None = None
        self.item: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "ul" and "ticks" in (found.get("class") or "").split():
            self.label = found.get("aria-label") or ""
            assert self.label not in self.lists, f"two option lists labelled {self.label!r}"
            self.lists[self.label] = []
        elif tag == "li" and self.label is not None:
            self.item = []

    def handle_data(self, data: str) -> None:
        if self.item is not None:
            self.item.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.label is not None and self.item is not None:
            shown = " ".join("".join(self.item).split())
            box, option = shown[:1], shown[1:].strip()
            assert box in (TICKED, EMPTY), f"option without a box: {shown!r}"
            self.lists[self.label].append((option, box == TICKED))
            self.item = None
        elif tag == "ul":
            self.label = None
