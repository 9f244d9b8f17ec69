"""The print view and the PDF of a case: the paper "Formulário - Processo de Retenção" on A4."""

import logging
import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.pdf import StaticFilesOnly, html_to_pdf
from retention.case import CONTACT_SLOTS
from retention.choices import (
    ACTIONS,
    AREAS,
    CHANNELS,
    OTHER,
    PERSON_TYPES,
    REASONS,
    REQUESTED_BY,
    SECTORS,
    STATUSES,
    YES_NO,
)
from tests.conftest import created_id, post_new
from tests.html import text, tick_lists
from tests.seeds import CLINIC_FORM, CONTACT_3

STATIC = Path(__file__).resolve().parents[1] / "static"
A4 = (595.28, 841.89)  # points
CHECKLIST = ("Foi evidenciado com prints no protocolo", "Buscado contato nas redes concorrentes")

# The seed with an answer in every list the seed leaves blank, picked from the choices.
EVERY_ANSWER = {
    **CLINIC_FORM,
    "other_plans": YES_NO[0],
    "other_plans_which": "Uniodonto, Amil Dental",
    "contacts-0-channel": CHANNELS[0],
    "contacts-3-channel": CHANNELS[-1],
    "actions": [ACTIONS[1], OTHER],
    "actions_note": "Ofertada ação de divulgação no site",
    "reasons": [REASONS[3], REASONS[8]],
    "reasons_note": "Glosas de 2024 não explicadas à clínica",
    "protocol_needed": YES_NO[1],
    "responsible_sector": SECTORS[2],
    "general_notes": "Drª não tem interesse em continuar; segue para o desligamento.",
    "prints_in_protocol": "",
}

# Label on the paper -> the form field whose value is printed beside it as typed.
AS_TYPED = {
    "Colaborador": "analyst",
    "Data": "form_date",
    "Qtd CRO(s)": "cro_count",
    "Operadora": "operator",
    "CRO": "cro",
    "UF do CRO": "cro_uf",
    "Nome dentista": "dentist_name",
    "Data inclusão": "inclusion_date",
    "Nº do protocolo": "protocol",
    "Dt. abertura protocolo": "protocol_date",
    "UF": "uf",
    "Cidade": "city",
    "Nº de vidas": "lives",
    "Nº CRO(s) únicos divulgados": "unique_cros",
    "Quais?": "other_plans_which",
    "Moeda": "currency_value",
    "Valor última produção": "last_production_value",
    "Data início": "start_date",
    "Data final": "end_date",
    "De": "final_message_from",
}


def shown(value: str) -> str:
    """Text as the page's visible text gives it back: blanks collapsed."""
    return " ".join(value.split())


def expected_values(form: dict[str, object]) -> list[str]:
    """What the print page must show for ``form``: "label value" as read on the paper."""
    expected = [f"{label} {form.get(field) or '—'}" for label, field in AS_TYPED.items()]
    expected += [
        "CNPJ 11.222.333/0001-81",
        "CPF 529.982.247-25",
        "Última produção —",  # "-" on the paper: no date
        "Tempo finalização 46 dias",
        f"Data {form['final_message_at']}",
        f"Mensagem {shown(str(form['final_message_text']))}",
        f"Obs. Geral {form.get('general_notes') or '—'}",
        f"Obs. {form.get('actions_note') or '—'}",
        f"Obs. {form.get('reasons_note') or '—'}",
        f"{form['analyst_signature']} Colaborador",
        f"Supervisor · não assinado ({form['supervisor']})",  # typed, not signed
    ]
    for slot in range(CONTACT_SLOTS):
        notes = form.get(f"contacts-{slot}-notes")
        if notes:
            day = form.get(f"contacts-{slot}-day") or "—"
            expected += [f"{slot + 1}º contato Data {day}", shown(str(notes))]
    return expected


def expected_ticks(form: dict[str, object]) -> dict[str, list[tuple[str, bool]]]:
    """Every option list of the form, each option with whether ``form`` ticks it."""

    def one(options, chosen) -> list[tuple[str, bool]]:
        return [(option, option == chosen) for option in options]

    def many(options, chosen) -> list[tuple[str, bool]]:
        return [(option, option in chosen) for option in options]

    lists = {
        "Tipo": one(PERSON_TYPES.values(), PERSON_TYPES[str(form["person_type"])]),
        "Demandado por?": one(REQUESTED_BY, form["requested_by"]),
        "Atende outros convênios": one(YES_NO, form.get("other_plans")),
        "Status retenção": one(STATUSES, form["status"]),
        "Áreas divulgadas": many(AREAS, form.get("areas", [])),
        "Ação Retenção": many(ACTIONS, form.get("actions", [])),
        "Motivo desligamento": many(REASONS, form.get("reasons", [])),
        "Checklist": [
            (CHECKLIST[0], bool(form.get("prints_in_protocol"))),
            (CHECKLIST[1], bool(form.get("competitor_search"))),
        ],
        "Necessário abertura de protocolo": one(YES_NO, form.get("protocol_needed")),
        "Setor responsável": one(SECTORS, form.get("responsible_sector")),
    }
    for slot in range(CONTACT_SLOTS):
        if form.get(f"contacts-{slot}-notes"):
            channel = form.get(f"contacts-{slot}-channel")
            lists[f"Canal do {slot + 1}º contato"] = one(CHANNELS, channel)
    return lists


@pytest.mark.parametrize("form", [CLINIC_FORM, EVERY_ANSWER], ids=["seed", "every-answer"])
def test_print_page_shows_every_value_and_every_option_ticked_or_not(client, form):
    case_id = created_id(post_new(client, form))

    answer = client.get(f"/casos/{case_id}/imprimir")

    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert tick_lists(page) == expected_ticks(form)
    visible = text(page[page.index("<body") :])
    assert visible.index("Formulário - Processo de Retenção") < visible.index(case_id)
    for value in expected_values(form):
        assert value in visible, value


def test_an_option_typed_into_the_sheet_by_hand_is_printed_ticked_after_the_forms(
    client, clinic_form, sheet
):
    case_id = created_id(post_new(client, clinic_form))
    sheet.set_cell(case_id, "Áreas divulgadas", f"{AREAS[0]}; Implantodontia")

    page = client.get(f"/casos/{case_id}/imprimir").get_data(as_text=True)

    printed = tick_lists(page)["Áreas divulgadas"]
    assert printed == [(area, area == AREAS[0]) for area in AREAS] + [("Implantodontia", True)]


def signature_block(client, case_id: str) -> str:
    """The supervisor's half of the printed signature lines, as read."""
    page = client.get(f"/casos/{case_id}/imprimir").get_data(as_text=True)
    return text(page.split('<div class="signatures">')[1].split("</section>")[0]).split(
        "Colaborador"
    )[1]


@pytest.mark.parametrize("backend_kind", ["local"])
def test_the_print_shows_the_supervisor_signature_only_after_a_real_sign_off(
    client, clinic_form, book
):
    case_id = created_id(post_new(client, clinic_form))  # Supervisor typed: Carlos Supervisor

    before = signature_block(client, case_id)
    client.get(f"/casos/{case_id}/assinar")  # the confirmation page signs nothing
    client.post(f"/casos/{case_id}/assinar")  # incomplete checklist: not without "mesmo assim"
    still = signature_block(client, case_id)
    client.post(f"/casos/{case_id}/assinar", data={"mesmo_assim": "1"})
    after = signature_block(client, case_id)

    assert before.split() == "Supervisor · não assinado (Carlos Supervisor)".split()
    assert still == before
    today = book.clock().date().strftime("%d/%m/%Y")
    assert after.split() == f"Sara Supervisora Supervisor · assinado em {today}".split()


def test_the_case_page_links_to_the_print_page_and_the_pdf(client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    page = client.get(f"/casos/{case_id}").get_data(as_text=True)

    assert re.search(rf'<a [^>]*href="/casos/{case_id}/imprimir"[^>]*>Imprimir</a>', page)
    assert re.search(rf'<a [^>]*href="/casos/{case_id}/pdf"[^>]*>Baixar PDF</a>', page)
    assert tick_lists(page)["Tipo"] == expected_ticks(clinic_form)["Tipo"]


def test_pdf_download_is_the_paper_form_on_a4(client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    answer = client.get(f"/casos/{case_id}/pdf")

    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == f"attachment; filename={case_id}.pdf"
    pdf = PdfReader(BytesIO(answer.data))
    pages = [page.extract_text() for page in pdf.pages]
    assert all(
        (float(p.mediabox.width), float(p.mediabox.height)) == pytest.approx(A4, abs=0.5)
        for p in pdf.pages
    )
    everything = shown(" ".join(pages))
    for printed in [
        "Formulário - Processo de Retenção",
        case_id,
        "MARIA FICTICIA LIMA",
        "11.222.333/0001-81",
        "CAMPO GRANDE",
        "1.971",
        "☑ Desligamento",
        "☐ Não se trata de Retenção",
        "☑ Prótese Dentária",
        "☐ Urgência e Emergência",
        "☐ Ameaça Judicialização",
        "RESCISÃO Décima Primeira",
        shown(CONTACT_3.splitlines()[-1]),
        "Ortodontia não supre a nossa demanda",
        "Beatriz Exemplo",
        "SUPERVISOR · NÃO ASSINADO (CARLOS SUPERVISOR)",  # small capitals on paper
    ]:
        assert printed in everything, printed
    assert f"Página {len(pages)} de {len(pages)}" in pages[-1]


def transcript(length: int) -> tuple[str, int]:
    """A pasted WhatsApp chat of about ``length`` characters and how many messages it has."""
    lines, count = [], 0
    while sum(len(line) + 1 for line in lines) < length - 200:
        count += 1
        lines.append(
            f"[{8 + count // 60 % 10:02d}:{count % 60:02d}, 09/05/2025] +55 67 90000-0001:"
            f" mensagem {count:04d} Olá, ainda estamos avaliando a proposta de reajuste e a"
            " agenda da clínica; daremos retorno em breve."
        )
    lines.append(f"[18:59, 09/05/2025] Retenção: mensagem {count + 1:04d} Última: até logo!")
    return "\n".join(lines), count + 1


# A transcript pasted straight into the sheet, as long as a cell of that backend holds.
CELL_HOLDS = {"google": 40_000, "local": 32_000}


def drawn_text(pdf: bytes) -> list[list[tuple[str, float]]]:
    """Each page's runs of text with the height they are drawn at (points above the bottom)."""
    pages: list[list[tuple[str, float]]] = []
    for page in PdfReader(BytesIO(pdf)).pages:
        runs: list[tuple[str, float]] = []

        def keep(run, cm, tm, _font, _size, runs=runs) -> None:
            if run.strip():
                runs.append((run, tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=keep)
        pages.append(runs)
    return pages


@pytest.mark.slow
def test_a_long_transcript_flows_onto_more_pages_without_losing_a_line(
    client, clinic_form, sheet, backend_kind
):
    case_id = created_id(post_new(client, clinic_form))
    chat, messages = transcript(CELL_HOLDS[backend_kind])
    sheet.set_cell(case_id, "5º contato - Obs.", chat)

    answer = client.get(f"/casos/{case_id}/pdf")

    assert answer.status_code == 200
    pages = drawn_text(answer.data)
    where = {
        number: [
            (n, y)
            for n, runs in enumerate(pages)
            for run, y in runs
            if f"mensagem {number:04d} " in run
        ]
        for number in range(1, messages + 1)
    }
    assert [number for number, places in where.items() if len(places) != 1] == []
    assert all(0 < y < A4[1] for [(_, y)] in where.values())  # drawn on the paper, not past it
    first, last = where[1][0][0], where[messages][0][0]
    assert last - first >= 2  # the chat runs over at least three pages
    last_page = shown(" ".join(run for run, _ in pages[last]))
    assert f"mensagem {messages:04d} Última: até logo!" in last_page
    assert "NÃO ASSINADO (CARLOS SUPERVISOR)" in shown(" ".join(run for run, _ in pages[-1]))


@pytest.mark.parametrize("view", ["imprimir", "pdf"])
def test_a_case_that_does_not_exist_is_not_found(client, view):
    answer = client.get(f"/casos/RET-2099-9999/{view}")

    assert answer.status_code == 404
    assert "RET-2099-9999" in text(answer.get_data(as_text=True))


@pytest.fixture
def fetcher() -> StaticFilesOnly:
    return StaticFilesOnly("http://localhost/", "/static", str(STATIC))


def test_the_pdf_reads_our_static_files_from_disk(fetcher):
    answer = fetcher.fetch("http://localhost/static/print.css")

    assert answer.read() == (STATIC / "print.css").read_bytes()
    assert answer.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "https://fonts.googleapis.com/css2?family=Roboto",
        "http://localhost.example/static/print.css",
        "http://localhost/static/../app.py",
        "http://localhost/static/%2e%2e/app.py",
        "http://localhost/casos/RET-2025-0001",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ],
)
def test_the_pdf_fetches_nothing_else(fetcher, url):
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_a_page_asking_for_outside_files_still_becomes_a_pdf_without_them(caplog):
    page = (
        '<link rel="stylesheet" href="https://cdn.example/style.css">'
        '<p>Ação <img src="http://tracker.example/pixel.png"></p>'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(page, "http://localhost/", "/static", str(STATIC))

    assert "Ação" in PdfReader(BytesIO(pdf)).pages[0].extract_text()
    refused = caplog.text
    assert "https://cdn.example/style.css" in refused
    assert "http://tracker.example/pixel.png" in refused
