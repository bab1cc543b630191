"""Commitment types, subjects, publication scope, fulfilment and the commitment code. Pure."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum


class CommitmentType(StrEnum):
    APPROVAL_SUBSTITUTE = "approval_substitute"  # 审批替代型
    TOLERANT_ACCEPTANCE = "tolerant_acceptance"  # 容缺受理型
    CERTIFICATION = "certification"  # 证明事项型
    CREDIT_REPAIR = "credit_repair"  # 信用修复型
    SELF_DISCIPLINE = "self_discipline"  # 行业自律型
    VOLUNTARY = "voluntary"  # 主动型
    OTHER = "other"  # 其他


class CommitmentSubject(StrEnum):
    DUTY = "duty"  # 履职尽责
    SERVICE = "service"  # 优化服务
    INTEGRITY = "integrity"  # 廉洁自律
    SERVICE_QUALITY = "service_quality"  # 服务质量/期限/保障承诺
    INVESTMENT_POLICY = "investment_policy"  # 招商引资政策
    CONTRACT = "contract"  # 合同契约


class Scope(StrEnum):
    PUBLIC = "public"  # 社会公开
    RESTRICTED = "restricted"  # 政务共享
    NOT_PUBLIC = "not_public"  # 不予公开


class Fulfilment(StrEnum):
    IN_PROGRESS = "in_progress"  # 履行中
    FULFILLED = "fulfilled"  # 全部履行
    PARTLY = "partly"  # 部分履行
    UNFULFILLED = "unfulfilled"  # 全部未履行


class DraftState(StrEnum):
    """Where a commitment is on its way to publication."""

    DRAFT = "draft"  # 草稿: the officer edits it
    SUBMITTED = "submitted"  # 待审核: locked until staff decide
    RETURNED = "returned"  # 已退回: back to the officer with a reason, editable again
    REJECTED = "rejected"  # 未通过: closed
    PUBLISHED = "published"  # 已发布


EDITABLE_STATES = frozenset({DraftState.DRAFT, DraftState.RETURNED})


FULFILMENT_TRANSITIONS: dict[Fulfilment, frozenset[Fulfilment]] = {
    Fulfilment.IN_PROGRESS: frozenset({Fulfilment.FULFILLED, Fulfilment.PARTLY, Fulfilment.UNFULFILLED}),
    Fulfilment.FULFILLED: frozenset(),
    Fulfilment.PARTLY: frozenset(),
    Fulfilment.UNFULFILLED: frozenset(),
}

CODE_PATTERN = re.compile(r"([0-9]{6})([0-9]{8})([0-9]{6})")


class InvalidFulfilment(ValueError):
    pass


def check_fulfilment(current: Fulfilment, new: Fulfilment) -> None:
    if new not in FULFILMENT_TRANSITIONS[current]:
        raise InvalidFulfilment(f"fulfilment cannot go from {current.value!r} to {new.value!r}")


def commitment_code(region_code: str, made_on: date, serial: int) -> str:
    """6-digit region + 8-digit date + 6-digit serial, e.g. 99012120260115000001."""
    if not re.fullmatch(r"[0-9]{6}([0-9]{3})?", region_code) or not 0 < serial < 1_000_000:
        raise ValueError("need a region code of 6 digits and a serial from 1 to 999999")
    return f"{region_code[:6]}{made_on:%Y%m%d}{serial:06d}"


def is_commitment_code(code: str) -> bool:
    match = CODE_PATTERN.fullmatch(code)
    if not match:
        return False
    try:
        date(int(match[2][:4]), int(match[2][4:6]), int(match[2][6:]))
    except ValueError:
        return False
    return True
