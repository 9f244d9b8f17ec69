"""The case list's columns: days open, status chips and sorting (retention.case_list)."""

from datetime import date

import pytest

from retention.case import Case
from retention.case_list import Ordering, status_chip
from retention.checklist import days_open
from retention.choices import STATUSES

TODAY = date(2025, 6, 17)


def case(case_id: str = "RET-2025-0001", **fields) -> Case:
    return Case(case_id=case_id, **fields)


@pytest.mark.parametrize(
    ("fields", "days"),
    [
        ({"protocol_date": date(2025, 5, 2)}, 46),
        ({"protocol_date": TODAY}, 0),
        ({"protocol_date": date(2024, 12, 31)}, 168),
        ({}, None),  # open without Dt. abertura protocolo
        ({"protocol_date": date(2025, 5, 2), "status": "Desligamento"}, None),  # closed
        ({"protocol_date": date(2025, 5, 2), "status": "Retenção Efetiva"}, None),
    ],
)
def test_days_open_count_from_the_protocol_while_open(fields, days):
    assert days_open(case(**fields), TODAY) == days


def test_each_status_has_its_own_chip_saying_its_name():
    chips = [status_chip(status) for status in STATUSES]

    assert [chip.text for chip in chips] == list(STATUSES)
    assert len({chip.tone for chip in chips}) == len(STATUSES)


@pytest.mark.parametrize(
    ("status", "text"), [("Suspenso (ver e-mail)", "Suspenso (ver e-mail)"), ("", "Sem status")]
)
def test_a_status_typed_in_the_sheet_keeps_its_words(status, text):
    chip = status_chip(status)
    assert chip.text == text
    assert chip.tone not in {status_chip(known).tone for known in STATUSES}


NAMES = ["bruno", "Álvaro", "", "CÉLIA", "ana"]
PEOPLE = [case(f"RET-2025-{n:04d}", dentist_name=name) for n, name in enumerate(NAMES, 1)]


def names(cases: list[Case]) -> list[str]:
    return [c.dentist_name for c in cases]


def test_newest_first_is_kept_when_no_column_is_chosen():
    assert Ordering().apply(PEOPLE, TODAY) == PEOPLE


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("asc", ["Álvaro", "ana", "bruno", "CÉLIA", ""]),
        ("desc", ["CÉLIA", "bruno", "ana", "Álvaro", ""]),
    ],
)
def test_names_sort_ignoring_case_and_accents_with_empty_ones_last(direction, expected):
    assert names(Ordering("dentista", direction).apply(PEOPLE, TODAY)) == expected


def test_ids_and_protocols_sort_by_their_numbers():
    cases = [
        case("RET-2025-10000", protocol="sad12"),
        case("RET-2025-0009", protocol="SAD9"),
        case("RET-2024-0012", protocol="SAD100"),
    ]
    by_id = Ordering("id", "asc").apply(cases, TODAY)
    by_protocol = Ordering("protocolo", "asc").apply(cases, TODAY)

    assert [c.case_id for c in by_id] == ["RET-2024-0012", "RET-2025-0009", "RET-2025-10000"]
    assert [c.protocol for c in by_protocol] == ["SAD9", "sad12", "SAD100"]


def test_days_open_sort_longest_first_with_closed_and_undated_cases_last():
    cases = [
        case("RET-2025-0001", protocol_date=date(2025, 6, 1)),
        case("RET-2025-0002", protocol_date=date(2025, 1, 2), status="Desligamento"),
        case("RET-2025-0003"),
        case("RET-2025-0004", protocol_date=date(2025, 3, 1)),
    ]
    first_click = Ordering().after_click("dias")

    ordered = first_click.apply(cases, TODAY)

    assert first_click == Ordering("dias", "desc")
    assert [c.case_id[-1] for c in ordered] == ["4", "1", "2", "3"]  # ties keep newest first


def test_statuses_sort_in_the_forms_order_then_others():
    cases = [case(status=s) for s in ("Desligamento", "Feito à mão", *STATUSES[:2])]
    ordered = Ordering("status", "asc").apply(cases, TODAY)
    assert [c.status for c in ordered] == [*STATUSES[:2], "Desligamento", "Feito à mão"]


def test_clicking_the_sorted_header_again_reverses_the_order():
    by_name = Ordering().after_click("dentista")

    assert by_name == Ordering("dentista", "asc")
    assert by_name.after_click("dentista") == Ordering("dentista", "desc")
    assert by_name.after_click("dentista").after_click("dentista") == by_name
    assert by_name.after_click("colaborador") == Ordering("colaborador", "asc")


def test_only_the_sorted_header_says_how_it_is_sorted():
    ordering = Ordering("inicio", "desc")
    assert ordering.aria_sort("inicio") == "descending"
    assert Ordering("inicio", "asc").aria_sort("inicio") == "ascending"
    assert ordering.aria_sort("dentista") is None
    assert Ordering().aria_sort("id") is None


@pytest.mark.parametrize(
    ("column", "direction", "expected"),
    [
        ("dias", "desc", Ordering("dias", "desc")),
        ("dias", "sideways", Ordering("dias", "desc")),  # longest open first
        ("dentista", "", Ordering("dentista", "asc")),
        ("salario", "asc", Ordering()),
        ("", "", Ordering()),
    ],
)
def test_the_address_cannot_ask_for_an_unknown_order(column, direction, expected):
    ordering = Ordering.parse(column, direction)
    assert ordering == expected
    assert ordering.as_args() == (
        {"ordem": column, "sentido": expected.direction} if expected.column else {}
    )
