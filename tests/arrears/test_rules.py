"""Table tests of the pure arrears rules (沈政办发〔2018〕117号 二(三)): plan order, payments, balance, 万元."""

from __future__ import annotations

from datetime import date

import pytest

from portal.arrears.rules import Problem, balance, format_wan, instalment_problem, payment_problem

D = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("due_on", "amount", "planned", "owed", "problem"),
    [
        (date(2027, 1, 1), 100, [], 100, None),
        (date(2027, 1, 1), 0, [], 100, Problem.NOT_POSITIVE),
        (date(2027, 2, 1), 50, [(date(2027, 1, 1), 50)], 100, None),
        (date(2027, 1, 1), 10, [(date(2027, 1, 1), 50)], 100, Problem.OUT_OF_ORDER),  # the same day
        (date(2026, 12, 1), 10, [(date(2027, 1, 1), 50)], 100, Problem.OUT_OF_ORDER),
        (date(2027, 2, 1), 51, [(date(2027, 1, 1), 50)], 100, Problem.PLAN_ABOVE_OWED),
    ],
)
def test_instalments(
    due_on: date, amount: int, planned: list[tuple[date, int]], owed: int, problem: Problem | None
) -> None:
    assert instalment_problem(due_on, amount, planned, owed) is problem


@pytest.mark.parametrize(
    ("paid_on", "amount", "still_owed", "problem"),
    [
        (D, 100, 100, None),  # the whole balance
        (D, 101, 100, Problem.ABOVE_BALANCE),
        (D, 0, 100, Problem.NOT_POSITIVE),
        (date(2026, 11, 21), 1, 100, Problem.IN_FUTURE),
        (date(2026, 9, 30), 1, 100, Problem.BEFORE_DECISION),
        (date(2026, 10, 1), 1, 100, None),
    ],
)
def test_payments(paid_on: date, amount: int, still_owed: int, problem: Problem | None) -> None:
    assert payment_problem(paid_on, amount, still_owed, date(2026, 10, 1), D) is problem


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (0, "0.00 万元"),
        (1, "0.000001 万元"),
        (5_000_000, "5.00 万元"),
        (123_456_789_01, "12,345.678901 万元"),
        (1_234_560_000, "1,234.56 万元"),
        (1_234_567_000, "1,234.567 万元"),
    ],
)
def test_wan_yuan_is_exact_to_the_fen(fen: int, shown: str) -> None:
    assert format_wan(fen) == shown


def test_balance_never_below_zero() -> None:
    assert balance(100, 30) == 70
    assert balance(100, 130) == 0
