"""The record kinds and their own fields, declared once.

This declaration drives the record page (and later the forms, CSV columns, API schema and search). Each
record keeps its kind's fields in `Record.details` under the field names below; money is in fen. A field's `column`
is its name in the national credit-information field standards (the header of open-data exports and imports,
portal/opendata/datasets.py), its `name` the stable English key of exports and the API.
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
    column: str = ""  # the national standard's name (untranslated: a file's header); money columns name 万元
    example: str = ""  # a value as an export writes it (the data dictionary shows it)

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
    # (common column key, the standard's name) where this kind names a common column its own way (COMMON_COLUMNS
    # gives the others); pairs, not a dict, so that a kind stays hashable
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> Label:
        return self.code.label

    def field(self, name: str) -> KindField:
        return next(f for f in self.fields if f.name == name)


_EXECUTION_FIELDS = (
    KindField("case_number", _l("案号"), FieldType.CODE, column="案号", example="（2026）演0121执1001号"),
    KindField("court", _l("执行法院"), column="执行法院", example="演示县人民法院"),
    KindField(
        "basis_document", _l("执行依据文号"), FieldType.CODE, column="执行依据文号", example="（2025）演0121民初2001号"
    ),
    KindField("basis_issuer", _l("做出执行依据单位"), column="做出执行依据单位", example="演示县人民法院"),
    KindField("filed_on", _l("立案时间"), FieldType.DATE, column="立案时间", example="2026-03-02"),
    KindField(
        "obligation",
        _l("生效法律文书确定的义务"),
        FieldType.LONG_TEXT,
        column="生效法律文书确定的义务",
        example="向某公司支付合同款 120,000 元及逾期利息。",
    ),
    KindField("performance", _l("被执行人的履行情况"), column="被执行人的履行情况", example="全部未履行"),
)

KINDS: dict[str, RecordKind] = {
    kind.code: kind
    for kind in (
        RecordKind(
            Kind.JUDGMENT_DEFAULTER,
            (
                *_EXECUTION_FIELDS,
                KindField(
                    "default_circumstance",
                    _l("失信被执行人具体情形"),
                    column="失信被执行人行为具体情形",
                    example="有履行能力而拒不履行生效法律文书确定义务",
                ),
                KindField("published_on", _l("发布时间"), FieldType.DATE, column="发布时间", example="2026-04-01"),
            ),
            columns=(("agency_name", "失信被执行人名称"),),
        ),
        RecordKind(Kind.ENFORCED_PARTY, _EXECUTION_FIELDS, columns=(("agency_name", "被执行人名称"),)),
        RecordKind(
            Kind.ADMINISTRATIVE_PENALTY,
            (
                KindField(
                    "decision_number",
                    _l("行政处罚决定书文号"),
                    FieldType.CODE,
                    column="行政处罚决定书文号",
                    example="演市监罚〔2026〕101号",
                ),
                KindField("violation_type", _l("违法行为类型"), column="违法行为类型", example="拖延办理项目审批"),
                KindField(
                    "violation_facts",
                    _l("违法事实"),
                    FieldType.LONG_TEXT,
                    column="违法事实",
                    example="经查，当事人拖延办理项目审批，事实清楚，证据确凿。",
                ),
                KindField("legal_basis", _l("处罚依据"), column="处罚依据", example="《中华人民共和国行政处罚法》"),
                KindField("penalty_category", _l("处罚类别"), column="处罚类别", example="罚款"),
                KindField("penalty_content", _l("处罚内容"), column="处罚内容", example="责令限期改正，并处罚款"),
                KindField(
                    "fine", _l("罚款金额"), FieldType.MONEY, required=False, column="罚款金额（万元）", example="1.5"
                ),
                KindField(
                    "decided_on", _l("处罚决定日期"), FieldType.DATE, column="处罚决定日期", example="2026-05-08"
                ),
                KindField("penalty_authority", _l("处罚机关"), column="处罚机关", example="演示市市场监督管理局"),
            ),
            columns=(("agency_name", "行政相对人名称"), ("deciding_authority_code", "处罚机关统一社会信用代码")),
        ),
        RecordKind(
            Kind.LOST_LAWSUIT,
            (
                KindField("case_number", _l("案号"), FieldType.CODE, column="案号", example="（2026）演0121民初3001号"),
                KindField("court", _l("审理法院"), column="审理法院", example="演示县人民法院"),
                KindField("cause", _l("案由"), column="案由", example="建设工程施工合同纠纷"),
                KindField(
                    "judgment",
                    _l("判决结果"),
                    FieldType.LONG_TEXT,
                    column="判决结果",
                    example="判决被告于判决生效之日起十日内支付工程款。",
                ),
                KindField(
                    "amount", _l("涉案金额"), FieldType.MONEY, required=False, column="涉案金额（万元）", example="86.4"
                ),
            ),
            columns=(("agency_name", "当事人名称"),),
        ),
        RecordKind(
            Kind.ARREARS,
            (
                KindField(
                    "contract_number", _l("合同编号"), FieldType.CODE, column="合同编号", example="YSX-2026-04001"
                ),
                KindField("party_a", _l("甲方"), column="甲方", example="演示县城关镇人民政府"),
                KindField("party_b", _l("乙方"), column="乙方", example="演示建设工程有限公司"),
                KindField("contract_amount", _l("合同金额"), FieldType.MONEY, column="合同金额（万元）", example="240"),
                KindField("amount_owed", _l("拖欠金额"), FieldType.MONEY, column="拖欠金额（万元）", example="120.5"),
                KindField(
                    "breach",
                    _l("违约事由"),
                    FieldType.LONG_TEXT,
                    column="违约事由",
                    example="合同约定的付款期限届满后仍未支付。",
                ),
            ),
        ),
        RecordKind(
            Kind.INVESTMENT_PROMISE,
            (
                KindField("project", _l("招商项目"), column="招商项目", example="冷链物流中心招商项目"),
                KindField(
                    "promise",
                    _l("承诺事项"),
                    FieldType.LONG_TEXT,
                    column="承诺事项",
                    example="承诺给予土地、税收返还和配套基础设施支持。",
                ),
                KindField(
                    "unfulfilled",
                    _l("未兑现内容"),
                    FieldType.LONG_TEXT,
                    column="未兑现内容",
                    example="配套基础设施未按约定期限建成。",
                ),
                KindField(
                    "amount", _l("涉及金额"), FieldType.MONEY, required=False, column="涉及金额（万元）", example="500"
                ),
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
# The common fields' names in the national credit-information field standards (open-data exports and imports,
# portal/opendata/datasets.py), by their stable English keys; a kind may name some its own way (RecordKind.columns).
COMMON_COLUMNS: dict[str, str] = {
    "agency_name": "失信主体名称",
    "agency_uscc": "统一社会信用代码",
    "title": "标题",
    "summary": "摘要",
    "severity": "严重程度",
    "deciding_authority": "认定机关",
    "deciding_authority_code": "认定机关统一社会信用代码",
    "source_unit": "数据来源单位",
    "document_number": "文书编号",
    "decision_date": "决定日期",
    "commitment_code": "关联承诺编号",
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
