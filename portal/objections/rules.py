"""Objection grounds, statuses and outcomes. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Ground(StrEnum):
    WRONG = "wrong"  # 信息错误
    OMISSION = "omission"  # 遗漏
    DUPLICATE = "duplicate"  # 重复公示
    SHOULD_NOT = "should_not"  # 不应公示
    OVERDUE = "overdue"  # 超期公示
    MISMATCH = "mismatch"  # 与认定机关信息不一致


class ObjectionStatus(StrEnum):
    SUBMITTED = "submitted"  # 已提交
    ACCEPTED = "accepted"  # 已受理（核查中）
    CORRECTED = "corrected"  # 已更正
    REVOKED = "revoked"  # 已撤销公示
    UPHELD = "upheld"  # 维持原记录


TRANSITIONS: Mapping[ObjectionStatus, frozenset[ObjectionStatus]] = {
    ObjectionStatus.SUBMITTED: frozenset({ObjectionStatus.ACCEPTED}),
    ObjectionStatus.ACCEPTED: frozenset({ObjectionStatus.CORRECTED, ObjectionStatus.REVOKED, ObjectionStatus.UPHELD}),
    ObjectionStatus.CORRECTED: frozenset(),
    ObjectionStatus.REVOKED: frozenset(),
    ObjectionStatus.UPHELD: frozenset(),
}
OPEN = frozenset({ObjectionStatus.SUBMITTED, ObjectionStatus.ACCEPTED})
