"""The process checklist and the deadlines derived from a case."""

from dataclasses import replace
from datetime import date

from retention.case import Case, Contact
from retention.checklist import checklist, deadline, progress
from tests.sample import full_case


def test_an_empty_case_has_done_nothing():
    items = checklist(Case())
    assert len(items) == 8
    assert progress(items) == "0/8"


def test_a_complete_case_has_done_everything():
    assert progress(checklist(full_case())) == "8/8"


def test_contact_lost_counts_as_enough_contacts():
    one_contact = (Contact(date(2025, 5, 8), "WhatsApp", "sem retorno"), *Case().contacts[1:])
    case = replace(Case(), contacts=one_contact)
    assert [i.done for i in checklist(case)][:2] == [True, False]
    lost = replace(case, reasons=frozenset({"Perda de Contato"}))
    assert [i.done for i in checklist(lost)][:2] == [True, True]


def test_deadline_counts_from_the_protocol_and_shows_the_60_day_notice():
    case = replace(Case(), protocol_date=date(2025, 5, 2))
    due = deadline(case, today=date(2025, 6, 17), sla_days=30)
    assert due.days_open == 46
    assert due.overdue_by == 16
    assert due.notice_ends == date(2025, 7, 1)
    assert due.notice_days_left == 14


def test_closed_cases_and_cases_without_protocol_have_no_deadline():
    assert deadline(replace(full_case(), status="Desligamento"), date(2025, 6, 17), 30) is None
    assert deadline(Case(), date(2025, 6, 17), 30) is None
