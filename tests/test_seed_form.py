"""The first paper form (shared/seeds/form-case-terminated-clinic.md) entered in full."""

from sheets.columns import HEADERS
from tests.conftest import created_id, post_new
from tests.html import text
from tests.seeds import CLINIC_ROW

BOOKKEEPING = {"ID do caso", "Criado em", "Atualizado em", "Chave de gravação"}


def test_seed_form_becomes_one_row_matching_the_paper(client, clinic_form, sheet):
    case_id = created_id(post_new(client, clinic_form))

    [row] = sheet.rows()
    assert row["ID do caso"] == case_id
    assert len(str(row["Chave de gravação"])) == 32  # the save's write key
    filled = {h: row[h] for h in HEADERS if h not in BOOKKEEPING and row[h] not in (None, "")}
    assert {h: _plain(v) for h, v in filled.items()} == {
        h: _plain(v) for h, v in CLINIC_ROW.items()
    }
    assert row["CPF"] == "52998224725"
    assert row["CNPJ"] == "11222333000181"
    assert row["Tempo finalização (dias)"] == 46


def test_seed_case_page_reads_like_the_paper(client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    page = text(client.get(f"/casos/{case_id}").get_data(as_text=True))

    for shown in [
        "Colaborador ANA EXEMPLO SOUZA",
        "Data 17/06/2025",
        "Qtd CRO(s) 3",
        "CNPJ 11.222.333/0001-81",
        "CPF 529.982.247-25",
        "Nº de vidas 1.971",
        "Nº CRO(s) únicos divulgados 65",
        "Moeda 0,30",
        "Valor última produção R$ -",
        "Tempo finalização 46 dias",
        "1º contato Data 08/05/2025",
        "2º contato Data —",
        "[12:34, 16/05/2025] +55 67 90000-0001: Por enquanto estamos tendo Vaga para por aparelho",
        "☑ Ortodontia",
        "☐ Radiologia",
        "☐ Urgência e Emergência",
        "☑ Foi evidenciado com prints no protocolo",
        "☑ Buscado contato nas redes concorrentes",
        "Data 17/06/2025 09:03",
        "De CLINICA EXEMPLO - DENTALUN 18013",
        "Beatriz Exemplo Colaborador",
        "Supervisor · não assinado (Carlos Supervisor)",  # typed, not signed off
        "☑ Desligamento",
    ]:
        assert shown in page, shown


def test_edit_form_shows_the_stored_values_as_typed_on_paper(client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    page = client.get(f"/casos/{case_id}/editar").get_data(as_text=True)

    for rendered in [
        'value="11.222.333/0001-81"',
        'value="529.982.247-25"',
        'value="1.971"',
        'value="0,30"',
        'value="02/05/2025"',
        'value="17/06/2025 09:03"',
        "<output>46 dias</output>",
    ]:
        assert rendered in page, rendered


def _plain(value):
    """Cell values as a person reads them: a date cell without its midnight, 0.30 as 0.3."""
    if hasattr(value, "date") and callable(value.date) and value.hour == value.minute == 0:
        return value.date()
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | int):
        return round(float(value), 6)
    return value
