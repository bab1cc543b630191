"""Rectification outcomes, joint measures and deadlines. Pure."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Outcome(StrEnum):
    PERFORMED = "performed"  # 履行完毕
    SETTLED = "settled"  # 达成和解
    CASE_CLOSED = "case_closed"  # 销案
    OVERDUE = "overdue"  # 逾期未整改


class MeasureKind(StrEnum):
    INTERVIEW = "interview"  # 约谈
    LIMIT_FINANCING = "limit_financing"  # 限制融资
    NO_HONOURS = "no_honours"  # 取消评先
    RECORDED = "recorded"  # 记入系统
    LIMIT_PROJECT_APPROVAL = "limit_project_approval"  # 限制投资项目审批
    LIMIT_SUBSIDIES = "limit_subsidies"  # 限制补助
    LIMIT_CONSUMPTION = "limit_consumption"  # 限制消费


def is_overdue(deadline: date, outcome: Outcome | None, today: date) -> bool:
    """An open rectification is overdue the day after its deadline; a finished one never is."""
    return outcome is None and today > deadline
