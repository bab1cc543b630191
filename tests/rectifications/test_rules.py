"""The rules of a rectification: when a case is overdue (新信用发〔2018〕6号 (五)), a plan's checks and the adjustment
record, and when a result (沈政办发〔2018〕117号 二(三)) may be recorded."""

from __future__ import annotations

from datetime import date

import pytest

from portal.rectifications.rules import (
    CaseState,
    Outcome,
    OutcomeProblem,
    Plan,
    PlanProblem,
    Step,
    StepState,
    case_state,
    is_overdue,
    outcome_problem,
    plan_changes,
    plan_problems,
    step_state,
)

DEADLINE = date(2025, 10, 9)


@pytest.mark.parametrize(
    ("outcome", "today", "expected"),
    [
        (None, date(2025, 9, 30), False),
        (None, date(2025, 10, 8), False),
        (None, date(2025, 10, 9), False),  # the deadline day itself is still in time
        (None, date(2025, 10, 10), True),
        (None, date(2026, 10, 9), True),
        *[(outcome, date(2025, 10, 10), False) for outcome in Outcome],
        *[(outcome, date(2027, 1, 1), False) for outcome in Outcome],
        *[(outcome, date(2025, 10, 1), False) for outcome in Outcome],
    ],
)
def test_is_overdue(outcome: Outcome | None, today: date, expected: bool) -> None:
    assert is_overdue(DEADLINE, outcome, today) is expected


@pytest.mark.parametrize(
    ("open_steps", "outcome", "today", "expected"),
    [
        ([date(2025, 9, 1)], None, date(2025, 9, 1), CaseState.OPEN),  # a measure due today is in time
        ([date(2025, 9, 1)], None, date(2025, 9, 2), CaseState.OVERDUE),  # an open measure's deadline passed
        ([date(2025, 9, 1), date(2025, 10, 1)], None, date(2025, 9, 15), CaseState.OVERDUE),
        ([], None, date(2025, 9, 15), CaseState.OPEN),  # measures done: only the overall deadline counts
        ([], None, date(2025, 10, 10), CaseState.OVERDUE),
        ([date(2025, 9, 1)], Outcome.SETTLED, date(2026, 1, 1), CaseState.FINISHED),  # a result ends it
        ([], Outcome.CASE_CLOSED, date(2026, 1, 1), CaseState.FINISHED),
    ],
)
def test_case_state_counts_every_open_deadline(
    open_steps: list[date], outcome: Outcome | None, today: date, expected: CaseState
) -> None:
    assert case_state(DEADLINE, outcome, today, open_steps) is expected
    assert is_overdue(DEADLINE, outcome, today, open_steps) is (expected is CaseState.OVERDUE)


def test_overdue_is_a_state_never_a_result() -> None:
    assert {o.value for o in Outcome} == {"performed", "settled", "case_closed"}
    assert CaseState.OVERDUE.label == "逾期未整改"


@pytest.mark.parametrize(("done_on", "state"), [(None, StepState.OPEN), (date(2025, 9, 1), StepState.DONE)])
def test_step_state(done_on: date | None, state: StepState) -> None:
    assert step_state(done_on) is state


DECISION = date(2025, 6, 1)


def plan(
    *steps: tuple[str, date], deadline: date = DEADLINE, unit: str = "演示县财政局", post: str = "财务科科长"
) -> Plan:
    return Plan(unit, post, tuple(Step(text, day) for text, day in steps), deadline)


@pytest.mark.parametrize(
    ("entered", "problems"),
    [
        (plan(("筹措资金", date(2025, 8, 1))), {}),
        (plan(("筹措资金", DEADLINE)), {}),  # a measure may be due on the plan's deadline
        (plan(), {"steps": PlanProblem.NO_STEPS}),
        (plan(("筹措资金", date(2025, 10, 10))), {"steps-0-deadline": PlanProblem.STEP_AFTER_DEADLINE}),
        (
            plan(("筹措资金", date(2025, 8, 1)), ("付款", date(2025, 5, 31))),
            {"steps-1-deadline": PlanProblem.STEP_BEFORE_DECISION},
        ),
        (
            plan(("筹措资金", date(2025, 5, 1)), deadline=date(2025, 5, 1)),
            {"deadline": PlanProblem.DEADLINE_BEFORE_DECISION, "steps-0-deadline": PlanProblem.STEP_BEFORE_DECISION},
        ),
    ],
)
def test_plan_problems(entered: Plan, problems: dict[str, PlanProblem]) -> None:
    assert plan_problems(entered, DECISION) == problems


def test_plan_changes_old_to_new_in_a_fixed_order() -> None:
    old = plan(("筹措资金", date(2025, 8, 1)))
    assert plan_changes(old, old) == {}
    new = plan(("筹措资金", date(2025, 9, 1)), ("付款", DEADLINE), deadline=DEADLINE, post="分管负责人")
    assert plan_changes(old, new) == {
        "responsible_post": ["财务科科长", "分管负责人"],
        "steps": ["筹措资金（2025-08-01）", "筹措资金（2025-09-01）；付款（2025-10-09）"],
    }
    assert list(plan_changes(old, plan(("x", DECISION), deadline=date(2025, 12, 1), unit="乙"))) == [
        "responsible_unit",
        "steps",
        "deadline",
    ]


def test_a_plan_survives_the_review_payload() -> None:
    entered = plan(("筹措资金", date(2025, 8, 1)), ("付款", DEADLINE))
    assert Plan.from_payload(entered.as_payload()) == entered


TODAY = date(2025, 11, 20)


@pytest.mark.parametrize(
    ("so_far", "finished_on", "problem"),
    [
        (None, TODAY, None),
        (None, DECISION, None),
        (None, date(2025, 11, 21), OutcomeProblem.FUTURE),
        (None, date(2025, 5, 31), OutcomeProblem.BEFORE_DECISION),
        (Outcome.PERFORMED, TODAY, OutcomeProblem.FINISHED),
    ],
)
def test_outcome_problem(so_far: Outcome | None, finished_on: date, problem: OutcomeProblem | None) -> None:
    assert outcome_problem(so_far, finished_on, DECISION, TODAY) is problem
