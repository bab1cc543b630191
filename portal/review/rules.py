"""Submission kinds and statuses, and the decisions allowed. Pure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.labelled import N_, LabelledEnum
from portal.errors import NotAllowedError, RefusedError


class SubmissionKind(LabelledEnum):
    COMMITMENT = "commitment", N_("承诺书")  # a commitment letter to publish
    PROGRESS = "progress", N_("整改进展")  # rectification progress on a record
    FULFILMENT = "fulfilment", N_("承诺履行情况")  # a commitment's fulfilment (履行中 → 全部/部分履行 or 全部未履行)
    PLAN = "plan", N_("整改方案")  # a rectification plan the agency's officer drafted for a record
    COMPLETION = "completion", N_("整改完毕")  # the officer's report that a record's obligations are 履行完毕


class SubmissionStatus(LabelledEnum):
    PENDING = "pending", N_("待审核")
    APPROVED = "approved", N_("已通过")  # 已通过 (published)
    RETURNED = "returned", N_("已退回")  # 已退回 (back to the officer with a reason)
    REJECTED = "rejected", N_("未通过")


DECISIONS = frozenset({SubmissionStatus.APPROVED, SubmissionStatus.RETURNED, SubmissionStatus.REJECTED})


def check_decision(current: SubmissionStatus, decision: SubmissionStatus, reason: str) -> None:
    """Only a pending submission is decided, once; returning or rejecting needs a reason (RefusedError beside the
    reason field; the view checks it nowhere else)."""
    if current is not SubmissionStatus.PENDING:
        raise NotAllowedError(_l("这件提交已经处理过了，不能再次审核。"))
    if decision not in DECISIONS:
        raise NotAllowedError(_l("请选择通过、退回或不予通过。"))
    if decision is not SubmissionStatus.APPROVED and not reason.strip():
        raise RefusedError(_l("退回或不予通过时必须说明理由。"), field="reason")
