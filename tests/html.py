"""Reading what a user sees in a rendered page."""

import html
import re


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
