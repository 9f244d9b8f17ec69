"""Pasting a WhatsApp chat into a contact of the case form: read, confirm, save; never lost."""

import html
import re
from datetime import date

import pytest

from sheets.columns import CELL_TEXT_LIMIT
from tests.conftest import created_id, post_new
from tests.html import field_errors, hidden_value, text
from tests.seeds import CLINIC_FORM, CONTACT_3
from tests.test_fuzz import as_submitted, kept_as_typed, shown
from tests.test_whatsapp import ENCRYPTION, SEED_CONTACT_5

LOCAL_ONLY = pytest.mark.parametrize("backend_kind", ["local"])  # nothing is saved
NEW = "/casos/novo"
PHONE_1 = "+55 67 90000-0001"
PHONE_2 = "+55 91 90000-0002"
OFFER = (
    "Gostaria de saber se a Drª conseguiu analisar nossas propostas, podemos permanecer com a"
    " parceria ?"
)
# (pasted chat, [(data, hora, autor, mensagem), ...] as the preview must show them)
SEED_CHATS = {
    "first seed, 3º contato": (
        CONTACT_3,
        [
            ("09/05/2025", "12:27", "☑", CONTACT_3.split("\n")[0].split("☑: ")[1]),
            ("13/05/2025", "17:49", "☑", "Aguardamos retorno urgenteente"),
            ("16/05/2025", "12:34", PHONE_1, "Olá É q estamos com agenda lotada No momento"),
            ("16/05/2025", "12:34", PHONE_1, "Por enquanto estamos tendo Vaga para por aparelho"),
        ],
    ),
    "second seed, 5º contato": (
        SEED_CONTACT_5,
        [
            (
                "05/02/2024",
                "11:30",
                "Retenção",
                "Bom dia, tudo bem?\nMeu nome é Daniela, falo em nome da Odonto Life Odontologia"
                " parceira da Dental Uni.",
            ),
            ("05/02/2024", "11:30", "Retenção", OFFER),
            (
                "05/02/2024",
                "14:34",
                PHONE_2,
                "Boa tarde!\nInfelizmente ela não tem interesse em continuar",
            ),
            ("05/02/2024", "15:22", "Retenção", "Entendo, agradeço pelo retorno."),
        ],
    ),
}
SEED_FIRST_DAYS = {"first seed, 3º contato": "09/05/2025", "second seed, 5º contato": "05/02/2024"}


def preview_rows(page: str) -> list[tuple[str, str, str | None, str]]:
    """The messages the preview table shows; None as author marks a notice from WhatsApp."""
    table = re.search(r'<table class="messages">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert table, "no preview of the chat on the page"
    rows = []
    for attributes, body in re.findall(r"<tr([^>]*)>(.*?)</tr>", table.group(1), re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        ]
        day, time, author, message = cells
        rows.append((day, time, None if "system" in attributes else author, message))
    return rows


def selected_channel(page: str, slot: int) -> str:
    """The channel chosen for contact ``slot``; "" when none."""
    return shown(page, f"contacts-{slot}-channel")


def press(client, url: str, page: str, button: str, slot: int, **changes):
    """Submit ``page``'s form as the browser does when ``button`` of contact ``slot`` is
    pressed after typing ``changes``."""
    return client.post(url, data=as_submitted(page, {**changes, button: str(slot)}))


def empty_form(client, url: str = NEW) -> str:
    """The form page as first opened."""
    return client.get(url).get_data(as_text=True)


def typed_seed(slot: int, chat: str) -> dict[str, object]:
    """The first seed form typed in full, with ``chat`` pasted into contact ``slot`` instead
    of being in its notes."""
    form = {**CLINIC_FORM, f"contacts-{slot}-whatsapp": chat}
    form.pop(f"contacts-{slot}-notes", None)
    return form


@LOCAL_ONLY
@pytest.mark.parametrize(("chat", "rows"), SEED_CHATS.values(), ids=SEED_CHATS.keys())
def test_reading_a_seed_chat_shows_its_messages_and_keeps_everything_typed(
    client, book, chat, rows
):
    typed = typed_seed(4, chat)

    response = press(client, NEW, empty_form(client), "ler_whatsapp", 4, **typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert preview_rows(page) == rows
    assert "Usar esta conversa" in page and "Descartar" in page
    for name, value in typed.items():
        assert kept_as_typed(name, value, shown(page, name)), name
    assert shown(page, "contacts-4-notes") == "" and shown(page, "contacts-4-day") == ""
    assert book.cases() == [] and book.waiting() == []


@LOCAL_ONLY
def test_reading_shows_no_error_for_the_rest_of_the_form(client, book):
    typed = {
        **typed_seed(0, CONTACT_3),
        "analyst": "",
        "cpf": "529.982.247-26",
        "contacts-1-day": "31/02/2025",
    }

    response = press(client, NEW, empty_form(client), "ler_whatsapp", 0, **typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="errors"' not in page and "nada foi gravado ainda" not in page
    assert shown(page, "cpf") == "529.982.247-26"
    assert shown(page, "contacts-1-day") == "31/02/2025"
    assert len(preview_rows(page)) == 4
    assert book.cases() == []


def test_using_a_chat_fills_the_contact_and_saving_stores_it(client, book, sheet):
    typed = typed_seed(2, CONTACT_3)
    read = press(client, NEW, empty_form(client), "ler_whatsapp", 2, **typed)

    used = press(client, NEW, read.get_data(as_text=True), "usar_whatsapp", 2)

    page = used.get_data(as_text=True)
    assert used.status_code == 200
    assert shown(page, "contacts-2-day") == "09/05/2025"  # the day of the first message
    assert selected_channel(page, 2) == "WhatsApp"
    assert shown(page, "contacts-2-notes") == CONTACT_3
    assert shown(page, "contacts-2-whatsapp") == ""
    assert "Nada foi gravado ainda" in text(page)
    assert book.cases() == []

    case_id = created_id(client.post(NEW, data=as_submitted(page, {})))

    [row] = sheet.rows()
    assert row["ID do caso"] == case_id
    assert row["3º contato - Data"].date() == date(2025, 5, 9)
    assert row["3º contato - Canal"] == "WhatsApp"
    assert row["3º contato - Obs."] == CONTACT_3
    assert row["1º contato - Data"].date() == date(2025, 5, 8)  # the other contacts as typed
    assert row["Cidade"] == "CAMPO GRANDE"


@LOCAL_ONLY
@pytest.mark.parametrize("name", SEED_CHATS)
def test_the_contact_date_is_the_day_of_the_first_message(client, name):
    chat = SEED_CHATS[name][0]
    read = press(client, NEW, empty_form(client), "ler_whatsapp", 5, **typed_seed(5, chat))

    used = press(client, NEW, read.get_data(as_text=True), "usar_whatsapp", 5)

    assert shown(used.get_data(as_text=True), "contacts-5-day") == SEED_FIRST_DAYS[name]


@LOCAL_ONLY
def test_a_chat_in_another_format_is_stored_one_line_per_message(client):
    chat = (
        f"09/05/2025 12:27 - {ENCRYPTION}\r\n"
        f"\u200e09/05/2025 12:30 - \u202a{PHONE_1}\u202c: <Mídia oculta>\r\n"
        "10/05/2025 08:05 - Retenção: Bom dia!\r\nHorário: 14h30\r\n"
    )
    read = press(
        client, NEW, empty_form(client), "ler_whatsapp", 0, **{"contacts-0-whatsapp": chat}
    )

    page = read.get_data(as_text=True)
    assert preview_rows(page) == [
        ("09/05/2025", "12:27", None, ENCRYPTION),
        ("09/05/2025", "12:30", PHONE_1, "<Mídia oculta>"),
        ("10/05/2025", "08:05", "Retenção", "Bom dia!\nHorário: 14h30"),
    ]
    assert "aviso do WhatsApp" in page
    assert "&lt;Mídia oculta&gt;" in page

    used = press(client, NEW, page, "usar_whatsapp", 0)

    assert shown(used.get_data(as_text=True), "contacts-0-notes") == (
        f"[12:27, 09/05/2025] {ENCRYPTION}\n"
        f"[12:30, 09/05/2025] {PHONE_1}: <Mídia oculta>\n"
        "[08:05, 10/05/2025] Retenção: Bom dia!\nHorário: 14h30"
    )


UNPARSEABLE = (
    "Liguei às 14:30, ninguém atendeu.\n"
    "Segue conversa:\n"
    "[12:27, 09/05/2025] Ana: oi\n"
    "[12:28, 05/13/2025] Ana: esta linha tem um dia que não existe\n"
    "print da tela anexado"
)


@pytest.mark.parametrize("backend_kind", ["local", "google"])
def test_unparseable_lines_are_kept_in_the_notes(client, sheet):
    read = press(client, NEW, empty_form(client), "ler_whatsapp", 0, **typed_seed(0, UNPARSEABLE))
    page = read.get_data(as_text=True)
    assert "Liguei às 14:30, ninguém atendeu.\nSegue conversa:" in page  # shown before the table
    [(_, _, author, message)] = preview_rows(page)
    assert (author, message.split("\n")[0]) == ("Ana", "oi")

    used = press(client, NEW, page, "usar_whatsapp", 0)
    notes = shown(used.get_data(as_text=True), "contacts-0-notes")
    assert notes == UNPARSEABLE

    created_id(client.post(NEW, data=as_submitted(used.get_data(as_text=True), {})))
    [row] = sheet.rows()
    assert row["1º contato - Obs."] == UNPARSEABLE


@LOCAL_ONLY
def test_text_that_is_no_chat_goes_to_the_notes_as_it_is(client):
    note = "Ligação às 14:30 de 12/05/2025: sem resposta.\nRetornar amanhã."
    read = press(
        client, NEW, empty_form(client), "ler_whatsapp", 4, **{"contacts-4-whatsapp": note}
    )
    page = read.get_data(as_text=True)
    assert "Nenhuma mensagem do WhatsApp reconhecida" in text(page)

    used = press(client, NEW, page, "usar_whatsapp", 4)

    page = used.get_data(as_text=True)
    assert shown(page, "contacts-4-notes") == note
    assert shown(page, "contacts-4-day") == ""  # no message, no date
    assert selected_channel(page, 4) == ""


@pytest.mark.parametrize("backend_kind", ["local", "google"])
def test_a_chat_pasted_into_a_contact_with_notes_is_appended(client, sheet):
    typed = {**CLINIC_FORM, "contacts-0-channel": "E-mail", "contacts-0-whatsapp": CONTACT_3}
    read = press(client, NEW, empty_form(client), "ler_whatsapp", 0, **typed)
    assert "a conversa entra depois do texto que já está lá" in text(read.get_data(as_text=True))

    used = press(client, NEW, read.get_data(as_text=True), "usar_whatsapp", 0)

    page = used.get_data(as_text=True)
    before = CLINIC_FORM["contacts-0-notes"].replace("\r\n", "\n")
    assert shown(page, "contacts-0-notes") == f"{before}\n{CONTACT_3}"
    assert shown(page, "contacts-0-day") == "08/05/2025"  # the date typed stays
    assert selected_channel(page, 0) == "E-mail"  # so does the channel chosen
    created_id(client.post(NEW, data=as_submitted(page, {})))
    [row] = sheet.rows()
    assert row["1º contato - Obs."] == f"{before}\n{CONTACT_3}"
    assert row["1º contato - Data"].date() == date(2025, 5, 8)


@pytest.mark.parametrize("backend_kind", ["local", "google"])
def test_on_the_edit_page_the_round_trip_keeps_the_conflict_base_and_other_edits(client, sheet):
    case_id = created_id(post_new(client, CLINIC_FORM))
    url = f"/casos/{case_id}/editar"
    loaded = client.get(url).get_data(as_text=True)
    base = hidden_value(loaded, "base")
    edits = {"lives": "2.001", "city": "DOURADOS", "contacts-4-whatsapp": SEED_CONTACT_5}

    read = press(client, url, loaded, "ler_whatsapp", 4, **edits)
    assert read.status_code == 200
    assert hidden_value(read.get_data(as_text=True), "base") == base
    assert len(preview_rows(read.get_data(as_text=True))) == 4
    used = press(client, url, read.get_data(as_text=True), "usar_whatsapp", 4)
    page = used.get_data(as_text=True)
    assert hidden_value(page, "base") == base
    assert shown(page, "city") == "DOURADOS" and shown(page, "lives") == "2.001"
    assert sheet.rows()[0]["Cidade"] == "CAMPO GRANDE"  # nothing written yet

    sheet.set_cell(case_id, "Cidade", "TRÊS LAGOAS")  # meanwhile, a supervisor
    conflict = client.post(url, data=as_submitted(page, {}))
    assert conflict.status_code == 409  # the base still tells what the user saw
    saved = client.post(url, data=as_submitted(conflict.get_data(as_text=True), {}))

    assert saved.status_code == 302
    [row] = sheet.rows()
    assert row["Cidade"] == "DOURADOS"
    assert row["5º contato - Data"].date() == date(2024, 2, 5)
    assert row["5º contato - Canal"] == "WhatsApp"
    assert row["5º contato - Obs."] == SEED_CONTACT_5
    assert row["Nº de vidas"] == 2001


@LOCAL_ONLY
def test_a_chat_too_long_for_the_cell_is_refused_beside_the_field_and_kept(client, book):
    notes = "x" * (CELL_TEXT_LIMIT - 100)
    typed = {**CLINIC_FORM, "contacts-0-notes": notes, "contacts-0-whatsapp": CONTACT_3}
    page = empty_form(client)

    for button in ("ler_whatsapp", "usar_whatsapp"):
        response = press(client, NEW, page, button, 0, **typed)

        shown_page = response.get_data(as_text=True)
        assert response.status_code == 422
        [error] = field_errors(shown_page, "contacts-0-whatsapp")
        assert "não cabe" in error and "32.767" in error
        assert shown(shown_page, "contacts-0-whatsapp") == CONTACT_3
        assert shown(shown_page, "contacts-0-notes") == notes
        assert "Usar esta conversa" not in shown_page
    assert book.cases() == []


@LOCAL_ONLY
def test_a_huge_paste_alone_is_kept_whole(client):
    chat = "[12:27, 09/05/2025] Ana: " + "é" * 40_000
    response = press(
        client, NEW, empty_form(client), "ler_whatsapp", 7, **{"contacts-7-whatsapp": chat}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "40.025 caracteres" in field_errors(page, "contacts-7-whatsapp")[0]
    assert shown(page, "contacts-7-whatsapp") == chat


@LOCAL_ONLY
def test_reading_an_empty_paste_area_says_what_to_do(client):
    response = press(client, NEW, empty_form(client), "ler_whatsapp", 1, **CLINIC_FORM)

    page = response.get_data(as_text=True)
    assert field_errors(page, "contacts-1-whatsapp") == [
        "Cole aqui a conversa do WhatsApp e clique em “Ler conversa”."
    ]
    assert re.search(r'<textarea[^>]*\bautofocus\b[^>]*id="contacts-1-whatsapp"', page)


@LOCAL_ONLY
def test_discarding_empties_only_the_paste_area(client):
    typed = typed_seed(3, CONTACT_3)
    read = press(client, NEW, empty_form(client), "ler_whatsapp", 3, **typed)

    discarded = press(client, NEW, read.get_data(as_text=True), "descartar_whatsapp", 3)

    page = discarded.get_data(as_text=True)
    assert shown(page, "contacts-3-whatsapp") == ""
    assert shown(page, "contacts-3-notes") == ""
    assert "messages" not in re.findall(r'<table class="(\w+)"', page)
    assert shown(page, "dentist_name") == "MARIA FICTICIA LIMA"


@pytest.mark.parametrize("backend_kind", ["local", "google"])
def test_saving_with_a_chat_not_yet_used_refuses_and_keeps_it(client, sheet):
    typed = typed_seed(2, CONTACT_3)

    response = client.post(NEW, data=as_submitted(empty_form(client), typed))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    [error] = field_errors(page, "contacts-2-whatsapp")
    assert "ainda não foi para as Obs." in error
    assert shown(page, "contacts-2-whatsapp") == CONTACT_3
    assert sheet.rows() == []


@LOCAL_ONLY
def test_enter_in_a_field_saves_rather_than_reads_a_chat(client):
    page = empty_form(client)
    form = re.search(r'<form method="post"[^>]*class="case-form".*?</form>', page, re.S).group(0)

    first_button = re.search(r"<button[^>]*>", form).group(0)

    assert 'type="submit"' in first_button and "name=" not in first_button


@LOCAL_ONLY
def test_the_preview_shows_what_people_wrote_as_text(client):
    chat = '[12:27, 09/05/2025] <b>Ana</b>: <script>alert("x")</script>'
    response = press(
        client, NEW, empty_form(client), "ler_whatsapp", 0, **{"contacts-0-whatsapp": chat}
    )
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<b>Ana</b>" not in page
    assert preview_rows(page) == [
        ("09/05/2025", "12:27", "<b>Ana</b>", '<script>alert("x")</script>')
    ]


@LOCAL_ONLY
def test_a_read_without_the_csrf_token_changes_nothing(app, client, book):
    app.config["WTF_CSRF_ENABLED"] = True
    typed = {**typed_seed(0, CONTACT_3), "usar_whatsapp": "0"}

    response = client.post(NEW, data=typed)

    assert response.status_code == 302  # back to the form, kept as a draft, chat unused
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "o que você digitou foi guardado" in page
    assert "Por enquanto estamos tendo Vaga para por aparelho</textarea>" in page
    assert "colocada nas Obs." not in page
    assert book.cases() == []


@LOCAL_ONLY
@pytest.mark.parametrize("slot", ["8", "-1", "x"])
def test_a_button_for_a_contact_that_does_not_exist_saves_nothing(client, book, slot):
    data = as_submitted(empty_form(client), {**CLINIC_FORM, "ler_whatsapp": slot})

    response = client.post(NEW, data=data)

    assert response.status_code == 400
    assert book.cases() == []


@LOCAL_ONLY
def test_seconds_show_only_when_the_chat_has_them(client):
    chat = "[09/05/2025 12:27:05] Ana: oi\n[09/05/2025 12:28:00] Ana: tudo bem?"
    response = press(
        client, NEW, empty_form(client), "ler_whatsapp", 0, **{"contacts-0-whatsapp": chat}
    )
    assert [row[1] for row in preview_rows(response.get_data(as_text=True))] == [
        "12:27:05",
        "12:28",
    ]
