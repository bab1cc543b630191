"""The record kinds and their own fields, declared once.

This declaration drives the record page (and later the forms, CSV columns, API schema and search). Each
record keeps its kind's fields in `Record.details` under the field names below; money is in fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core.labelled import N_, Label, LabelledEnum
from portal.core.money import format_yuan


class Kind(LabelledEnum):
    """The record kinds (失信记录类别); each one's fields are declared in KINDS below."""

    JUDGMENT_DEFAULTER = "judgment_defaulter", N_("失信被执行人")
    ENFORCED_PARTY = "enforced_party", N_("被执行人")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", N_("行政处罚")
    LOST_LAWSUIT = "lost_lawsuit", N_("司法判决（败诉）")
    ARREARS = "arrears", N_("拖欠账款/合同违约")
    INVESTMENT_PROMISE = "investment_promise", N_("招商承诺不兑现")


class FieldType(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # paragraphs, plain text
    DATE = "date"  # ISO date string in details
    MONEY = "money"  # integer fen in details
    CODE = "code"  # an identifier searched exactly (案号, 文号)


@dataclass(frozen=True)
class KindField:
    name: str
    label: Any  # lazy string
    type: FieldType = FieldType.TEXT
    required: bool = True

    def display(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if self.type is FieldType.MONEY:
            return format_yuan(int(value))
        return str(value)


@dataclass(frozen=True)
class RecordKind:
    code: Kind
    fields: tuple[KindField, ...]
    description: Any = ""

    @property
    def label(self) -> Label:
        return self.code.label

    def field(self, name: str) -> KindField:
        return next(f for f in self.fields if f.name == name)


_EXECUTION_FIELDS = (
    KindField("case_number", _l("案号"), FieldType.CODE),
    KindField("court", _l("执行法院")),
    KindField("basis_document", _l("执行依据文号"), FieldType.CODE),
    KindField("basis_issuer", _l("做出执行依据单位")),
    KindField("filed_on", _l("立案时间"), FieldType.DATE),
    KindField("obligation", _l("生效法律文书确定的义务"), FieldType.LONG_TEXT),
    KindField("performance", _l("被执行人的履行情况")),
)

KINDS: dict[str, RecordKind] = {
    kind.code: kind
    for kind in (
        RecordKind(
            Kind.JUDGMENT_DEFAULTER,
            (
                *_EXECUTION_FIELDS,
                KindField("default_circumstance", _l("失信被执行人具体情形")),
                KindField("published_on", _l("发布时间"), FieldType.DATE),
            ),
        ),
        RecordKind(Kind.ENFORCED_PARTY, _EXECUTION_FIELDS),
        RecordKind(
            Kind.ADMINISTRATIVE_PENALTY,
            (
                KindField("decision_number", _l("行政处罚决定书文号"), FieldType.CODE),
                KindField("violation_type", _l("违法行为类型")),
                KindField("violation_facts", _l("违法事实"), FieldType.LONG_TEXT),
                KindField("legal_basis", _l("处罚依据")),
                KindField("penalty_category", _l("处罚类别")),
                KindField("penalty_content", _l("处罚内容")),
                KindField("fine", _l("罚款金额"), FieldType.MONEY, required=False),
                KindField("decided_on", _l("处罚决定日期"), FieldType.DATE),
                KindField("penalty_authority", _l("处罚机关")),
            ),
        ),
        RecordKind(
            Kind.LOST_LAWSUIT,
            (
                KindField("case_number", _l("案号"), FieldType.CODE),
                KindField("court", _l("审理法院")),
                KindField("cause", _l("案由")),
                KindField("judgment", _l("判决结果"), FieldType.LONG_TEXT),
                KindField("amount", _l("涉案金额"), FieldType.MONEY, required=False),
            ),
        ),
        RecordKind(
            Kind.ARREARS,
            (
                KindField("contract_number", _l("合同编号"), FieldType.CODE),
                KindField("party_a", _l("甲方")),
                KindField("party_b", _l("乙方")),
                KindField("contract_amount", _l("合同金额"), FieldType.MONEY),
                KindField("amount_owed", _l("拖欠金额"), FieldType.MONEY),
                KindField("breach", _l("违约事由"), FieldType.LONG_TEXT),
            ),
        ),
        RecordKind(
            Kind.INVESTMENT_PROMISE,
            (
                KindField("project", _l("招商项目")),
                KindField("promise", _l("承诺事项"), FieldType.LONG_TEXT),
                KindField("unfulfilled", _l("未兑现内容"), FieldType.LONG_TEXT),
                KindField("amount", _l("涉及金额"), FieldType.MONEY, required=False),
            ),
        ),
    )
}


def kind_fields(kind: str) -> tuple[KindField, ...]:
    return KINDS[kind].fields


# A record's values as entered or corrected: the common fields under the form's names (COMMON_LABELS), the kind's
# fields under their declared names (money in fen, dates as dates).
RecordValues = dict[str, Any]

# The common fields' names (form fields, keys of RecordValues and of a correction's changes) and labels.
COMMON_LABELS: dict[str, Any] = {
    "agency": _l("失信主体"),
    "title": _l("标题"),
    "summary": _l("摘要"),
    "severity": _l("严重程度"),
    "deciding_authority": _l("认定机关"),
    "deciding_authority_code": _l("认定机关统一社会信用代码"),
    "source_unit": _l("数据来源单位"),
    "document_number": _l("文书编号"),
    "decision_date": _l("决定日期"),
    "commitment_code": _l("关联承诺编号"),
}
# Shown in corrections when a new decision date or severity moves the disclosure window.
WINDOW_LABELS: dict[str, Any] = {
    "publication_min_end": _l("最短公示期满"),
    "publication_max_end": _l("最长公示期满"),
}
DATE_FIELDS = frozenset({"decision_date", *WINDOW_LABELS})


def field_label(kind: RecordKind, name: str) -> Any:
    """The label of a field named in RecordValues or in a correction."""
    if name in COMMON_LABELS:
        return COMMON_LABELS[name]
    if name in WINDOW_LABELS:
        return WINDOW_LABELS[name]
    if any(f.name == name for f in kind.fields):
        return kind.field(name).label
    return name  # a field since removed from the declaration: its name, rather than nothing


def value_type(kind: RecordKind, name: str) -> str:
    """How a stored display value is shown: 'date' (ISO, formatted for the reader), 'severity' (a code with a
    label), or 'text'."""
    if name in DATE_FIELDS or any(f.name == name and f.type is FieldType.DATE for f in kind.fields):
        return "date"
    return "severity" if name == "severity" else "text"
