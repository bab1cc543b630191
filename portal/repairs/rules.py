"""Credit-repair application statuses. Pure (when repair may be asked is portal/records/rules.repair_allowed)."""

from __future__ import annotations

from enum import StrEnum


class RepairStatus(StrEnum):
    SUBMITTED = "submitted"  # 修复申请中
    APPROVED = "approved"  # 准予修复（停止公示）
    REJECTED = "rejected"  # 不予修复
