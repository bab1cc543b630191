"""Submission kinds and statuses, and the decisions allowed. Pure."""

from __future__ import annotations

from enum import StrEnum


class SubmissionKind(StrEnum):
    COMMITMENT = "commitment"  # a commitment letter to publish
    PROGRESS = "progress"  # rectification progress on a record
    FULFILMENT = "fulfilment"  # a commitment's fulfilment (履行中 → 全部/部分履行 or 全部未履行)


class SubmissionStatus(StrEnum):
    PENDING = "pending"  # 待审核
    APPROVED = "approved"  # 已通过 (published)
    RETURNED = "returned"  # 已退回 (back to the officer with a reason)
    REJECTED = "rejected"  # 未通过


DECISIONS = frozenset({SubmissionStatus.APPROVED, SubmissionStatus.RETURNED, SubmissionStatus.REJECTED})


class InvalidDecision(ValueError):
    pass


def check_decision(current: SubmissionStatus, decision: SubmissionStatus, reason: str) -> None:
    """Only a pending submission is decided, once; returning or rejecting needs a reason."""
    if current is not SubmissionStatus.PENDING:
        raise InvalidDecision("this submission has already been decided")
    if decision not in DECISIONS:
        raise InvalidDecision(f"{decision.value!r} is not a decision")
    if decision is not SubmissionStatus.APPROVED and not reason.strip():
        raise InvalidDecision("returning or rejecting needs a reason")
