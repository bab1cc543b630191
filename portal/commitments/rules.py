"""Commitment types, subjects, publication scope, fulfilment and the commitment code. Pure."""

from __future__ import annotations

import re
from datetime import date

from portal.core.labelled import N_, LabelledEnum


class CommitmentType(LabelledEnum):
    APPROVAL_SUBSTITUTE = "approval_substitute", N_("审批替代型")
    TOLERANT_ACCEPTANCE = "tolerant_acceptance", N_("容缺受理型")
    CERTIFICATION = "certification", N_("证明事项型")
    CREDIT_REPAIR = "credit_repair", N_("信用修复型")
    SELF_DISCIPLINE = "self_discipline", N_("行业自律型")
    VOLUNTARY = "voluntary", N_("主动型")
    OTHER = "other", N_("其他")


class CommitmentSubject(LabelledEnum):
    DUTY = "duty", N_("履职尽责")
    SERVICE = "service", N_("优化服务")
    INTEGRITY = "integrity", N_("廉洁自律")
    SERVICE_QUALITY = "service_quality", N_("服务质量/期限/保障承诺")
    INVESTMENT_POLICY = "investment_policy", N_("招商引资政策")
    CONTRACT = "contract", N_("合同契约")


class Scope(LabelledEnum):
    PUBLIC = "public", N_("社会公开")
    RESTRICTED = "restricted", N_("政务共享")
    NOT_PUBLIC = "not_public", N_("不予公开")


class Fulfilment(LabelledEnum):
    IN_PROGRESS = "in_progress", N_("履行中")
    FULFILLED = "fulfilled", N_("全部履行")
    PARTLY = "partly", N_("部分履行")
    UNFULFILLED = "unfulfilled", N_("全部未履行")


class DraftState(LabelledEnum):
    """Where a commitment is on its way to publication."""

    DRAFT = "draft", N_("草稿")  # 草稿: the officer edits it
    SUBMITTED = "submitted", N_("待审核")  # 待审核: locked until staff decide
    RETURNED = "returned", N_("已退回")  # 已退回: back to the officer with a reason, editable again
    REJECTED = "rejected", N_("未通过")  # 未通过: closed
    PUBLISHED = "published", N_("已发布")


EDITABLE_STATES = frozenset({DraftState.DRAFT, DraftState.RETURNED})


# The fulfilment determinations allowed (core.transitions.check_transition checks one against it).
FULFILMENT_TRANSITIONS: dict[Fulfilment, frozenset[Fulfilment]] = {
    Fulfilment.IN_PROGRESS: frozenset({Fulfilment.FULFILLED, Fulfilment.PARTLY, Fulfilment.UNFULFILLED}),
    Fulfilment.FULFILLED: frozenset(),
    Fulfilment.PARTLY: frozenset(),
    Fulfilment.UNFULFILLED: frozenset(),
}

CODE_PATTERN = re.compile(r"([0-9]{6})([0-9]{8})([0-9]{6})")


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
