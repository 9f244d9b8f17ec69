"""What the daily digest lists, decided without Flask or e-mail (retention/reminders.py)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from retention.case import Case
from retention.reminders import build_digest

TODAY = date(2025, 6, 17)


def leaving(opened_days_ago: int) -> Case:
    opened = TODAY - timedelta(days=opened_days_ago)
    return replace(Case(), case_id="RET-2025-0001", status="Desligamento", protocol_date=opened)


@pytest.mark.parametrize(
    ("opened_days_ago", "days_left"),
    [(23, 7), (30, 0), (59, -29), (60, -30)],  # told 30 days before the 60-day notice ends
)
def test_beneficiaries_to_tell_stay_listed_until_the_contract_ends(opened_days_ago, days_left):
    digest = build_digest([leaving(opened_days_ago)], TODAY, 30, 7, 30)
    [notice] = digest.beneficiary_notices
    assert notice.days_left == days_left


@pytest.mark.parametrize("opened_days_ago", [22, 61])  # not yet within 7 days; contract ended
def test_beneficiaries_are_not_listed_too_early_nor_after_the_contract_ends(opened_days_ago):
    assert build_digest([leaving(opened_days_ago)], TODAY, 30, 7, 30).beneficiary_notices == []


def test_an_analysts_part_matches_colaborador_as_people_type_it():
    case = replace(
        Case(),
        case_id="RET-2025-0002",
        analyst="  bia   SOUZA ",
        protocol_date=TODAY - timedelta(days=40),
    )
    team = build_digest([case], TODAY, 30, 7, 30)
    assert [c.case_id for c, _ in team.of_analyst("Bia Souza").overdue] == ["RET-2025-0002"]
    assert team.of_analyst("Caio Lima").is_empty()
