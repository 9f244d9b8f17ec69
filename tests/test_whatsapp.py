"""Pasted WhatsApp conversations: every format the team pastes, and no text ever lost."""

import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention.whatsapp import Message, Transcript, parse

SEED_CONTACT_3 = (
    "[12:27, 09/05/2025] ☑: Visto que conforme clausula contratual RESCISÃO Décima Primeira, era"
    " dever da clinica nos informar com 60 dias de antecedencia antes de parar de atender aos"
    " pacientes, o que não ocorreu.\n"
    "[17:49, 13/05/2025] ☑: Aguardamos retorno urgenteente\n"
    "[12:34, 16/05/2025] +55 67 90000-0001: Olá É q estamos com agenda lotada No momento\n"
    "[12:34, 16/05/2025] +55 67 90000-0001: Por enquanto estamos tendo Vaga para por aparelho"
)
SEED_CONTACT_5 = (
    "Bom dia,\n"
    "Segue interação:\n"
    "[11:30, 05/02/2024] Retenção: Bom dia, tudo bem?\n"
    "Meu nome é Daniela, falo em nome da Odonto Life Odontologia parceira da Dental Uni.\n"
    "[11:30, 05/02/2024] Retenção: Gostaria de saber se a Drª conseguiu analisar nossas propostas,"
    " podemos permanecer com a parceria ?\n"
    "[14:34, 05/02/2024] +55 91 90000-0002: Boa tarde!\n"
    "Infelizmente ela não tem interesse em continuar\n"
    "[15:22, 05/02/2024] Retenção: Entendo, agradeço pelo retorno."
)
PHONE = "+55 67 90000-0001"
ENCRYPTION = (
    "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente"
    " entre você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvir."
)

# (pasted text, unparsed, [(sent_at, author, text), ...])
CASES = {
    "seed contact 3": (
        SEED_CONTACT_3,
        "",
        [
            (
                datetime(2025, 5, 9, 12, 27),
                "☑",
                "Visto que conforme clausula contratual RESCISÃO Décima Primeira, era dever da"
                " clinica nos informar com 60 dias de antecedencia antes de parar de atender aos"
                " pacientes, o que não ocorreu.",
            ),
            (datetime(2025, 5, 13, 17, 49), "☑", "Aguardamos retorno urgenteente"),
            (
                datetime(2025, 5, 16, 12, 34),
                PHONE,
                "Olá É q estamos com agenda lotada No momento",
            ),
            (
                datetime(2025, 5, 16, 12, 34),
                PHONE,
                "Por enquanto estamos tendo Vaga para por aparelho",
            ),
        ],
    ),
    "seed contact 5": (
        SEED_CONTACT_5,
        "Bom dia,\nSegue interação:",
        [
            (
                datetime(2024, 2, 5, 11, 30),
                "Retenção",
                "Bom dia, tudo bem?\nMeu nome é Daniela, falo em nome da Odonto Life Odontologia"
                " parceira da Dental Uni.",
            ),
            (
                datetime(2024, 2, 5, 11, 30),
                "Retenção",
                "Gostaria de saber se a Drª conseguiu analisar nossas propostas, podemos permanecer"
                " com a parceria ?",
            ),
            (
                datetime(2024, 2, 5, 14, 34),
                "+55 91 90000-0002",
                "Boa tarde!\nInfelizmente ela não tem interesse em continuar",
            ),
            (datetime(2024, 2, 5, 15, 22), "Retenção", "Entendo, agradeço pelo retorno."),
        ],
    ),
    "android export with system lines": (
        f"09/05/2025 12:27 - {ENCRYPTION}\r\n"
        "09/05/2025 12:27 - Fulano adicionou você\r\n"
        f"09/05/2025 12:30 - {PHONE}: <Mídia oculta>\r\n"
        "10/05/2025 08:05 - Retenção: Bom dia! Horário: 14h30\r\n",
        "",
        [
            (datetime(2025, 5, 9, 12, 27), None, ENCRYPTION),
            (datetime(2025, 5, 9, 12, 27), None, "Fulano adicionou você"),
            (datetime(2025, 5, 9, 12, 30), PHONE, "<Mídia oculta>"),
            (datetime(2025, 5, 10, 8, 5), "Retenção", "Bom dia! Horário: 14h30"),
        ],
    ),
    "android two-digit year": (
        "09/05/25 12:27 - Ana: <Media omitted>\n31/12/99 23:59 - Ana: fim",
        "",
        [
            (datetime(2025, 5, 9, 12, 27), "Ana", "<Media omitted>"),
            (datetime(2099, 12, 31, 23, 59), "Ana", "fim"),
        ],
    ),
    "android without padding": (
        "9/5/2025, 7:05 - Ana: oi",
        "",
        [(datetime(2025, 5, 9, 7, 5), "Ana", "oi")],
    ),
    "android with no-break spaces": (
        "09/05/2025\u00a012:27\u202f-\u00a0Ana: oi",
        "",
        [(datetime(2025, 5, 9, 12, 27), "Ana", "oi")],
    ),
    "ios with seconds and direction marks": (
        "[09/05/2025 12:27:05] Retenção: Bom dia\n"
        f"\u200e[09/05/2025 12:28:10] \u202a{PHONE}\u202c: \u200eimagem ocultada",
        "",
        [
            (datetime(2025, 5, 9, 12, 27, 5), "Retenção", "Bom dia"),
            (datetime(2025, 5, 9, 12, 28, 10), PHONE, "imagem ocultada"),
        ],
    ),
    "web with seconds": (
        "[12:27:05, 09/05/2025] Ana: oi",
        "",
        [(datetime(2025, 5, 9, 12, 27, 5), "Ana", "oi")],
    ),
    "date first in brackets": (
        "[09/05/2025, 12:27] Nome: texto: com dois-pontos",
        "",
        [(datetime(2025, 5, 9, 12, 27), "Nome", "texto: com dois-pontos")],
    ),
    "emoji author and text": (
        "[12:27, 09/05/2025] Dra. Ana 🦷: Obrigada! 😊👍🏽\n✓ confirmado 🗓️",
        "",
        [(datetime(2025, 5, 9, 12, 27), "Dra. Ana 🦷", "Obrigada! 😊👍🏽\n✓ confirmado 🗓️")],
    ),
    "blank lines stay in the message they follow": (
        "\n  \n[12:27, 09/05/2025] Ana: um\n\ndois\n\n[12:28, 09/05/2025] Ana: três\n\n",
        "",
        [
            (datetime(2025, 5, 9, 12, 27), "Ana", "um\n\ndois"),
            (datetime(2025, 5, 9, 12, 28), "Ana", "três"),
        ],
    ),
    "a day that does not exist starts no message": (
        "[12:27, 09/05/2025] Ana: veja\n[12:28, 05/13/2025] Ana: isto é texto",
        "",
        [(datetime(2025, 5, 9, 12, 27), "Ana", "veja\n[12:28, 05/13/2025] Ana: isto é texto")],
    ),
}


def _rows(transcript: Transcript) -> list[tuple[datetime, str | None, str]]:
    return [(m.sent_at, m.author, m.text) for m in transcript.messages]


def _kept(transcript: Transcript) -> str:
    """What the transcript keeps of the pasted text: unparsed, then each message's lines."""
    parts = [transcript.unparsed] if transcript.unparsed else []
    return "\n".join(parts + [message.raw for message in transcript.messages])


def _promised(text: str) -> str:
    """The pasted text as parse must keep it: "\\r\\n" ends and leading blank lines aside."""
    lines = re.sub(r"\r+\n", "\n", text).split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


@pytest.mark.parametrize(("text", "unparsed", "rows"), CASES.values(), ids=CASES.keys())
def test_formats(text, unparsed, rows):
    transcript = parse(text)
    assert _rows(transcript) == rows
    assert transcript.unparsed == unparsed
    assert _kept(transcript) == _promised(text)
    assert parse(transcript.as_notes()) == transcript


def test_system_lines_have_no_author():
    first, second = parse(f"09/05/2025 12:27 - {ENCRYPTION}\n09/05/2025 12:28 - Ana: oi").messages
    assert first.system and first.author is None
    assert not second.system


def test_raw_keeps_the_pasted_lines():
    transcript = parse(SEED_CONTACT_5 + "\n\n")
    assert [m.raw for m in transcript.messages] == [
        "[11:30, 05/02/2024] Retenção: Bom dia, tudo bem?\nMeu nome é Daniela, falo em nome da"
        " Odonto Life Odontologia parceira da Dental Uni.",
        "[11:30, 05/02/2024] Retenção: Gostaria de saber se a Drª conseguiu analisar nossas"
        " propostas, podemos permanecer com a parceria ?",
        "[14:34, 05/02/2024] +55 91 90000-0002: Boa tarde!\n"
        "Infelizmente ela não tem interesse em continuar",
        "[15:22, 05/02/2024] Retenção: Entendo, agradeço pelo retorno.\n\n",
    ]


@pytest.mark.parametrize("seed", [SEED_CONTACT_3, SEED_CONTACT_5])
def test_seeds_are_already_in_the_stored_form(seed):
    assert parse(seed).as_notes() == seed


def test_stored_form():
    transcript = parse(
        "Prints:\n\u200e[09/05/2025 12:27:05] \u202aAna\u202c: oi\n09/05/25 08:00 - Fulano saiu"
    )
    assert transcript.as_notes() == (
        "Prints:\n[12:27:05, 09/05/2025] Ana: oi\n[08:00, 09/05/2025] Fulano saiu"
    )


def test_first_day():
    assert parse(SEED_CONTACT_5).first_day == date(2024, 2, 5)
    assert parse("sem conversa").first_day is None


def test_dates_are_day_first():
    (message,) = parse("[10:00, 03/04/2025] Ana: oi").messages
    assert message.sent_at.date() == date(2025, 4, 3)


def test_messages_are_equal_whatever_format_they_were_copied_in():
    web = parse("[12:27, 09/05/2025] Ana: oi").messages
    android = parse("09/05/2025 12:27 - Ana: oi").messages
    assert web == android
    assert web[0].raw != android[0].raw


@pytest.mark.parametrize(
    "text",
    [
        "Liguei às 14:30 e ninguém atendeu.\nRetorno: 12/05/2025 às 10:00.",
        "12/05/2025 - sem retorno",
        "[sem data] Ana: oi",
        "",
    ],
)
def test_text_that_is_no_chat_stays_whole(text):
    assert parse(text) == Transcript((), text)


@pytest.mark.parametrize(
    "text",
    [
        "[12:27, 09/05/2025] A" + " " * 300_000 + "x",
        "[12:27, 09/05/2025] A: " + " \u200e" * 150_000 + "x" + " \u200e" * 150_000,
        "09/05/2025 12:27 - " * 50_000,
        ("[12:27, 09/05/2025] A: oi\n" * 20_000),
    ],
    ids=["long blank run", "alternating blanks", "headers in one line", "many messages"],
)
def test_huge_pastes_lose_nothing(text):
    assert _kept(parse(text)) == _promised(text)


# Pieces of chats mixed into arbitrary text, so generated input often looks like a chat.
CHAT_PIECES = st.sampled_from(
    [
        "[12:27, 09/05/2025] ",
        "[09/05/2025 12:27:05] ",
        "[09/05/2025, 12:27] ",
        "09/05/25 12:27 - ",
        "9/5/2025, 7:05 - ",
        "31/02/2025 10:00 - ",
        "\u200e",
        "\u202a",
        "\u00a0",
        "\u202f",
        ": ",
        ":",
        "\n",
        "\r",
        "\r\n",
        " ",
        "☑: ",
        "Retenção: ",
        "\u202a+55 67 90000-0001\u202c: ",
        "<Mídia oculta>",
    ]
)
ANY_TEXT = st.one_of(st.text(), st.lists(st.one_of(st.text(), CHAT_PIECES)).map("".join))


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_nothing_is_lost(text):
    assert _kept(parse(text)) == _promised(text)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_stored_form_reads_back_the_same(text):
    transcript = parse(text)
    assert parse(transcript.as_notes()) == transcript


def _day(at: datetime, year: str = "%Y") -> str:
    return at.strftime(f"%d/%m/{year}")


# name: (header of a message sent at `at`, whether it shows seconds)
FORMATS = {
    "web": (lambda at: f"[{at:%H:%M}, {_day(at)}] ", False),
    "web with seconds": (lambda at: f"[{at:%H:%M:%S}, {_day(at)}] ", True),
    "date first": (lambda at: f"[{_day(at)}, {at:%H:%M}] ", False),
    "ios": (lambda at: f"\u200e[{_day(at)} {at:%H:%M:%S}] ", True),
    "android": (lambda at: f"{_day(at)} {at:%H:%M} - ", False),
    "android two-digit year": (lambda at: f"{_day(at, '%y')} {at:%H:%M} - ", False),
    "android without padding": (
        lambda at: f"{at.day}/{at.month}/{at.year}, {at.hour}:{at:%M} - ",
        False,
    ),
    "android no-break spaces": (lambda at: f"{_day(at)}\u00a0{at:%H:%M}\u202f- ", False),
}

# A text line may not start with a digit, "[" or a blank: it could then begin a message.
EDGE_CHARS = st.sampled_from(list("aZçÃé!?<>()'\"*_~😊🦷☑✓👍🏽"))
LINE = (
    st.builds(
        lambda first, middle, last: first + middle + last,
        EDGE_CHARS,
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"), max_size=30),
        EDGE_CHARS,
    )
    | EDGE_CHARS
)
# Blank lines inside a text are kept; at its end they only belong to the raw message.
TEXT = st.builds(
    lambda first, more: "\n".join([first, *more]).rstrip("\n"),
    LINE,
    st.lists(st.one_of(st.just(""), LINE), max_size=4),
)
AUTHOR = st.text(st.sampled_from(list("abcXYZçãé 0123456789+-.()☑✓🦷😊")), min_size=1, max_size=25)
MOMENT = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59))


@st.composite
def chats(draw):
    """A format and the messages written in it, as (sent_at, author, text) rows."""
    name = draw(st.sampled_from(sorted(FORMATS)))
    header, has_seconds = FORMATS[name]
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        at = draw(MOMENT).replace(microsecond=0)
        at = at if has_seconds else at.replace(second=0)
        author = draw(st.one_of(st.none(), AUTHOR.map(str.strip).filter(bool)))
        text = draw(TEXT)
        if author is None:  # a system line's first ": " would make an author of what precedes it
            first, newline, rest = text.partition("\n")
            text = first.replace(":", ";") + newline + rest
        rows.append((at, author, text))
    lines = [header(at) + (f"{author}: " if author else "") + text for at, author, text in rows]
    return "\n".join(lines), rows


@settings(max_examples=200, deadline=None)
@given(chats())
def test_every_format_reads_back_what_was_written(chat):
    text, rows = chat
    transcript = parse(text)
    assert _rows(transcript) == rows
    assert transcript.unparsed == ""
    assert parse(transcript.as_notes()) == transcript


def test_message_is_a_value():
    message = Message(datetime(2025, 5, 9, 12, 27), "Ana", "oi", "raw")
    with pytest.raises(AttributeError):
        message.text = "outro"  # type: ignore[misc]
