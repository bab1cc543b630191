"""The open datasets and their columns, declared once: every export (CSV, XLSX, JSON Lines), the daily dumps, the data
dictionary page and the bulk import read this, and the JSON API (portal/api) names its fields by the same keys.

- A column has a stable English `key` (JSON Lines and the API) and its `name` in the national credit-information
  field standards (the header of CSV and XLSX files, never translated: a file reads the same in either language).
  The records' columns come from portal/records/kinds.py: each kind's own fields with their standard names
  (KindField.column), the common fields (COMMON_COLUMNS, and a kind's own names for some: RecordKind.columns).
- `value` reads the column from an item as stored (dates as dates, money as integer fen, codes as enum members);
  portal/opendata/tables.py writes it (a code as its Chinese label in CSV/XLSX and as the code in JSON Lines; money
  in 万元, portal/opendata/rules.py).
- `imported` columns are read by the bulk import (`required` ones must be filled in); the others are the portal's own
  (ids, addresses, publication dates and status) and are ignored by it, so that an export is importable as it is.

Only what the public pages show is here: no record that is not public (the list queries decide), no complainant's
name, contact or attachment, no answer but the published one (Complaint.public_answer)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal import clock
from portal.agencies.rules import AgencyKind, AgencyStatus
from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment
from portal.complaints.rules import Category
from portal.core.labelled import N_, LabelledEnum
from portal.core.periods import Severity
from portal.records.kinds import COMMON_COLUMNS, KINDS, FieldType, Kind, KindField, RecordKind
from portal.records.rules import RecordStatus
from portal.rectifications.rules import Outcome

# The longest text an import takes per column type (the record and agency forms' own limits).
TEXT_MAX = 200
CODE_MAX = 100
LONG_TEXT_MAX = 5000
SUMMARY_MAX = 20000


class ColumnType(LabelledEnum):
    """What a column holds and how a cell writes it (the data dictionary names the type)."""

    TEXT = "text", N_("文本")
    LONG_TEXT = "long_text", N_("长文本（可含换行）")
    CODE = "code", N_("编号")
    USCC = "uscc", N_("统一社会信用代码（18 位）")
    REGION = "region", N_("行政区划代码（6 或 9 位数字）")
    DATE = "date", N_("日期（YYYY-MM-DD）")
    MONEY = "money", N_("金额（万元，不带单位的数字，最多 6 位小数）")
    LABEL = "label", N_("代码表取值（文件中写中文名称，JSON Lines 中写代码）")
    INTEGER = "integer", N_("整数")
    URL = "url", N_("网址")


FIELD_TYPES = {
    FieldType.TEXT: ColumnType.TEXT,
    FieldType.LONG_TEXT: ColumnType.LONG_TEXT,
    FieldType.CODE: ColumnType.CODE,
    FieldType.DATE: ColumnType.DATE,
    FieldType.MONEY: ColumnType.MONEY,
}


@dataclass(frozen=True)
class Column:
    key: str  # stable English key (JSON Lines, the API)
    name: str  # the standard's name: the header of CSV and XLSX files
    type: ColumnType
    meaning: Any  # lazy: what it says (the data dictionary)
    value: Callable[[Any], Any]  # the item → the value as stored (None when empty)
    example: str = ""
    imported: bool = False  # read by the bulk import
    required: bool = False  # must be filled in on import
    longest: int = 0  # characters an import takes at most (0: no limit)
    codes: builtins.type[LabelledEnum] | None = None  # LABEL: the code list

    def code_values(self) -> list[tuple[str, str]]:
        """(code, Chinese label) of a LABEL column's code list."""
        return [(member.value, member.msgid) for member in self.codes] if self.codes else []


@dataclass(frozen=True)
class Dataset:
    key: str  # stable: file names, the dump's members, /data/ anchors
    title: Any  # lazy
    description: Any  # lazy
    columns: tuple[Column, ...]
    list_endpoint: str  # the public list it exports (same filters)
    export_endpoint: str  # its exports: <list path>/export.<csv|xlsx|jsonl>
    export_args: tuple[tuple[str, str], ...] = ()  # the query that narrows the list to this dataset (kind=…)
    kind: str | None = None  # records of one kind
    natural_key: str = ""  # the column that names an item (an import matches rows to stored items by it)
    date_order: tuple[tuple[str, str], ...] = ()  # (earlier, later) column keys an import checks

    @property
    def importable(self) -> bool:
        return bool(self.natural_key)

    @property
    def sheet_title(self) -> str:
        """The XLSX sheet's name: the key (at most 31 characters; the same in either language)."""
        return self.key[:31]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def imported_columns(self) -> Iterator[Column]:
        return (c for c in self.columns if c.imported)


def _plain(value: Any) -> Any:
    return None if value == "" else value


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda item: _plain(getattr(item, name))


def _detail(name: str, type_: FieldType) -> Callable[[Any], Any]:
    def read(record: Any) -> Any:
        value = _plain(record.details.get(name))
        if type_ is FieldType.DATE and isinstance(value, str):
            return date.fromisoformat(value)
        return value

    return read


def _url(endpoint: str, arg: str, attr: str) -> Callable[[Any], Any]:
    """An item's page, as (endpoint, values): tables.py makes it absolute on the site's address."""
    return lambda item: (endpoint, {arg: getattr(item, attr)})


# --- records (政务失信记录) ------------------------------------------------------------------------------------------

_RECORD_MEANINGS: dict[str, Any] = {
    "agency_name": _l(
        "被公示的政府机构（失信主体）的名称；导入时须与其统一社会信用代码在机构名录中登记的名称（或曾用名）一致"
    ),
    "agency_uscc": _l("失信主体的统一社会信用代码；导入时须是机构名录中已登记、未撤销或合并的机构"),
    "title": _l("记录的标题"),
    "summary": _l("记录的摘要（Markdown 文本）"),
    "severity": _l("失信严重程度，决定公示期限（国办发〔2025〕22号）"),
    "deciding_authority": _l("认定失信行为的机关"),
    "deciding_authority_code": _l("认定机关的统一社会信用代码"),
    "source_unit": _l("提供该记录的单位"),
    "document_number": _l("认定文书的编号；同一类别中唯一，导入以“类别＋文书编号”识别已有记录"),
    "decision_date": _l("认定决定的日期；公示期限自该日起算"),
    "commitment_code": _l("该记录所违背的公开承诺的编码（本机构已公开的承诺）"),
}
_RECORD_EXAMPLES = {
    "agency_name": "演示县财政局",
    "agency_uscc": "11990121MB1234567X",
    "title": "演示县财政局受到行政处罚 · 演市监罚〔2026〕101号",
    "summary": "演示县财政局受到行政处罚，文书编号 演市监罚〔2026〕101号。",
    "severity": "一般",
    "deciding_authority": "演示市市场监督管理局",
    "deciding_authority_code": "11990100MB0000012K",
    "source_unit": "演示县社会信用体系建设领导小组办公室",
    "document_number": "演市监罚〔2026〕101号",
    "decision_date": "2026-05-08",
    "commitment_code": "99012120260115000001",
}


def _common_column(
    kind: RecordKind | None, key: str, type_: ColumnType, value: Callable[[Any], Any], **more: Any
) -> Column:
    name = (dict(kind.columns).get(key) if kind else None) or COMMON_COLUMNS[key]
    return Column(key, name, type_, _RECORD_MEANINGS[key], value, _RECORD_EXAMPLES[key], imported=True, **more)


def _kind_column(spec: KindField) -> Column:
    type_ = FIELD_TYPES[spec.type]
    longest = {ColumnType.LONG_TEXT: LONG_TEXT_MAX, ColumnType.CODE: CODE_MAX, ColumnType.TEXT: TEXT_MAX}
    return Column(
        spec.name,
        spec.column or spec.name,
        type_,
        spec.label,
        _detail(spec.name, spec.type),
        spec.example,
        imported=True,
        required=spec.required,
        longest=longest.get(type_, 0),
    )


def _record_columns(kind: RecordKind | None) -> tuple[Column, ...]:
    """Every record's columns; with `kind`, that kind's own fields too (and the standard's names for its kind)."""
    head = (
        Column(
            "id", "记录编号", ColumnType.INTEGER, _l("本平台的记录编号（记录页面地址中的数字）"), _attr("id"), "1024"
        ),
        Column(
            "kind",
            "记录类别",
            ColumnType.LABEL,
            _l("失信记录的类别；导入时可留空，填写时须与所选类别一致"),
            lambda r: Kind(r.kind),
            "行政处罚",
            imported=True,
            codes=Kind,
        ),
        _common_column(kind, "agency_name", ColumnType.TEXT, lambda r: r.agency.name, longest=TEXT_MAX),
        _common_column(kind, "agency_uscc", ColumnType.USCC, lambda r: r.agency.uscc, required=True),
    )
    own = tuple(_kind_column(spec) for spec in kind.fields) if kind else ()
    common = (
        _common_column(kind, "title", ColumnType.TEXT, _attr("title"), required=True, longest=TEXT_MAX),
        _common_column(kind, "summary", ColumnType.LONG_TEXT, _attr("summary"), longest=SUMMARY_MAX),
        _common_column(
            kind, "severity", ColumnType.LABEL, lambda r: Severity(r.severity), required=True, codes=Severity
        ),
        _common_column(
            kind, "deciding_authority", ColumnType.TEXT, _attr("deciding_authority"), required=True, longest=TEXT_MAX
        ),
        _common_column(kind, "deciding_authority_code", ColumnType.USCC, _attr("deciding_authority_code")),
        _common_column(kind, "source_unit", ColumnType.TEXT, _attr("source_unit"), required=True, longest=TEXT_MAX),
        _common_column(
            kind, "document_number", ColumnType.CODE, _attr("document_number"), required=True, longest=CODE_MAX
        ),
        _common_column(kind, "decision_date", ColumnType.DATE, _attr("decision_date"), required=True),
    )
    linked = (
        (
            _common_column(
                kind,
                "commitment_code",
                ColumnType.CODE,
                lambda r: r.commitment.code if r.commitment and r.commitment.is_public else None,  # as the page
                longest=40,
            ),
        )
        if kind and kind.code == Kind.INVESTMENT_PROMISE
        else ()
    )
    tail = (
        Column(
            "status",
            "公示状态",
            ColumnType.LABEL,
            _l("记录当前的状态"),
            lambda r: RecordStatus(r.status),
            "公示中",
            codes=RecordStatus,
        ),
        Column(
            "publication_start",
            "公示起始日期",
            ColumnType.DATE,
            _l("开始公示的日期（导入的记录自导入之日起公示）"),
            _attr("publication_start"),
            "2026-05-10",
        ),
        Column(
            "publication_min_end",
            "最短公示期满日期",
            ColumnType.DATE,
            _l("最短公示期届满之日，此后可申请信用修复"),
            _attr("publication_min_end"),
            "2026-08-08",
        ),
        Column(
            "publication_max_end",
            "公示截止期",
            ColumnType.DATE,
            _l("最长公示期届满之日，届时停止公示"),
            _attr("publication_max_end"),
            "2027-05-08",
        ),
        Column(
            "url",
            "网址",
            ColumnType.URL,
            _l("记录在本平台的页面"),
            _url("records.detail", "record_id", "id"),
            "https://credit.example.gov.cn/records/1024",
        ),
    )
    return head + own + common + linked + tail


# Dates of a record's own fields that must come in this order (an import checks them): the court's 立案 comes
# before the listing's decision and its 发布时间 (泰信用办〔2022〕12号 二(四)、二(五)).
RECORD_DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    Kind.JUDGMENT_DEFAULTER: (("filed_on", "decision_date"), ("filed_on", "published_on")),
    Kind.ENFORCED_PARTY: (("filed_on", "decision_date"),),
}


def _records_dataset(kind: RecordKind | None) -> Dataset:
    if kind is None:
        return Dataset(
            "records",
            _l("政务失信记录（全部类别）"),
            _l("全部公示中的失信记录，只含各类别共有的列；选择类别可下载含该类别全部字段、可直接导入的文件。"),
            _record_columns(None),
            "records.index",
            "opendata.export_records",
        )
    return Dataset(
        f"records-{kind.code}",
        _l("失信记录：%(kind)s", kind=kind.label),
        _l("类别为“%(kind)s”的公示中的失信记录，列名采用国家公共信用信息数据标准。", kind=kind.label),
        _record_columns(kind),
        "records.index",
        "opendata.export_records",
        export_args=(("kind", kind.code),),
        kind=kind.code,
        natural_key="document_number",
        date_order=RECORD_DATE_ORDER.get(kind.code, ()),
    )


# --- agencies (机构名录) -------------------------------------------------------------------------------------------


def _parent_uscc(agency: Any) -> str | None:
    return agency.parent.uscc if agency.parent else None


def _merged_into(agency: Any) -> str | None:
    return agency.merged_into.uscc if agency.merged_into else None


AGENCIES = Dataset(
    "agencies",
    _l("机构名录"),
    _l("全部公示主体（政府、部门、事业单位、国有企业、乡镇街道），含已撤销和已合并的。"),
    (
        Column(
            "uscc",
            "统一社会信用代码",
            ColumnType.USCC,
            _l("机构的统一社会信用代码（GB 32100-2015 校验）；导入以它识别已登记的机构"),
            _attr("uscc"),
            "11990121MB1234567X",
            imported=True,
            required=True,
        ),
        Column(
            "name",
            "机构名称",
            ColumnType.TEXT,
            _l("机构的现名称"),
            _attr("name"),
            "演示县财政局",
            imported=True,
            required=True,
            longest=TEXT_MAX,
        ),
        Column(
            "kind",
            "机构类型",
            ColumnType.LABEL,
            _l("机构的类型"),
            lambda a: AgencyKind(a.kind),
            "政府部门",
            imported=True,
            required=True,
            codes=AgencyKind,
        ),
        Column(
            "region_code",
            "行政区划代码",
            ColumnType.REGION,
            _l("机构所在的行政区划代码"),
            _attr("region_code"),
            "990121",
            imported=True,
            required=True,
        ),
        Column(
            "region_name",
            "行政区划名称",
            ColumnType.TEXT,
            _l("行政区划的名称"),
            _attr("region_name"),
            "演示县",
            imported=True,
            required=True,
            longest=100,
        ),
        Column(
            "parent_uscc",
            "上级机构统一社会信用代码",
            ColumnType.USCC,
            _l("上级机构的统一社会信用代码；导入时须已登记，或在同一文件中"),
            _parent_uscc,
            "11990121MB0000001Y",
            imported=True,
        ),
        Column(
            "legal_representative",
            "法定代表人",
            ColumnType.TEXT,
            _l("机构的法定代表人或负责人"),
            _attr("legal_representative"),
            "张三",
            imported=True,
            longest=100,
        ),
        Column(
            "status",
            "存续状态",
            ColumnType.LABEL,
            _l("存续、已撤销或已合并（导入的机构均为存续）"),
            lambda a: AgencyStatus(a.status),
            "存续",
            codes=AgencyStatus,
        ),
        Column("closed_on", "撤销或合并日期", ColumnType.DATE, _l("撤销或合并的日期"), _attr("closed_on"), ""),
        Column(
            "merged_into_uscc", "并入机构统一社会信用代码", ColumnType.USCC, _l("合并后并入的机构"), _merged_into, ""
        ),
        Column(
            "url",
            "网址",
            ColumnType.URL,
            _l("机构的政务诚信档案页面"),
            _url("agencies.profile", "uscc", "uscc"),
            "https://credit.example.gov.cn/agencies/11990121MB1234567X",
        ),
    ),
    "agencies.index",
    "opendata.export_agencies",
    natural_key="uscc",
)


# --- commitments (政务承诺), outcomes (整改结果), published complaints (投诉办理结果) -------------------------------


def _published_on(commitment: Any) -> date | None:
    return clock.local_time(commitment.published_at).date() if commitment.published_at else None


COMMITMENTS = Dataset(
    "commitments",
    _l("政务承诺"),
    _l("社会公开的政务承诺（信用承诺）及其履行情况和承诺书的 SHA-256 校验值。"),
    (
        Column(
            "code",
            "承诺编码",
            ColumnType.CODE,
            _l("承诺的编码：6 位行政区划代码＋8 位日期＋6 位序号"),
            _attr("code"),
            "99012120260115000001",
        ),
        Column(
            "agency_name",
            "承诺主体名称",
            ColumnType.TEXT,
            _l("作出承诺的机构"),
            lambda c: c.agency.name,
            "演示县财政局",
        ),
        Column(
            "agency_uscc",
            "统一社会信用代码",
            ColumnType.USCC,
            _l("承诺主体的统一社会信用代码"),
            lambda c: c.agency.uscc,
            "11990121MB1234567X",
        ),
        Column(
            "type",
            "承诺类型",
            ColumnType.LABEL,
            _l("信用承诺的类型"),
            lambda c: CommitmentType(c.type),
            "主动型",
            codes=CommitmentType,
        ),
        Column(
            "subject",
            "承诺内容类别",
            ColumnType.LABEL,
            _l("承诺涉及的方面"),
            lambda c: CommitmentSubject(c.subject),
            "履职尽责",
            codes=CommitmentSubject,
        ),
        Column("title", "承诺事项", ColumnType.TEXT, _l("承诺的标题"), _attr("title"), "2026 年度依法履职承诺"),
        Column("reason", "承诺事由", ColumnType.LONG_TEXT, _l("作出承诺的事由"), _attr("reason"), "年度公开承诺"),
        Column(
            "content", "承诺内容", ColumnType.LONG_TEXT, _l("承诺的内容"), _attr("content"), "按期兑现各项政策承诺。"
        ),
        Column(
            "liability",
            "违诺责任",
            ColumnType.LONG_TEXT,
            _l("违背承诺时承担的责任"),
            _attr("liability"),
            "接受失信惩戒。",
        ),
        Column("made_on", "承诺作出日期", ColumnType.DATE, _l("作出承诺的日期"), _attr("made_on"), "2026-01-15"),
        Column(
            "valid_until",
            "承诺有效期至",
            ColumnType.DATE,
            _l("承诺有效期的最后一天；空白表示长期有效"),
            _attr("valid_until"),
            "2026-12-31",
        ),
        Column(
            "accepting_unit",
            "承诺受理单位",
            ColumnType.TEXT,
            _l("受理承诺的单位"),
            _attr("accepting_unit"),
            "演示县社会信用体系建设领导小组办公室",
        ),
        Column(
            "fulfilment",
            "履行状态",
            ColumnType.LABEL,
            _l("承诺的履行情况"),
            lambda c: Fulfilment(c.fulfilment),
            "履行中",
            codes=Fulfilment,
        ),
        Column(
            "letter_sha256",
            "承诺书SHA-256",
            ColumnType.CODE,
            _l("签章承诺书（PDF）的 SHA-256 校验值"),
            _attr("letter_sha256"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ),
        Column("published_on", "公开日期", ColumnType.DATE, _l("承诺在本平台公开的日期"), _published_on, "2026-01-20"),
        Column(
            "url",
            "网址",
            ColumnType.URL,
            _l("承诺在本平台的页面"),
            _url("commitments.detail", "code", "code"),
            "https://credit.example.gov.cn/commitments/99012120260115000001",
        ),
    ),
    "commitments.index",
    "opendata.export_commitments",
)

OUTCOMES = Dataset(
    "outcomes",
    _l("整改结果"),
    _l("仍在公示的记录中已办结的整改：履行完毕、达成和解或销案（沈政办发〔2018〕117号 二(三)）。"),
    (
        Column("record_id", "记录编号", ColumnType.INTEGER, _l("整改所属记录的编号"), lambda o: o.record.id, "1024"),
        Column(
            "kind",
            "记录类别",
            ColumnType.LABEL,
            _l("记录的类别"),
            lambda o: Kind(o.record.kind),
            "拖欠账款/合同违约",
            codes=Kind,
        ),
        Column(
            "agency_name",
            "失信主体名称",
            ColumnType.TEXT,
            _l("记录的失信主体"),
            lambda o: o.record.agency.name,
            "演示县城关镇人民政府",
        ),
        Column(
            "agency_uscc",
            "统一社会信用代码",
            ColumnType.USCC,
            _l("失信主体的统一社会信用代码"),
            lambda o: o.record.agency.uscc,
            "11990121MB1234567X",
        ),
        Column(
            "record_title",
            "记录标题",
            ColumnType.TEXT,
            _l("记录的标题"),
            lambda o: o.record.title,
            "演示县城关镇人民政府拖欠企业账款 · YSX-2026-04001",
        ),
        Column(
            "document_number",
            "文书编号",
            ColumnType.CODE,
            _l("记录的文书编号"),
            lambda o: o.record.document_number,
            "YSX-2026-04001",
        ),
        Column(
            "responsible_unit",
            "整改责任单位",
            ColumnType.TEXT,
            _l("负责整改的单位"),
            _attr("responsible_unit"),
            "演示县城关镇人民政府",
        ),
        Column(
            "responsible_post",
            "责任岗位",
            ColumnType.TEXT,
            _l("负责整改的岗位"),
            _attr("responsible_post"),
            "主要负责人",
        ),
        Column("deadline", "整改期限", ColumnType.DATE, _l("整改方案的总期限"), _attr("deadline"), "2026-09-30"),
        Column(
            "outcome",
            "整改结果",
            ColumnType.LABEL,
            _l("整改的结果"),
            lambda o: Outcome(o.outcome),
            "履行完毕",
            codes=Outcome,
        ),
        Column("finished_on", "办结日期", ColumnType.DATE, _l("整改办结的日期"), _attr("finished_on"), "2026-09-12"),
        Column(
            "outcome_basis",
            "认定依据",
            ColumnType.LONG_TEXT,
            _l("认定整改结果的依据"),
            _attr("outcome_basis"),
            "付款凭证",
        ),
        Column(
            "outcome_summary",
            "结果说明",
            ColumnType.LONG_TEXT,
            _l("整改结果的说明"),
            _attr("outcome_summary"),
            "已全额支付拖欠款项。",
        ),
        Column(
            "url",
            "网址",
            ColumnType.URL,
            _l("记录在本平台的页面"),
            lambda o: ("records.detail", {"record_id": o.record.id}),
            "https://credit.example.gov.cn/records/1024",
        ),
    ),
    "outcomes.index",
    "opendata.export_outcomes",
)

COMPLAINTS = Dataset(
    "complaints",
    _l("投诉办理结果"),
    _l("经投诉人同意公开的已办结投诉：不含投诉人的姓名、联系方式和附件，答复为公开的答复。"),
    (
        Column("number", "投诉编号", ColumnType.CODE, _l("投诉的公开编号"), _attr("number"), "TS-2026-000123"),
        Column(
            "agency_name",
            "被投诉单位",
            ColumnType.TEXT,
            _l("被投诉的单位"),
            lambda c: c.agency_label,
            "演示县住房和城乡建设局",
        ),
        Column(
            "agency_uscc",
            "被投诉单位统一社会信用代码",
            ColumnType.USCC,
            _l("被投诉单位的统一社会信用代码（投诉人填写的单位不在名录中时为空）"),
            lambda c: c.agency.uscc if c.agency else None,
            "11990121MB1234567X",
        ),
        Column(
            "category",
            "投诉类别",
            ColumnType.LABEL,
            _l("投诉的类别"),
            lambda c: Category(c.category),
            "拖欠账款",
            codes=Category,
        ),
        Column("filed_on", "提交日期", ColumnType.DATE, _l("投诉提交的日期"), _attr("filed_on"), "2026-10-08"),
        Column("closed_on", "办结日期", ColumnType.DATE, _l("投诉办结的日期"), _attr("closed_on"), "2026-10-27"),
        Column(
            "answer",
            "答复",
            ColumnType.LONG_TEXT,
            _l("信用办公开的答复"),
            _attr("public_answer"),
            "经核实，款项已于 10 月 20 日支付。",
        ),
        Column(
            "url",
            "网址",
            ColumnType.URL,
            _l("投诉办理结果的页面"),
            _url("complaints.published", "number", "number"),
            "https://credit.example.gov.cn/complaints/TS-2026-000123",
        ),
    ),
    "complaints.index",
    "opendata.export_complaints",
)

ALL_RECORDS = _records_dataset(None)
RECORDS_BY_KIND: dict[str, Dataset] = {code: _records_dataset(kind) for code, kind in KINDS.items()}

# Every dataset by key, in the order /data/, the dictionary and the dump list them.
DATASETS: dict[str, Dataset] = {
    d.key: d for d in (AGENCIES, *RECORDS_BY_KIND.values(), ALL_RECORDS, COMMITMENTS, OUTCOMES, COMPLAINTS)
}
# What the bulk import takes: the agencies, and the records of each kind (in the export's own columns).
IMPORTABLE: dict[str, Dataset] = {key: d for key, d in DATASETS.items() if d.importable}
# A daily dump holds one file per dataset but the all-kinds records (each kind has its own, with every column).
DUMPED: tuple[Dataset, ...] = tuple(d for d in DATASETS.values() if d is not ALL_RECORDS)


def records_dataset(kind: str | None) -> Dataset:
    """The records' dataset of a list narrowed to `kind` (every column of that kind), or of every kind."""
    return RECORDS_BY_KIND[kind] if kind else ALL_RECORDS
