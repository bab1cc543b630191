"""Rectification outcomes, joint measures and deadlines. Pure."""

from __future__ import annotations

from datetime import date

from portal.core.labelled import N_, LabelledEnum


class Outcome(LabelledEnum):
    PERFORMED = "performed", N_("履行完毕")
    SETTLED = "settled", N_("达成和解")
    CASE_CLOSED = "case_closed", N_("销案")
    OVERDUE = "overdue", N_("逾期未整改")


class MeasureKind(LabelledEnum):
    INTERVIEW = "interview", N_("约谈")
    LIMIT_FINANCING = "limit_financing", N_("限制融资")
    NO_HONOURS = "no_honours", N_("取消评先")
    RECORDED = "recorded", N_("记入系统")
    LIMIT_PROJECT_APPROVAL = "limit_project_approval", N_("限制投资项目审批")
    LIMIT_SUBSIDIES = "limit_subsidies", N_("限制补助")
    LIMIT_CONSUMPTION = "limit_consumption", N_("限制消费")


def is_overdue(deadline: date, outcome: Outcome | None, today: date) -> bool:
    """An open rectification is overdue the day after its deadline; a finished one never is."""
    return outcome is None and today > deadline
