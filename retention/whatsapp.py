"""WhatsApp conversations pasted into contact notes, read as messages without losing any text.

A line that starts with one of these headers begins a message (dates are always dd/mm; a
two-digit year is 20aa):

- ``[12:27, 09/05/2025] Nome: texto`` and ``[12:27:05, 09/05/2025] ...`` (Web/Desktop copy);
- ``[09/05/2025, 12:27] Nome: texto`` and ``[09/05/2025 12:27:05] ...`` (other copies, iOS);
- ``09/05/2025 12:27 - Nome: texto``, ``09/05/25 12:27 - ...``, ``9/5/2025, 12:27 - ...``
  (Android export).

Every other line belongs to the message before it, blank lines included; lines before the first
message are ``Transcript.unparsed``. Only "\\r\\n" line ends and the blank lines before the first
text are dropped, so ``unparsed`` and the messages' ``raw`` give back everything else verbatim.
The author is what precedes the message's first ": " (a notice from WhatsApp has none) and the
text is trimmed of blanks and direction marks at its ends.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

# Marks WhatsApp puts at line starts and around names and numbers: direction marks and the like.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_BLANKS = re.compile(rf"[\s{_INVISIBLE}]*")
_SPACE = "[ \u00a0\u202f]"
_SEPARATOR = rf"(?:,{_SPACE}*|{_SPACE}+)"
_TIME = r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
_DATE = r"(?P<day>[0-9]{1,2})/(?P<month>[0-9]{1,2})/(?P<year>[0-9]{4}|[0-9]{2})"
_HEADERS = tuple(
    re.compile(rf"[\s{_INVISIBLE}]*{header}")
    for header in (
        rf"\[{_TIME}{_SEPARATOR}{_DATE}\]",
        rf"\[{_DATE}{_SEPARATOR}{_TIME}\]",
        # Any blank after the dash will do, so trimming a message's end never creates a header.
        rf"{_DATE}{_SEPARATOR}{_TIME}{_SPACE}+-(?=[\s{_INVISIBLE}]|$)",
    )
)
# "\r\r\n" comes from converting line ends twice; all of it is one line end.
_LINE_END = re.compile(r"\r+\n")


@dataclass(frozen=True)
class Message:
    """One message: when, who (None for WhatsApp's own notices) and what was written."""

    sent_at: datetime
    author: str | None
    text: str
    # The same message copied in another format is the same message.
    raw: str = field(compare=False)

    @property
    def system(self) -> bool:
        """Whether this is a notice from WhatsApp itself, with no author."""
        return self.author is None


@dataclass(frozen=True)
class Transcript:
    """A pasted conversation: the text before its first message, then the messages in order."""

    messages: tuple[Message, ...]
    unparsed: str = ""

    @property
    def first_day(self) -> date | None:
        """The day of the first message; None without messages."""
        return self.messages[0].sent_at.date() if self.messages else None

    def as_notes(self) -> str:
        """The text stored in the contact's notes: ``unparsed``, then one header per message."""
        parts = [self.unparsed] if self.unparsed else []
        return "\n".join(parts + [_note(message) for message in self.messages])


def parse(text: str) -> Transcript:
    """Read a pasted conversation; text that is no chat ends up whole in ``unparsed``."""
    preface: list[str] = []
    messages: list[tuple[datetime, str, list[str]]] = []
    for line in _lines(text):
        header = _header(line)
        if header is not None:
            messages.append((*header, [line]))
        elif messages:
            messages[-1][2].append(line)
        else:
            preface.append(line)
    return Transcript(tuple(_message(*parts) for parts in messages), "\n".join(preface))


def _lines(text: str) -> list[str]:
    """The pasted lines from the first one that is not blank."""
    lines = _LINE_END.sub("\n", text).split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    return lines[start:]


def _header(line: str) -> tuple[datetime, str] | None:
    """When ``line`` starts a message: its date and time and the rest of the line."""
    for pattern in _HEADERS:
        match = pattern.match(line)
        if match and (sent_at := _sent_at(match)) is not None:
            return sent_at, line[match.end() :]
    return None


def _sent_at(match: re.Match[str]) -> datetime | None:
    """The header's date and time; None if that day or hour does not exist."""
    year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
    try:
        return datetime(
            year,
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        return None


def _message(sent_at: datetime, rest: str, lines: list[str]) -> Message:
    """The message whose header is followed by ``rest`` and whose lines are ``lines``."""
    body = _strip("\n".join([rest, *lines[1:]]))
    head, separator, text = body.partition(": ")
    author = _strip(head)
    if separator and author and "\n" not in head:
        return Message(sent_at, author, _strip(text), "\n".join(lines))
    return Message(sent_at, None, body, "\n".join(lines))


def _strip(text: str) -> str:
    """``text`` without blanks or invisible marks at either end."""
    # Matching the reversed text keeps trimming linear however long a run of blanks is.
    start = _blank_run(text)
    end = len(text) - _blank_run(text[::-1])
    return text[start : max(start, end)]


def _blank_run(text: str) -> int:
    """How many blanks or invisible marks ``text`` starts with."""
    match = _BLANKS.match(text)
    return match.end() if match else 0


def _note(message: Message) -> str:
    """``message`` as a ``[12:27, 09/05/2025] Autor: texto`` line; seconds only when present."""
    at = message.sent_at
    seconds = f":{at.second:02d}" if at.second else ""
    header = f"[{at.hour:02d}:{at.minute:02d}{seconds}, {at.day:02d}/{at.month:02d}/{at.year:04d}]"
    if message.author is None:
        return f"{header} {message.text}"
    return f"{header} {message.author}: {message.text}"
