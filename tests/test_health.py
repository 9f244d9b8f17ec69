"""``/saude``: the sheet's state and the outbox's depth for monitors, without signing in."""

import re

import pytest

from app import create_app
from tests.conftest import created_id, post_new

MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-03:00")  # America/Sao_Paulo


def test_a_monitor_sees_the_sheet_answer_without_signing_in(app, client, clinic_form):
    case_id = created_id(post_new(client, clinic_form))

    answer = app.test_client().get("/saude")

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    health = answer.get_json()
    assert health["situacao"] == "ok" and health["planilha_acessivel"] is True
    assert health["erro"] is None and MOMENT.fullmatch(health["ultima_sincronizacao"])
    assert health["fila"] == health["fila_com_falha"] == 0 and health["fila_desde"] is None
    assert health["historico_na_fila"] > 0  # no background sender in the tests
    for personal in (case_id, clinic_form["dentist_name"], clinic_form["cpf"], "sara"):
        assert personal not in answer.get_data(as_text=True)


def test_it_answers_before_the_first_administrator_exists(app, nobody_config):
    nobody = create_app({**app.config, **nobody_config})

    assert nobody.test_client().get("/saude").status_code == 200


@pytest.mark.parametrize("backend_kind", ["google"])
def test_503_while_google_is_down_with_what_waits_since_when(app, client, clinic_form, standin):
    client.get("/")
    standin.go_down()
    post_new(client, clinic_form)

    answer = app.test_client().get("/saude")

    assert answer.status_code == 503
    health = answer.get_json()
    assert health["situacao"] == "planilha indisponível" and health["planilha_acessivel"] is False
    assert health["erro"] and MOMENT.fullmatch(health["ultima_sincronizacao"])
    assert health["fila"] == 1 and MOMENT.fullmatch(health["fila_desde"])
    standin.come_up()
    assert app.test_client().get("/saude").status_code == 200


@pytest.mark.parametrize("backend_kind", ["google"])
def test_503_when_the_sheet_was_never_read(app, standin):
    standin.go_down()

    answer = app.test_client().get("/saude")

    assert answer.status_code == 503
    assert answer.get_json()["ultima_sincronizacao"] is None
