"""The case list: search, filters, newest first, pagination; the case page; unknown cases."""

import re

import pytest

from retention import ptbr
from sheets import get_book
from tests.conftest import created_id, post_new
from tests.html import text

CASES = [
    # name, cro, cpf, protocol, status, operator, uf
    ("ANA PAULA", "1111", "52998224725", "SAD01", "Em andamento", "ODONTOLIFE", "MS"),
    ("BRUNO COSTA", "2222", "01234567890", "SAD02", "Desligamento", "DENTALUNI", "SP"),
    ("CÉLIA ÁVILA", "3333", "11144477735", "SAD03", "Retenção Efetiva", "ODONTOLIFE", "SP"),
]


@pytest.fixture
def ids(client, clinic_form):
    made = []
    for name, cro, cpf, protocol, status, operator, uf in CASES:
        form = {
            **clinic_form,
            "dentist_name": name,
            "cro": cro,
            "cpf": cpf,
            "protocol": protocol,
            "status": status,
            "operator": operator,
            "uf": uf,
            "cro_uf": uf,
        }
        if status == "Em andamento":
            form["end_date"] = ""
        made.append(created_id(post_new(client, form)))
    return made


def names(client, query: str = "") -> list[str]:
    page = client.get(f"/?{query}").get_data(as_text=True)
    return [name for name, *_ in CASES if name in page]


def test_newest_first(client, ids):
    table = client.get("/").get_data(as_text=True).split("<tbody>")[1]
    positions = [table.index(case_id) for case_id in ids]
    assert positions == sorted(positions, reverse=True)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=celia", ["CÉLIA ÁVILA"]),
        ("q=bruno+costa", ["BRUNO COSTA"]),
        ("q=2222", ["BRUNO COSTA"]),
        ("q=012.345.678-90", ["BRUNO COSTA"]),
        ("q=01234567890", ["BRUNO COSTA"]),
        ("q=11.222.333%2F0001-81", ["ANA PAULA", "BRUNO COSTA", "CÉLIA ÁVILA"]),
        ("q=sad03", ["CÉLIA ÁVILA"]),
        ("q=ninguem", []),
        ("status=Desligamento", ["BRUNO COSTA"]),
        ("operadora=ODONTOLIFE", ["ANA PAULA", "CÉLIA ÁVILA"]),
        ("uf=SP", ["BRUNO COSTA", "CÉLIA ÁVILA"]),
        ("uf=SP&operadora=ODONTOLIFE&q=avila", ["CÉLIA ÁVILA"]),
    ],
)
def test_search_and_filters(client, ids, query, found):
    assert names(client, query) == found


def test_pagination_keeps_filters(app, client, ids):
    app.config["RETENCAO_PAGE_SIZE"] = 1
    first = client.get("/?operadora=ODONTOLIFE").get_data(as_text=True)
    second = client.get("/?operadora=ODONTOLIFE&pagina=2").get_data(as_text=True)

    assert "Página 1 de 2" in text(first)
    assert "CÉLIA ÁVILA" in first and "ANA PAULA" not in first
    assert "ANA PAULA" in second and "CÉLIA ÁVILA" not in second
    assert "operadora=ODONTOLIFE" in first.split('rel="next"')[0].rsplit("<a", 1)[1]


def test_list_shows_documents_formatted(client, ids):
    page = text(client.get("/").get_data(as_text=True))
    assert "11.222.333/0001-81" in page  # Tipo J shows the CNPJ


def test_empty_list_invites_to_open_a_case(client):
    page = text(client.get("/").get_data(as_text=True))
    assert "Nenhum caso" in page
    assert "Nenhum caso encontrado." in page


@pytest.mark.parametrize("path", ["/casos/RET-1999-0001", "/casos/RET-1999-0001/editar"])
def test_unknown_case_is_a_404_with_a_message(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "O caso RET-1999-0001 não foi encontrado na planilha." in text(
        response.get_data(as_text=True)
    )


def test_user_text_is_escaped(client, clinic_form):
    case_id = created_id(
        post_new(client, {**clinic_form, "contacts-0-notes": "<script>alert(1)</script>"})
    )
    page = client.get(f"/casos/{case_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("backend_kind", ["local"])
def test_footer_names_the_local_workbook(client, workbook_path):
    assert f"planilha local {workbook_path}" in text(client.get("/").get_data(as_text=True))


@pytest.mark.parametrize("backend_kind", ["google"])
def test_footer_names_the_google_sheet(client):
    assert "planilha Google “Retenção” (aba Casos)" in text(client.get("/").get_data(as_text=True))


def test_unexpected_error_gets_a_portuguese_page(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        monkeypatch.setattr(get_book(), "cases", lambda: 1 / 0)

    response = client.get("/")

    assert response.status_code == 500
    assert "Erro inesperado no servidor." in text(response.get_data(as_text=True))


def table_names(page: str) -> list[str]:
    """The names of CASES in the order the list's table shows them."""
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    return sorted((name for name, *_ in CASES if name in table), key=table.index)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ordem=dentista", ["ANA PAULA", "BRUNO COSTA", "CÉLIA ÁVILA"]),
        ("ordem=dentista&sentido=desc", ["CÉLIA ÁVILA", "BRUNO COSTA", "ANA PAULA"]),
        ("ordem=status", ["ANA PAULA", "CÉLIA ÁVILA", "BRUNO COSTA"]),  # the form's order
        ("ordem=protocolo&sentido=desc&uf=SP", ["CÉLIA ÁVILA", "BRUNO COSTA"]),
    ],
)
def test_the_list_sorts_by_the_column_the_address_names(client, ids, query, found):
    assert table_names(client.get(f"/?{query}").get_data(as_text=True)) == found


def header(page: str, label: str) -> str:
    """The opening tag and link of the table header whose text is ``label``."""
    [found] = re.findall(rf"<th\b[^>]*>\s*<a[^>]*>{label}<", page)
    return found


def test_headers_are_sort_links_that_keep_the_filters(client, ids):
    page = client.get("/?operadora=ODONTOLIFE&q=a&ordem=dentista").get_data(as_text=True)

    sorted_by = header(page, "Dentista")
    other = header(page, "Colaborador")

    assert 'aria-sort="ascending"' in sorted_by and "aria-sort" not in other
    assert "ordem=dentista&amp;sentido=desc" in sorted_by  # a second click reverses it
    assert "ordem=colaborador&amp;sentido=asc" in other
    for link in (sorted_by, other):
        assert "q=a" in link and "operadora=ODONTOLIFE" in link and "pagina" not in link
    assert re.search(r'<option value="dentista"[^>]*selected>', page)  # the form keeps it too
    assert re.search(r'<option value="asc" selected>', page)


def test_the_forms_sort_fields_start_on_newest_first(client, ids):
    page = client.get("/").get_data(as_text=True)

    order = page.split('id="ordem"')[1].split("</select>")[0]

    assert '<option value="">Mais recentes</option>' in order and "selected" not in order
    assert '<select id="sentido" name="sentido" disabled>' in page  # not sent: no column yet


def test_pagination_and_exports_keep_the_order(app, client, ids):
    app.config["RETENCAO_PAGE_SIZE"] = 1
    first = client.get("/?ordem=dentista&sentido=desc").get_data(as_text=True)
    second = client.get("/?ordem=dentista&sentido=desc&pagina=2").get_data(as_text=True)
    exported = client.get("/casos.csv?ordem=dentista&sentido=desc").get_data(as_text=True)

    assert table_names(first) == ["CÉLIA ÁVILA"] and table_names(second) == ["BRUNO COSTA"]
    assert "ordem=dentista&amp;sentido=desc" in first.split('rel="next"')[0].rsplit("<a", 1)[1]
    assert "ordem=dentista&amp;sentido=desc" in first.split("Exportar CSV")[0].rsplit("<a", 1)[1]
    positions = [exported.index(name) for name in ("CÉLIA ÁVILA", "BRUNO COSTA", "ANA PAULA")]
    assert positions == sorted(positions)


def test_open_cases_show_days_since_the_protocol_and_closed_ones_none(
    app, client, clinic_form, ids
):
    with app.app_context():
        today = get_book().clock().date()
    opened = ptbr.parse_date(str(clinic_form["protocol_date"]))
    page = client.get("/?ordem=dentista").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tr>")

    assert 'class="num">' + ptbr.format_int((today - opened).days) in rows[0]  # ANA, open
    assert "encerrado" in rows[1] and "encerrado" in rows[2]  # BRUNO, CÉLIA: closed


def test_status_shows_as_a_chip_with_its_words(client, ids):
    page = client.get("/").get_data(as_text=True)
    chips = re.findall(r'<span class="chip chip-([a-z-]+)">([^<]+)</span>', page)

    assert set(chips) == {
        ("open", "Em andamento"),
        ("left", "Desligamento"),
        ("retained", "Retenção Efetiva"),
    }
