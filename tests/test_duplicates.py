"""Open cases of the same dentist: found by CRO+UF, CPF or CNPJ, warned of before saving."""

import pytest

from retention.case import Case
from retention.duplicates import Dentist, open_cases_of
from tests.conftest import created_id
from tests.html import text

OPEN_CASE = {"status": "Em andamento", "end_date": ""}
CASES = [
    Case(case_id="RET-2025-0001", cro="12345", cro_uf="MS", cpf="52998224725"),
    Case(case_id="RET-2025-0002", cro="12345", cro_uf="SP", cnpj="11222333000181"),
    Case(case_id="RET-2025-0003", cro="12345", cro_uf="MS", status="Desligamento"),
]


@pytest.mark.parametrize(
    ("dentist", "found"),
    [
        (Dentist(cro="012345", cro_uf="MS"), [("RET-2025-0001", ("CRO 012345/MS",))]),
        (Dentist(cro="12345"), []),  # no UF: another state's CRO may have the number
        (Dentist(cpf="529.982.247-25"), [("RET-2025-0001", ("CPF",))]),
        (Dentist(cnpj="11.222.333/0001-81"), [("RET-2025-0002", ("CNPJ",))]),
        (
            Dentist(cro="12345", cro_uf="MS", cpf="52998224725"),
            [("RET-2025-0001", ("CRO 12345/MS", "CPF"))],
        ),
        (Dentist(), []),
    ],
)
def test_open_cases_of_the_same_dentist(dentist, found):
    assert [(d.case.case_id, d.why) for d in open_cases_of(dentist, CASES)] == found


@pytest.mark.parametrize("backend_kind", ["local"])
def test_saving_a_second_open_case_of_a_dentist_asks_first(client, clinic_form, sheet):
    first = created_id(client.post("/casos/novo", data={**clinic_form, **OPEN_CASE}))
    again = {**clinic_form, **OPEN_CASE, "cnpj": "", "person_type": "F", "city": "DOURADOS"}

    warned = client.post("/casos/novo", data=again)

    assert warned.status_code == 409
    page = warned.get_data(as_text=True)
    assert f'href="/casos/{first}"' in page
    assert "já tem um caso em andamento" in text(page)
    assert len(sheet.rows()) == 1
    assert 'value="DOURADOS"' in page  # nothing typed is lost
    saved = client.post("/casos/novo", data={**again, "confirmar_duplicado": "1"})
    assert created_id(saved) != first
    assert len(sheet.rows()) == 2


@pytest.mark.parametrize("backend_kind", ["local"])
def test_the_json_lookup_lists_the_open_cases_of_a_dentist(client, clinic_form):
    first = created_id(client.post("/casos/novo", data={**clinic_form, **OPEN_CASE}))

    found = client.get("/casos/duplicados?cro=12345&cro_uf=MS").get_json()
    by_cnpj = client.get("/casos/duplicados?cnpj=11.222.333/0001-81").get_json()
    none = client.get("/casos/duplicados?cro=12345").get_json()

    assert found["cases"] == [
        {
            "id": first,
            "url": f"/casos/{first}",
            "dentist": "MARIA FICTICIA LIMA",
            "status": "Em andamento",
            "analyst": "ANA EXEMPLO SOUZA",
            "why": ["CRO 12345/MS"],
        }
    ]
    assert [c["why"] for c in by_cnpj["cases"]] == [["CNPJ"]]
    assert none["cases"] == []
