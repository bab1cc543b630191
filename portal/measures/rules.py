"""The joint measures (联合惩戒), their states and the date rules of applying, confirming and lifting them. Pure:
`today` is an argument."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from portal.core.labelled import N_, LabelledEnum


class MeasureKind(LabelledEnum):
    """The measures a failing body may be subjected to.

    - 书面警示, 约谈告诫: 如东县政务失信防范治理长效管理办法 四(一);
    - the rest: 新信用发〔2018〕6号 (五)1–7 (失信约谈, 限制融资, 取消评先, 记入系统, 限制投资, 限制补助,
      限制消费); 资金拨付 and 项目审批 are also named in 如东县办法 四(一).

    The codes are those stored before migration 0008; only their labels took the wording of the documents."""

    WRITTEN_WARNING = "written_warning", N_("书面警示")
    INTERVIEW = "interview", N_("约谈告诫")
    LIMIT_FINANCING = "limit_financing", N_("限制融资")
    NO_HONOURS = "no_honours", N_("取消评先评优")
    RECORDED = "recorded", N_("记入信用信息系统")
    LIMIT_PROJECT_APPROVAL = "limit_project_approval", N_("限制新增投资项目审批")
    LIMIT_SUBSIDIES = "limit_subsidies", N_("限制财政补助/资金拨付")
    LIMIT_CONSUMPTION = "limit_consumption", N_("限制高消费")


class JointMeasureState(LabelledEnum):
    """Where a measure stands: applied by the credit office, confirmed carried out by its implementing unit,
    lifted (by staff, or by an approved credit repair). Derived from its dates, never stored."""

    APPLIED = "applied", N_("已实施")
    CONFIRMED = "confirmed", N_("已落实")
    LIFTED = "lifted", N_("已解除")


# The reason written when an approved credit repair lifts a record's measures (kept as data, like other notes):
# 如东县办法 四(三) — a body that put its breach right may be spared further punishment.
REPAIR_LIFT_REASON = "信用修复"


def state(confirmed_on: date | None, lifted_on: date | None) -> JointMeasureState:
    if lifted_on is not None:
        return JointMeasureState.LIFTED
    if confirmed_on is not None:
        return JointMeasureState.CONFIRMED
    return JointMeasureState.APPLIED


class DateProblem(StrEnum):
    """Why a date given for a step is refused (the edge words it beside the field)."""

    IN_FUTURE = "in_future"  # a step is recorded when it has happened, never ahead
    BEFORE_START = "before_start"  # confirmed or lifted before the measure started


def start_problem(starts_on: date, today: date) -> DateProblem | None:
    """A measure is entered once its 文件 is issued and in force: its start date is today or earlier."""
    return DateProblem.IN_FUTURE if starts_on > today else None


def step_problem(on: date, starts_on: date, today: date) -> DateProblem | None:
    """A confirmation (已落实) or a lift (解除) is dated on or after the measure's start, and not after today."""
    if on > today:
        return DateProblem.IN_FUTURE
    if on < starts_on:
        return DateProblem.BEFORE_START
    return None
