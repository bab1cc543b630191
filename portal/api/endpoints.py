"""The API's endpoints and their parameters, declared once. The views parse every request with these declarations
(the lists' own FILTERS, validated by listing.parse_list_query as the pages do) and openapi.py writes the OpenAPI
document from the very same ones: a filter a list page gains is in the API and in its document at once (and a
filter whose validator says nothing of its values stops the app at import, rather than going undocumented).

Lists are paged by cursor: each page ends with `next_cursor`, the next page's position signed with the secret key
(the item it follows, for this endpoint only). Their order is declared here too (`Keyset`): the page's own order,
with the primary key last, so that a page starts exactly after the last item of the one before, however many items
are published meanwhile."""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from portal.agencies.models import Agency
from portal.commitments import queries as commitment_queries
from portal.commitments.models import Commitment
from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment
from portal.complaints.models import Complaint
from portal.core.periods import Severity
from portal.core.uscc import CHARSET
from portal.listing import MAX_PAGE, ListQuery, Validator, choice, parse_list_query, region_param, uscc_param, year
from portal.records import queries as record_queries
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications import queries as outcome_queries
from portal.rectifications.models import Rectification
from portal.rectifications.rules import CaseState, Outcome
from portal.reports.models import Bulletin
from portal.search import queries as search_queries
from portal.search.views import API_PAGE_SIZE
from portal.statistics.views import MONTHS
from portal.web import ID_MAX, LANGUAGES

from .schemas import Schema, one_of_codes

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
USCC_PATTERN = f"^[{CHARSET}]{{2}}[0-9]{{6}}[{CHARSET}]{{10}}$"
REGION_PATTERN = "^[0-9]{6}([0-9]{3})?$"

# The agencies page's one filter (archive/views.py): the bodies listed as 失信被执行人 now (动态清零).
AGENCY_FILTERS: dict[str, Validator] = {"listed": choice(["judgment_defaulter"])}


def limit_param(value: str) -> int:
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_LIMIT):
        raise ValueError(_("应为 1 到 %(n)d 之间的整数", n=MAX_LIMIT))
    return int(value)


# --- what a parameter is, in the document ---------------------------------------------------------------------------

Labels = Mapping[str, Any]


@dataclass(frozen=True)
class Doc:
    """What a query parameter means, and the labels of its codes (when it takes codes)."""

    description: Any
    labels: Labels | None = None


def _labels(enum: Any) -> Labels:
    return dict(enum.choices())


# name -> what it means, for every list's filters (a list may say it otherwise: Endpoint.docs)
DOCS: dict[str, Doc] = {
    "kind": Doc(_l("失信记录类别"), _labels(Kind)),
    "status": Doc(_l("记录状态"), _labels(RecordStatus)),
    "severity": Doc(_l("严重程度"), _labels(Severity)),
    "agency": Doc(_l("机构的统一社会信用代码（18 位）")),
    "region": Doc(_l("行政区划代码（6 位或 9 位），含其下各级")),
    "year": Doc(_l("决定日期所在年份")),
    "case": Doc(_l("整改情况（新信用发〔2018〕6号 (五)）"), _labels(CaseState)),
    "type": Doc(_l("承诺类型"), _labels(CommitmentType)),
    "subject": Doc(_l("承诺主题"), _labels(CommitmentSubject)),
    "fulfilment": Doc(_l("履行情况"), _labels(Fulfilment)),
    "result": Doc(_l("整改结果（沈政办发〔2018〕117号 二(三)）"), _labels(Outcome)),
    "listed": Doc(_l("judgment_defaulter：只列出现被列为失信被执行人的政府机构（动态清零）")),
    "months": Doc(_l("月度序列的长度（月）")),
}
SEARCH_DOCS: dict[str, Doc] = {
    "type": Doc(_l("内容类型"), search_queries.TYPE_LABELS),
    "kind": Doc(_l("类别：失信记录类别或承诺类型"), search_queries.KIND_LABELS),
    "status": Doc(_l("状态：记录状态、履行情况或整改结果"), search_queries.STATUS_LABELS),
    "year": Doc(_l("年份")),
    "sort": Doc(_l("排序：relevance 相关度，date 日期（新→旧）")),
}


def value_schema(validate: Validator, labels: Labels | None) -> Schema:
    """The JSON Schema of what a validator of listing.py takes. A validator this does not know stops the app (a
    parameter is never left undocumented)."""
    if validate is uscc_param:
        return {"type": "string", "pattern": USCC_PATTERN}
    if validate is region_param:
        return {"type": "string", "pattern": REGION_PATTERN}
    if validate is year:
        return {"type": "integer", "minimum": 1990, "maximum": 2100}
    if validate is limit_param:
        return {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    allowed = inspect.getclosurevars(validate).nonlocals.get("allowed")  # listing.choice keeps its values so
    if isinstance(allowed, frozenset):
        codes = sorted(allowed)
        schema = one_of_codes(labels or {}, codes)
        if all(code.isascii() and code.isdigit() for code in codes):  # months=12|24: numbers as the page takes them
            return {"type": "integer", "enum": sorted(int(code) for code in codes)}
        return schema if labels else {"type": "string", "enum": codes}
    raise TypeError(f"no schema for the validator {validate!r}: say what it takes in portal/api/endpoints.py")


@dataclass(frozen=True)
class Param:
    """A query parameter: its name, the validator that parses it, and what the document says of it."""

    name: str
    validate: Validator
    doc: Doc
    fixed: Schema | None = None  # what it takes, for a parameter another module parses

    def schema(self) -> Schema:
        schema = dict(self.fixed) if self.fixed is not None else value_schema(self.validate, self.doc.labels)
        enum = schema.pop("description", None)
        return {**schema, "description": f"{self.doc.description}" + (f"（{enum}）" if enum else "")}


# --- paging by cursor ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyset:
    """A list's order: (column, descending) pairs, the last one the model's primary key (unique, never null)."""

    columns: tuple[tuple[InstrumentedAttribute[Any], bool], ...]

    @property
    def key(self) -> InstrumentedAttribute[Any]:
        return self.columns[-1][0]

    def ordered(self, query: Select[Any]) -> Select[Any]:
        return query.order_by(None).order_by(*(c.desc() if descending else c.asc() for c, descending in self.columns))

    def after(self, values: tuple[Any, ...]) -> ColumnElement[bool]:
        """What comes after the item whose sort values these are: (a, b, id) > (x, y, n) in the list's order."""
        clauses = []
        for i, (column, descending) in enumerate(self.columns):
            same = [c == v for (c, _descending), v in zip(self.columns[:i], values[:i], strict=True)]
            beyond = column < values[i] if descending else column > values[i]
            clauses.append(and_(*same, beyond))
        return or_(*clauses)


# --- the endpoints ---------------------------------------------------------------------------------------------------

# Path parameters: name -> (schema, description).
PATH_PARAMS: dict[str, tuple[Schema, Any]] = {
    "record_id": ({"type": "integer", "minimum": 1, "maximum": ID_MAX}, _l("记录编号")),
    "code": ({"type": "string", "pattern": "^[0-9]{20}$"}, _l("承诺编号（20 位）")),
    "uscc": ({"type": "string", "pattern": USCC_PATTERN}, _l("统一社会信用代码（18 位）")),
    "number": ({"type": "string", "pattern": "^TS-[0-9]{4}-[0-9]{6}$"}, _l("投诉编号，如 TS-2026-000123")),
    "month": ({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, _l("月份，如 2026-10")),
}

LANG = Param("lang", choice(LANGUAGES), Doc(_l("说明文字和标签的语言（zh_CN 默认，en 英文）")))


@dataclass(frozen=True)
class Endpoint:
    """One operation of the API: `rule` is the Flask rule under /api/v1 (its parameters named in PATH_PARAMS),
    `schema` the component of its answer (of each item, for a list), `filters` the query parameters as the page's
    validators, `keyset` the order of a list (None: one item), `errors` the 4xx/5xx answers it may give."""

    name: str
    rule: str
    summary: Any
    tag: Any
    schema: str
    filters: Mapping[str, Validator] = field(default_factory=dict)
    keyset: Keyset | None = None
    errors: tuple[int, ...] = (400,)
    docs: Mapping[str, Doc] = field(default_factory=dict)
    description: Any = ""
    extra: tuple[Param, ...] = ()  # parameters another module parses (the search's q and page)
    endpoint: str = ""  # the Flask endpoint, when not this blueprint's `name` (the search)

    @property
    def path(self) -> str:
        """The OpenAPI path: /api/v1/records/{record_id}."""
        return "/api/v1" + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[^:>]+:)?([^>]+)>", self.rule)

    @property
    def is_list(self) -> bool:
        return self.keyset is not None

    def params(self) -> list[Param]:
        """Every query parameter, as the document lists it."""
        found = [Param(name, check, self.docs.get(name) or DOCS[name]) for name, check in self.filters.items()]
        found += list(self.extra)
        if self.is_list:
            found += [
                Param(
                    "cursor", self.read_cursor, Doc(_l("上一页答复中的 next_cursor；不填为第一页")), {"type": "string"}
                ),
                Param("limit", limit_param, Doc(_l("每页条数"))),
            ]
        return [*found, LANG]

    def parse(self, args: Mapping[str, str]) -> ListQuery:
        """The filters (and cursor and limit) asked, validated as the pages validate them; the page number is not
        the API's (a `page` parameter is ignored, as unknown parameters are)."""
        spec: dict[str, Validator] = dict(self.filters)
        if self.is_list:
            spec |= {"cursor": self.read_cursor, "limit": limit_param}
        return parse_list_query({name: args[name] for name in spec if name in args}, spec)

    # the cursor: the primary key of the page's last item, signed for this endpoint

    def _signer(self) -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"portal.api.cursor.{self.name}")

    def cursor(self, key: Any) -> str:
        return str(self._signer().dumps(key))

    def read_cursor(self, value: str) -> Any:
        try:
            key = self._signer().loads(value)
        except BadSignature:
            key = None
        if not isinstance(key, int) or isinstance(key, bool):
            raise ValueError(_("无效的翻页游标：请使用上一页答复中的 next_cursor"))
        return key


RECORD_ORDER = Keyset(((Record.publication_start, True), (Record.id, True)))
COMMITMENT_ORDER = Keyset(((Commitment.made_on, True), (Commitment.id, True)))
OUTCOME_ORDER = Keyset(((Rectification.finished_on, True), (Rectification.id, True)))
AGENCY_ORDER = Keyset(((Agency.region_code, False), (Agency.kind, False), (Agency.name, False), (Agency.id, False)))
COMPLAINT_ORDER = Keyset(((Complaint.closed_on, True), (Complaint.id, True)))
BULLETIN_ORDER = Keyset(((Bulletin.month, True), (Bulletin.id, True)))

RECORDS = _l("失信记录")
COMMITMENTS = _l("政务承诺")
OUTCOMES = _l("整改结果")
AGENCIES = _l("机构与诚信档案")
COMPLAINTS = _l("投诉办理结果")
BULLETINS = _l("月度通报")
STATISTICS = _l("统计数据")
SEARCH = _l("搜索")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "records",
        "/records",
        _l("公示中的失信记录，最新的在前，筛选条件与“失信记录”列表相同"),
        RECORDS,
        "Record",
        record_queries.FILTERS,
        RECORD_ORDER,
        description=_l("每条记录有各类别共有的各项和其类别（kind）各自的信息项，名称与开放数据下载相同。"),
    ),
    Endpoint(
        "record",
        "/records/<record_id>",  # not the id converter: its refusal is routing's HTML 404, the view answers JSON
        _l("一条失信记录；停止公示的记录答复 410 和简短说明"),
        RECORDS,
        "Record",
        errors=(404, 410),
    ),
    Endpoint(
        "commitments",
        "/commitments",
        _l("公开的政务承诺，最新的在前"),
        COMMITMENTS,
        "Commitment",
        commitment_queries.FILTERS,
        COMMITMENT_ORDER,
    ),
    Endpoint("commitment", "/commitments/<code>", _l("一项政务承诺"), COMMITMENTS, "Commitment", errors=(404,)),
    Endpoint(
        "outcomes",
        "/outcomes",
        _l("整改结果（已办结的整改），最新的在前"),
        OUTCOMES,
        "Outcome",
        outcome_queries.FILTERS,
        OUTCOME_ORDER,
    ),
    Endpoint(
        "agencies",
        "/agencies",
        _l("机构，按行政区划和类型排列"),
        AGENCIES,
        "Agency",
        AGENCY_FILTERS,
        AGENCY_ORDER,
    ),
    Endpoint("agency", "/agencies/<uscc>", _l("一个机构（按统一社会信用代码）"), AGENCIES, "Agency", errors=(404,)),
    Endpoint(
        "complaints",
        "/complaints",
        _l("经投诉人同意公开的已办结投诉，不含投诉人信息"),
        COMPLAINTS,
        "Complaint",
        keyset=COMPLAINT_ORDER,
    ),
    Endpoint("complaint", "/complaints/<number>", _l("一件公开的投诉办理结果"), COMPLAINTS, "Complaint", errors=(404,)),
    Endpoint(
        "bulletins",
        "/bulletins",
        _l("已发布的月度通报，最新的月份在前"),
        BULLETINS,
        "BulletinSummary",
        keyset=BULLETIN_ORDER,
    ),
    Endpoint(
        "bulletin",
        "/bulletins/<month>",
        _l("一期月度通报，含发布时的数据快照"),
        BULLETINS,
        "Bulletin",
        errors=(404,),
    ),
    Endpoint(
        "statistics",
        "/statistics",
        _l("统计数据页面上的全部数字"),
        STATISTICS,
        "Statistics",
        MONTHS,
    ),
    Endpoint(
        "search",
        "/search",
        _l("全文搜索（与搜索页面相同）"),
        SEARCH,
        "SearchResults",
        search_queries.FILTERS,
        errors=(400, 503),
        docs=SEARCH_DOCS,
        extra=(
            Param("q", str, Doc(_l("搜索词")), {"type": "string"}),
            Param(
                "page",
                str,
                Doc(_l("页码（每页 %(n)d 条）", n=API_PAGE_SIZE)),
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            ),
        ),
        endpoint="search.api",
    ),
)
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
