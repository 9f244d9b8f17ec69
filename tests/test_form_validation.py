"""Each validation rule of the case form, with good and bad input, through the web form."""

import re
from datetime import datetime

import pytest

from tests.conftest import created_id, post_new
from tests.html import field_errors, input_value

# The form refuses these before anything reaches the sheet: one backend is enough.
LOCAL_ONLY = pytest.mark.parametrize("backend_kind", ["local"])


def submit(client, clinic_form, **changes):
    form = {**clinic_form, **changes}
    return post_new(client, {k: v for k, v in form.items() if v is not None})


BAD_VALUE = "Valor inválido: use por exemplo 1.234,56."
JUSTIFY = "Obrigatório justificar quando “Outros” é selecionado."
CLOSE_NEEDS_END = "Para encerrar o caso como “Desligamento”, informe a Data final."
BAD_DATETIME = "Data e hora inválidas: use dd/mm/aaaa hh:mm."

REJECTED = [
    ("cpf", {"cpf": "529.982.247-24"}, "CPF inválido: confira os dígitos."),
    ("cpf", {"cpf": "111.111.111-11"}, "CPF inválido: confira os dígitos."),
    ("cpf", {"cpf": "5299822472"}, "CPF inválido: confira os dígitos."),
    ("cnpj", {"cnpj": "11.222.333/0001-82"}, "CNPJ inválido: confira os dígitos."),
    ("cpf", {"person_type": "F", "cpf": ""}, "Tipo F (pessoa física) exige o CPF."),
    ("cnpj", {"person_type": "J", "cnpj": ""}, "Tipo J (pessoa jurídica) exige o CNPJ."),
    ("cro", {"cro": "12a45"}, "CRO deve ter apenas números."),
    ("cro", {"cro": ""}, "Informe o CRO."),
    ("cro_uf", {"cro_uf": "XX"}, "Escolha inválida."),
    ("uf", {"uf": "Mato Grosso"}, "Escolha inválida."),
    ("start_date", {"start_date": "2025-05-02"}, "Data inválida: use dd/mm/aaaa."),
    ("start_date", {"start_date": "31/02/2025"}, "Data inexistente: confira dia e mês."),
    ("end_date", {"end_date": "01/05/2025"}, "A Data final não pode ser anterior à Data início."),
    ("lives", {"lives": "1,5"}, "Número inteiro inválido: use por exemplo 1.971."),
    ("lives", {"lives": "mil"}, "Número inteiro inválido: use por exemplo 1.971."),
    ("currency_value", {"currency_value": "0,3,0"}, "Valor inválido: use por exemplo 1.234,56."),
    (
        "last_production_value",
        {"last_production_value": "R$ abc"},
        "Valor inválido: use por exemplo 1.234,56.",
    ),  # fmt: skip
    (
        "actions_note",
        {"actions": ["Outros"]},
        "Obrigatório justificar quando “Outros” é selecionado.",
    ),  # fmt: skip
    (
        "reasons_note",
        {"reasons": ["Valores", "Outros"]},
        "Obrigatório justificar quando “Outros” é selecionado.",
    ),  # fmt: skip
    ("other_plans_which", {"other_plans": "SIM"}, "Informe quais convênios o dentista atende."),
    (
        "end_date",
        {"end_date": ""},
        "Para encerrar o caso como “Desligamento”, informe a Data final.",
    ),  # fmt: skip
    (
        "final_message_at",
        {"final_message_at": "17/06/2025"},
        "Data e hora inválidas: use dd/mm/aaaa hh:mm.",
    ),  # fmt: skip
]


@LOCAL_ONLY
@pytest.mark.parametrize(("field", "changes", "message"), REJECTED)
def test_rejected_input_shows_message_beside_field_and_writes_nothing(
    client, clinic_form, sheet, field, changes, message
):
    response = submit(client, clinic_form, **changes)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_errors(page, field)
    assert sheet.rows() == []


@LOCAL_ONLY
def test_rejected_form_keeps_everything_the_user_typed(client, clinic_form):
    response = submit(client, clinic_form, cpf="529.982.247-24", lives="1.971")

    page = response.get_data(as_text=True)
    assert input_value(page, "cpf") == "529.982.247-24"
    assert input_value(page, "lives") == "1.971"
    assert input_value(page, "dentist_name") == "MARIA FICTICIA LIMA"
    assert input_value(page, "final_message_at") == "17/06/2025 09:03"
    assert "Por enquanto estamos tendo Vaga para por aparelho" in page
    assert '<input checked id="areas-3" name="areas" type="checkbox" value="Ortodontia">' in page


ACCEPTED = [
    ({"cpf": "529.982.247-25"}, "CPF", "52998224725"),
    ({"cpf": "012.345.678-90"}, "CPF", "01234567890"),
    ({"cnpj": "00.000.000/0001-91"}, "CNPJ", "00000000000191"),
    ({"cnpj": "12.abc.345/01de-35"}, "CNPJ", "12ABC34501DE35"),
    ({"person_type": "F", "cnpj": "", "cpf": "01234567890"}, "Tipo", "F"),
    ({"cro": "00123"}, "CRO", "00123"),
    ({"lives": "1971"}, "Nº de vidas", 1971),
    ({"lives": "12.345"}, "Nº de vidas", 12345),
    ({"currency_value": "R$ 1.234,56"}, "Moeda", 1234.56),
    ({"last_production_value": "R$ 1.234,56"}, "Valor última produção", 1234.56),
    ({"last_production_value": "0,30"}, "Valor última produção", 0.3),
    ({"start_date": "2/5/2025"}, "Tempo finalização (dias)", 46),
    ({"start_date": "2/5/25"}, "Tempo finalização (dias)", 46),
    ({"start_date": "02052025"}, "Tempo finalização (dias)", 46),
    ({"start_date": "020525"}, "Tempo finalização (dias)", 46),
    ({"final_message_at": "170620250903"}, "Mensagem final - Data", datetime(2025, 6, 17, 9, 3)),
    ({"end_date": "02/05/2025"}, "Tempo finalização (dias)", 0),
    (
        {"actions": ["Outros"], "actions_note": "Atualização cadastral"},
        "Ação Retenção - Outros",
        True,
    ),  # fmt: skip
    ({"reasons": ["Outros"], "reasons_note": "Agenda lotada"}, "Motivo desligamento", "Outros"),
    ({"other_plans": "SIM", "other_plans_which": "Odontoprev"}, "Quais convênios", "Odontoprev"),
    ({"other_plans": "NÃO"}, "Atende outros convênios", "NÃO"),
    ({"status": "Em andamento", "end_date": ""}, "Status retenção", "Em andamento"),
    ({"status": "Retenção Efetiva"}, "Status retenção", "Retenção Efetiva"),
]


@pytest.mark.parametrize(("changes", "header", "stored"), ACCEPTED)
def test_accepted_input_is_stored_normalised(client, clinic_form, sheet, changes, header, stored):
    created_id(submit(client, clinic_form, **changes))

    [row] = sheet.rows()
    assert row[header] == stored


def test_blank_optional_fields_leave_cells_empty(client, sheet):
    minimal = {
        "analyst": "Ana",
        "cro": "123",
        "cro_uf": "SP",
        "dentist_name": "Fulana",
        "person_type": "F",
        "cpf": "52998224725",
    }
    created_id(post_new(client, minimal))

    [row] = sheet.rows()
    assert row["Status retenção"] == "Em andamento"
    assert row["Nº de vidas"] is None
    assert row["Data final"] is None
    assert row["Moeda"] is None


@LOCAL_ONLY
@pytest.mark.parametrize("field", ["analyst", "dentist_name", "person_type", "cro_uf"])
def test_required_fields(client, clinic_form, field):
    response = submit(client, clinic_form, **{field: ""})

    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), field)


@LOCAL_ONLY
def test_text_longer_than_a_cell_holds_is_refused_beside_the_field(client, clinic_form):
    response = submit(client, clinic_form, **{"contacts-4-notes": "x" * 32_768})

    errors = field_errors(response.get_data(as_text=True), "contacts-4-notes")
    assert errors == [
        "Texto longo demais: no máximo 32.767 caracteres por campo"
        " (divida entre os contatos, se preciso)."
    ]


@LOCAL_ONLY
def test_cursor_goes_to_the_first_field_with_an_error(client, clinic_form):
    response = submit(client, clinic_form, cpf="529.982.247-24", **{"contacts-2-day": "x"})

    page = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*\bautofocus\b[^>]*\bid="cpf"', page)
    assert page.count("autofocus") == 1


@LOCAL_ONLY
def test_required_fields_are_marked(client):
    page = client.get("/casos/novo").get_data(as_text=True)
    for field_id in ["analyst", "cro", "cro_uf", "dentist_name", "person_type"]:
        assert f'<label class="required" for="{field_id}">' in page
    assert '<label class="required" for="city">' not in page


def test_invisible_characters_pasted_from_word_are_cleaned(client, clinic_form, sheet):
    notes = "Bom dia,\x0bsem retorno\x1b.\r\nEncaminhado e-mail\ufffe;"
    created_id(submit(client, clinic_form, city="CAMPO\x0bGRANDE", **{"contacts-0-notes": notes}))

    [row] = sheet.rows()
    assert row["Cidade"] == "CAMPO GRANDE"
    assert row["1º contato - Obs."] == "Bom dia,\nsem retorno.\nEncaminhado e-mail;"


def test_the_errors_are_listed_at_the_top_with_links_to_their_fields(client, clinic_form):
    response = submit(
        client, clinic_form, cpf="529.982.247-24", status="Retenção Efetiva", end_date=""
    )
    page = response.get_data(as_text=True)
    summary = page[page.index('class="flash error error-summary"') :].split("</div>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("cpf", "CPF: CPF inválido: confira os dígitos."),
        (
            "end_date",
            "Data final: Para encerrar o caso como “Retenção Efetiva”, informe a Data final.",
        ),
    ]
    assert "2 campos precisam de correção" in summary
    for anchor, _ in links:
        assert f'id="{anchor}"' in page


def test_an_error_inside_a_contact_says_which_contact_it_is(client, clinic_form):
    response = submit(client, clinic_form, **{"contacts-2-day": "31/02/2025"})
    page = response.get_data(as_text=True)
    assert (
        '<a href="#contacts-2-day">3º contato – Data: Data inexistente: confira dia e mês.</a>'
        in page
    )
    assert "1 campo precisa de correção" in page
