"""The board's lanes from the cases: which lane, counts, the N-days cut, order, pages."""

from dataclasses import replace
from datetime import date, timedelta

from retention.board import (
    AWAITING,
    CARDS_PER_LANE,
    LANE_PAGE,
    OLDER,
    OPEN,
    RECENT,
    BoardRules,
    build_board,
    lane_of,
)
from retention.case import Case
from retention.search import CaseQuery

TODAY = date(2026, 3, 10)
RULES = BoardRules(today=TODAY, sla_days=30, closed_days=30)


def opened(case_id: str, days_ago: int | None, **fields) -> Case:
    """An open case whose protocol was opened ``days_ago`` days ago (None: no date)."""
    day = None if days_ago is None else TODAY - timedelta(days=days_ago)
    return Case(case_id=case_id, protocol_date=day, **fields)


def closed(case_id: str, days_ago: int, signed: bool = True, **fields) -> Case:
    """A case closed (Data final) ``days_ago`` days ago, signed off or not."""
    end = TODAY - timedelta(days=days_ago)
    signature = {"supervisor_signature": "Sara", "signed_on": end} if signed else {}
    return Case(case_id=case_id, status="Desligamento", end_date=end, **signature, **fields)


def ids(cases: list[Case]) -> list[str]:
    return [case.case_id for case in cases]


def test_each_case_goes_in_one_lane_and_each_lane_counts_its_cases():
    cases = [
        opened("A", 3),
        opened("B", 50),
        closed("C", 2, signed=False),
        closed("D", 400, signed=False),  # waits however old it is
        closed("E", 5),
        closed("F", 90),
    ]

    board = build_board(cases, CaseQuery(), RULES, changed_ids=())

    assert [(lane.key, lane.count, sorted(ids(lane.cases))) for lane in board.lanes] == [
        (OPEN, 2, ["A", "B"]),
        (AWAITING, 2, ["C", "D"]),
        (RECENT, 1, ["E"]),
    ]
    assert board.older == 1  # F, behind the link
    assert sorted(board.cards) == ["A", "B", "C", "D", "E"]  # cards of the shown cases only


def test_the_n_days_cut_keeps_a_case_closed_n_days_ago_and_drops_the_day_before():
    week = replace(RULES, closed_days=7)

    assert lane_of(closed("X", 7), week) == RECENT
    assert lane_of(closed("X", 8), week) == OLDER
    assert lane_of(closed("X", 8), RULES) == RECENT  # the default 30 days keeps it
    no_end = replace(closed("X", 0), end_date=None, signed_on=TODAY - timedelta(days=3))
    assert lane_of(no_end, week) == RECENT  # without Data final: the day it was signed
    assert lane_of(replace(no_end, signed_on=None), week) == OLDER


def test_the_overdue_come_first_in_em_andamento_longest_open_first():
    cases = [
        opened("EM-DIA", 5),
        opened("SEM-DATA", None),
        opened("ATRASO", 40),
        opened("MUITO", 90),
    ]

    [lane, *_] = build_board(cases, CaseQuery(), RULES, changed_ids=()).lanes

    assert ids(lane.cases) == ["MUITO", "ATRASO", "EM-DIA", "SEM-DATA"]
    assert lane.overdue == 2


def test_waiting_longest_first_and_closed_latest_first():
    cases = [
        closed("W-NEW", 1, signed=False),
        closed("W-OLD", 20, signed=False),
        closed("C-OLD", 20),
        closed("C-NEW", 1),
    ]

    _, awaiting, recent = build_board(cases, CaseQuery(), RULES, changed_ids=()).lanes

    assert ids(awaiting.cases) == ["W-OLD", "W-NEW"]
    assert ids(recent.cases) == ["C-NEW", "C-OLD"]


def test_a_lane_shows_a_page_of_cards_and_ver_todos_shows_the_rest_page_by_page():
    cases = [opened(f"RET-{n:04d}", n % 60) for n in range(LANE_PAGE + 5)]

    [board_lane, *_] = build_board(cases, CaseQuery(), RULES, changed_ids=()).lanes
    alone = build_board(cases, CaseQuery(), RULES, changed_ids=(), lane=OPEN)
    second = build_board(cases, CaseQuery(), RULES, changed_ids=(), lane=OPEN, page=2)
    past = build_board(cases, CaseQuery(), RULES, changed_ids=(), lane=OPEN, page=9)

    assert (len(board_lane.cases), board_lane.count, board_lane.more) == (
        CARDS_PER_LANE,
        LANE_PAGE + 5,
        True,
    )
    assert [lane.key for lane in alone.lanes] == [OPEN]
    assert (len(alone.lanes[0].cases), alone.lanes[0].pages) == (LANE_PAGE, 2)
    assert len(second.lanes[0].cases) == 5
    assert ids(alone.lanes[0].cases)[:CARDS_PER_LANE] == ids(board_lane.cases)  # same order
    assert set(ids(alone.lanes[0].cases + second.lanes[0].cases)) == set(ids(cases))
    assert past.lanes[0].page == 2  # a page past the end shows the last one


def test_the_older_closed_cases_are_a_lane_of_their_own_behind_the_link():
    cases = [closed("OLD-1", 100), closed("OLD-2", 200), closed("NEW", 1)]

    board = build_board(cases, CaseQuery(), RULES, changed_ids=(), lane=OLDER)

    assert [(lane.key, ids(lane.cases)) for lane in board.lanes] == [(OLDER, ["OLD-1", "OLD-2"])]


def test_counts_follow_the_filters_while_the_options_come_from_every_case():
    cases = [opened("A", 3, uf="MS", analyst="Bia"), opened("B", 3, uf="SP", analyst="Caio")]

    board = build_board(cases, CaseQuery(uf="MS"), RULES, changed_ids=())

    assert (board.lanes[0].count, ids(board.lanes[0].cases)) == (1, ["A"])
    assert board.analysts == ["Bia", "Caio"]


def test_cards_say_the_checklist_the_deadline_and_a_change_in_the_sheet():
    cases = [opened("LATE", 45), opened("FRESH", 2)]

    cards = build_board(cases, CaseQuery(), RULES, changed_ids={"FRESH"}).cards

    late, fresh = cards["LATE"], cards["FRESH"]
    assert late.deadline is not None and late.deadline.overdue_by == 15
    assert fresh.deadline is not None and fresh.deadline.overdue_by == 0
    assert (late.changed, fresh.changed) == (False, True)
    assert late.progress == "0/8"
