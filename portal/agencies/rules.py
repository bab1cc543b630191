"""Agency kinds (主体类型), an agency's standing in the registry, its positive information, and the registry's
pure rules: a parent must not make a loop, and the dates of a name's history, a closure and an award keep their
order. Pure: `today` is an argument."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from portal.core.labelled import N_, LabelledEnum


class AgencyKind(LabelledEnum):
    GOVERNMENT = "government", N_("人民政府")
    DEPARTMENT = "department", N_("政府部门")
    INSTITUTION = "institution", N_("事业单位")
    SOE = "soe", N_("国有企业")
    TOWNSHIP = "township", N_("乡镇（街道）")


class AgencyStatus(LabelledEnum):
    """An agency is never deleted: a closed (撤销) or merged (合并) one keeps its 政务诚信档案, marked with the date."""

    ACTIVE = "active", N_("存续")
    CLOSED = "closed", N_("已撤销")
    MERGED = "merged", N_("已合并")


class PositiveKind(LabelledEnum):
    """Positive information on the 政务诚信档案 (泰信用办〔2022〕12号 三(四): 表彰奖励 and 履约践诺)."""

    COMMENDATION = "commendation", N_("表彰")
    AWARD = "award", N_("奖励")
    KEPT_FAITH = "kept_faith", N_("守信践诺")


def makes_loop(agency_id: int | None, parent_id: int | None, parents: Mapping[int, int | None]) -> bool:
    """Would setting `parent_id` as the parent of `agency_id` make a loop? `parents` maps each agency to its
    current parent. A new agency (no id yet) cannot be anyone's ancestor, so it never makes a loop; an agency
    cannot be its own parent; otherwise walk up from the proposed parent and see whether the agency is met."""
    if parent_id is None or agency_id is None:
        return False
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == agency_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


class DateProblem(StrEnum):
    """What is wrong with a date of the registry (the forms say it in words beside the field)."""

    FUTURE = "future"  # after today
    BEFORE_LAST_CHANGE = "before_last_change"  # not after the last date in the agency's name history


def registry_date_problem(day: date, today: date, last_change: date | None) -> DateProblem | None:
    """A date of a rename (the old name's last day) or of a closure or merger: not in the future, and after the
    last day of the agency's latest former name, so that the history reads in order."""
    if day > today:
        return DateProblem.FUTURE
    if last_change is not None and day <= last_change:
        return DateProblem.BEFORE_LAST_CHANGE
    return None


def award_date_problem(day: date, today: date) -> DateProblem | None:
    """A positive item is entered once it was awarded: its date is not in the future (泰信用办〔2022〕12号 三(四))."""
    return DateProblem.FUTURE if day > today else None
