"""Arrears (拖欠账款) and broken investment promises (招商承诺不兑现): subtypes, the repayment plan's order, what a
payment may be, the balance, and money in 万元. Pure: `today` is an argument.

沈政办发〔2018〕117号 二(三)1: governments owing project money (拖欠工程款) draw up a repayment plan (还款计划) and pay
what they owe; 二(三)2: investment promises (招商政策承诺) are honoured. The portal keeps the plan, the payments
received and the promised incentives, and shows what is still owed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from portal.core.labelled import N_, LabelledEnum

ARREARS = "arrears"
INVESTMENT_PROMISE = "investment_promise"
# The record kinds with money owed: a repayment plan and payments (arrears), promised incentives (promises).
MONEY_KINDS = frozenset({ARREARS, INVESTMENT_PROMISE})


class Subtype(LabelledEnum):
    """What is owed (拖欠账款的类别)."""

    CONSTRUCTION = "construction", N_("工程款")
    GOODS = "goods", N_("货款")
    MATERIALS = "materials", N_("物资采购款")
    DEPOSIT = "deposit", N_("保证金")
    POLICY = "policy", N_("政策兑现款")
    OTHER = "other", N_("其他")


class Problem(StrEnum):
    """Why an instalment, an incentive or a payment is refused (the edge words it beside the field)."""

    NOT_POSITIVE = "not_positive"  # an amount of 0
    OUT_OF_ORDER = "out_of_order"  # an instalment not after the plan's last one
    PLAN_ABOVE_OWED = "plan_above_owed"  # the plan's instalments would add up to more than is owed
    ABOVE_BALANCE = "above_balance"  # a payment above what is still owed
    IN_FUTURE = "in_future"  # a payment dated after today
    BEFORE_DECISION = "before_decision"  # a payment dated before the arrears were recorded as decided


def balance(owed: int, paid: int) -> int:
    """What is still owed (拖欠余额), in fen; never below 0."""
    return max(owed - paid, 0)


def instalment_problem(due_on: date, amount: int, planned: Sequence[tuple[date, int]], owed: int) -> Problem | None:
    """A new instalment (还款计划, 沈政办发〔2018〕117号 二(三)1) after the plan's `planned` (date, amount) ones: its
    date must come after the last one's, its amount above 0, and the plan may not add up to more than is `owed`."""
    if amount <= 0:
        return Problem.NOT_POSITIVE
    if planned and due_on <= max(d for d, _ in planned):
        return Problem.OUT_OF_ORDER
    if sum(a for _, a in planned) + amount > owed:
        return Problem.PLAN_ABOVE_OWED
    return None


def payment_problem(paid_on: date, amount: int, still_owed: int, decided_on: date, today: date) -> Problem | None:
    """A payment received: above 0, not above what is still owed, dated between the decision and today."""
    if amount <= 0:
        return Problem.NOT_POSITIVE
    if amount > still_owed:
        return Problem.ABOVE_BALANCE
    if paid_on > today:
        return Problem.IN_FUTURE
    if paid_on < decided_on:
        return Problem.BEFORE_DECISION
    return None


def format_wan(fen: int) -> str:
    """Integer fen in 万元, exact to the fen: 1_234_567_801 → '1,234.567801 万元', 5_000_000 → '5.00 万元'."""
    sign = "-" if fen < 0 else ""
    whole, rest = divmod(abs(fen), 1_000_000)  # 1 万元 = 1,000,000 fen
    digits = f"{rest:06d}".rstrip("0").ljust(2, "0")
    return f"{sign}{whole:,}.{digits} 万元"
