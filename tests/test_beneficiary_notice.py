"""The day beneficiaries must be told of a dentist's substitution (Lei 9.656/98 art. 17 §1)."""

from dataclasses import replace
from datetime import date

import pytest

from app import create_app
from retention.case import Case
from retention.checklist import beneficiary_notice_by
from tests.conftest import created_id, post_new, sign_in
from tests.html import text
from tests.test_board import lanes

TOLD_BY = "Avisar os beneficiários da substituição do dentista até"


@pytest.fixture
def backend_kind() -> str:
    return "local"


def test_beneficiaries_are_told_30_days_before_the_60_day_notice_ends():
    leaving = replace(Case(), status="Desligamento", protocol_date=date(2025, 5, 2))
    assert beneficiary_notice_by(leaving) == date(2025, 6, 1)  # the notice ends on 01/07/2025
    assert beneficiary_notice_by(leaving, days=45) == date(2025, 5, 17)


@pytest.mark.parametrize("status", ["Em andamento", "Retenção Efetiva", "Não se trata de Retenção"])
def test_only_a_case_ending_in_desligamento_has_beneficiaries_to_tell(status):
    case = replace(Case(), status=status, protocol_date=date(2025, 5, 2))
    assert beneficiary_notice_by(case) is None
    assert beneficiary_notice_by(replace(Case(), status="Desligamento")) is None  # no protocol


def test_the_case_page_shows_the_day_to_tell_the_beneficiaries(client, clinic_form):
    leaving = created_id(post_new(client, clinic_form))  # Desligamento, protocol on 02/05/2025
    kept = created_id(post_new(client, {**clinic_form, "status": "Retenção Efetiva"}))

    page = client.get(f"/casos/{leaving}").get_data(as_text=True)

    assert (
        f"{TOLD_BY} 01/06/2025: 30 dias antes do fim do aviso contratual de 60 dias"
        " (Lei 9.656/98, art. 17, § 1º)."
    ) in text(page)
    assert '<p class="late">Avisar os beneficiários' in page  # that day has passed
    assert TOLD_BY not in text(client.get(f"/casos/{kept}").get_data(as_text=True))


def test_the_days_before_the_notice_ends_are_a_setting(app_config, clinic_form):
    app = create_app({**app_config, "RETENCAO_BENEFICIARY_NOTICE_DAYS": 45})
    client = sign_in(app, "supervisor")
    leaving = created_id(post_new(client, clinic_form))

    page = text(client.get(f"/casos/{leaving}").get_data(as_text=True))

    assert f"{TOLD_BY} 17/05/2025: 45 dias antes do fim" in page
    assert "Avisar os beneficiários até 17/05/2025" in card(client, leaving)


def test_the_board_card_shows_the_day_to_tell_the_beneficiaries(client, clinic_form):
    leaving = created_id(post_new(client, clinic_form))
    kept = created_id(post_new(client, {**clinic_form, "status": "Retenção Efetiva"}))

    assert "Avisar os beneficiários até 01/06/2025" in card(client, leaving)
    assert "Avisar os beneficiários" not in card(client, kept)


def card(client, case_id: str) -> str:
    """The text of the board's card of ``case_id``, in whichever lane it is."""
    [found] = [c for lane in lanes(client).values() for c in lane.cards if case_id in c]
    return found
