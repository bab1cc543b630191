"""The registry's pure rules: a parent must not make a loop; dates keep their order."""

from __future__ import annotations

from datetime import date

import pytest

from portal.agencies.rules import DateProblem, award_date_problem, makes_loop, registry_date_problem

# 1 county government ← 2 department ← 3 its unit; 4 township under 1; 5 alone; 6 ↔ 7 a loop already stored
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 1, 5: None, 6: 7, 7: 6}


@pytest.mark.parametrize(
    ("agency", "parent", "loop"),
    [
        (2, 1, False),  # unchanged
        (3, 4, False),  # moved under another branch
        (1, None, False),  # no parent
        (None, 3, False),  # a new agency is nobody's ancestor
        (1, 1, True),  # its own parent
        (1, 2, True),  # under its child
        (1, 3, True),  # under its grandchild
        (2, 3, True),  # under its child
        (5, 3, False),  # a stranger joins the tree
        (5, 6, False),  # a stored loop elsewhere ends the walk
        (1, 99, False),  # an unknown parent (the operation says so)
    ],
)
def test_a_parent_that_would_make_a_loop(agency: int | None, parent: int | None, loop: bool) -> None:
    assert makes_loop(agency, parent, PARENTS) is loop


TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("day", "last_change", "problem"),
    [
        (date(2026, 11, 20), None, None),
        (date(2026, 11, 21), None, DateProblem.FUTURE),
        (date(2020, 1, 1), None, None),
        (date(2026, 5, 2), date(2026, 5, 1), None),
        (date(2026, 5, 1), date(2026, 5, 1), DateProblem.BEFORE_LAST_CHANGE),
        (date(2026, 4, 30), date(2026, 5, 1), DateProblem.BEFORE_LAST_CHANGE),
        (date(2026, 12, 1), date(2026, 5, 1), DateProblem.FUTURE),
    ],
)
def test_registry_dates_keep_their_order(day: date, last_change: date | None, problem: DateProblem | None) -> None:
    assert registry_date_problem(day, TODAY, last_change) is problem


@pytest.mark.parametrize(
    ("day", "problem"), [(TODAY, None), (date(2001, 1, 1), None), (date(2026, 11, 21), DateProblem.FUTURE)]
)
def test_an_award_is_not_in_the_future(day: date, problem: DateProblem | None) -> None:
    assert award_date_problem(day, TODAY) is problem
