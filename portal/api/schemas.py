"""What the API answers: each resource's JSON Schema (a component of the OpenAPI document) beside the function that
turns a model into it, so that the two are written together. Record schemas are made from the kinds' declaration
(records/kinds.py): one schema per kind, its `details` holding exactly that kind's fields under their declared
names. Only what the public pages show is here; a complaint carries its public answer, never the complainant or the
internal answers.

Conventions: codes (kind, status, …) are the stored codes, with their labels in the schema; dates are ISO dates
(legal dates, China's calendar), instants ISO 8601 in UTC; money is a number of 万元, exact to the fen, as the
open datasets write it (their JSON Lines files: the API's items carry the same keys and values). The schemas are
built per request (`components`), so their descriptions are in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.commitments.rules import Fulfilment
from portal.complaints.models import Complaint
from portal.core.labelled import LabelledEnum
from portal.opendata.datasets import (
    AGENCIES,
    COMMITMENTS,
    COMPLAINTS,
    OUTCOMES,
    RECORDS_BY_KIND,
    Column,
    ColumnType,
    Dataset,
)
from portal.opendata.rules import wan_number
from portal.opendata.tables import json_value, plain_value
from portal.records.kinds import KINDS, Kind, RecordKind
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES, RecordStatus, StopNotice
from portal.rectifications.models import Rectification
from portal.rectifications.rules import CaseState, Outcome
from portal.reports.models import Bulletin
from portal.statistics.queries import Figures
from portal.web import site_root

Schema = dict[str, Any]
Json = dict[str, Any]


# --- building blocks -----------------------------------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """The schema, or null."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if "enum" in schema:
        return {**schema, "type": [*kinds, "null"], "enum": [*schema["enum"], None]}
    return {**schema, "type": [*kinds, "null"]}


def text(title: Any = None, **more: Any) -> Schema:
    return _titled({"type": "string", **more}, title)


def integer(title: Any = None, **more: Any) -> Schema:
    return _titled({"type": "integer", **more}, title)


def day(title: Any = None) -> Schema:
    return text(title, format="date")


def instant(title: Any = None) -> Schema:
    return text(title, format="date-time")


def money(title: Any = None) -> Schema:
    """An amount as the datasets write it: a number of 万元 (exact to the fen: at most 6 decimals)."""
    return _titled({"type": "number", "description": _("金额，单位：万元")}, title)


def wan(fen: int) -> int | float:
    """Fen as the number of 万元 the datasets write (portal/opendata: JSON Lines)."""
    value: int | float = json_value(wan_number(fen))
    return value


def url(title: Any = None) -> Schema:
    return text(title, format="uri")


def coded(labels: type[LabelledEnum], values: Iterable[str] | None = None, title: Any = None) -> Schema:
    """A code of a labelled enum (all of them, or `values`, in the enum's order), its labels in the description."""
    return one_of_codes(dict(labels.choices()), values, title)


def one_of_codes(labels: Mapping[str, Any], values: Iterable[str] | None = None, title: Any = None) -> Schema:
    """One of the codes of `labels` (code -> label; all of them, or `values`, in the mapping's order), each code's
    label in the description."""
    allowed = set(labels) if values is None else set(values)
    codes = [code for code in labels if code in allowed] + sorted(allowed - set(labels))
    described = "；".join(f"{code}：{labels[code]}" if code in labels else code for code in codes)
    return _titled({"type": "string", "enum": codes, "description": described}, title)


def obj(properties: Mapping[str, Schema], title: Any = None, optional: Iterable[str] = ()) -> Schema:
    """An object with exactly these properties, every one present unless `optional`."""
    left_out = set(optional)
    schema: Schema = {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in left_out],
        "properties": dict(properties),
    }
    return _titled(schema, title)


def array(items: Schema, title: Any = None) -> Schema:
    return _titled({"type": "array", "items": items}, title)


def _titled(schema: Schema, title: Any) -> Schema:
    return {"title": str(title), **schema} if title is not None else schema


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def absolute(endpoint: str, **values: Any) -> str:
    """A page's absolute address on the site's own root (never the request's Host)."""
    return site_root() + url_for(endpoint, **values)


def _links(**links: str | None) -> Json:
    return dict(links)


def links_schema(*names: str, nullable_names: Iterable[str] = ()) -> Schema:
    """Where an item is on the site: `html` its page, `feed` the Atom feed that carries it, and more by name."""
    maybe = set(nullable_names)
    titles = {"html": _l("网页"), "feed": _l("Atom 订阅")}
    return obj({name: nullable(url(titles.get(name))) if name in maybe else url(titles.get(name)) for name in names})


# --- the open datasets' columns (portal/opendata/datasets.py): the same keys and values as JSON Lines -----------


def column_schema(column: Column) -> Schema:
    """A dataset column in JSON, as the JSON Lines files write it: codes as codes, dates as ISO dates, money as a
    number of 万元; null when the item has no value."""
    titled: dict[str, Any] = {"title": column.name, "description": str(column.meaning)}
    kinds: dict[ColumnType, Schema] = {
        ColumnType.INTEGER: {"type": "integer"},
        ColumnType.MONEY: {"type": "number", "description": f"{column.meaning}（{_('万元')}）"},
        ColumnType.DATE: {"type": "string", "format": "date"},
        ColumnType.URL: {"type": "string", "format": "uri"},
    }
    if column.type is ColumnType.LABEL and column.codes is not None:
        schema = coded(column.codes)
        schema["description"] = f"{column.meaning}（{schema['description']}）"
        return nullable({**titled, **schema})
    return nullable({**titled, **kinds.get(column.type, {"type": "string"})})


def dataset_schema(dataset: Dataset, extra: Mapping[str, Schema], title: Any) -> Schema:
    """An item of a dataset: its columns, then what the API adds (its links, its history…)."""
    return obj({**{c.key: column_schema(c) for c in dataset.columns}, **extra}, title=title)


def dataset_json(dataset: Dataset, item: Any) -> Json:
    return {c.key: json_value(plain_value(c, item, _link)) for c in dataset.columns}


def _link(endpoint: str, values: dict[str, Any]) -> str:
    return absolute(endpoint, **values)


def error_schema() -> Schema:
    return obj(
        {
            "error": text(description=_("错误代码，如 bad_request、not_found、gone")),
            "message": text(description=_("说明")),
            "problems": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": _("有问题的参数及其说明"),
            },
        },
        optional=("message", "problems"),
    )


def error(code: str, message: str, problems: Mapping[str, str] | None = None) -> Json:
    answer: Json = {"error": code, "message": message}
    if problems:
        answer["problems"] = dict(problems)
    return answer


# --- records: one schema per kind (its dataset: the common columns and the kind's own, from records/kinds.py) --


def record_schema_name(kind: str) -> str:
    return f"Record_{kind}"


def rectification_schema() -> Schema:
    """The record's rectification as its page shows it (the outcomes dataset's names)."""
    return obj(
        {
            "responsible_unit": text(_l("责任单位")),
            "responsible_post": text(_l("责任岗位")),
            "deadline": day(_l("整改期限")),
            "state": coded(CaseState, title=_l("整改情况")),
            "outcome": nullable(coded(Outcome, title=_l("整改结果"))),
            "finished_on": nullable(day(_l("办结日期"))),
            "outcome_basis": text(_l("依据")),
            "outcome_summary": text(_l("结果说明")),
        },
        title=_l("整改情况"),
    )


def record_schema(kind: RecordKind) -> Schema:
    schema = dataset_schema(
        RECORDS_BY_KIND[kind.code],
        {
            "objection_open": {"type": "boolean", "title": _("异议处理中")},
            "repair_open": {"type": "boolean", "title": _("修复申请中")},
            "rectification": nullable(ref("Rectification")),
            "updated_at": instant(_l("更新时间")),
            "links": links_schema("html", "feed", "agency"),
        },
        kind.label,
    )
    schema["properties"]["kind"] = {"type": "string", "const": kind.code.value, "description": str(kind.label)}
    return schema


def record_json(record: Record, today: date) -> Json:
    rectification = record.rectification
    uscc = record.agency.uscc
    return {
        **dataset_json(RECORDS_BY_KIND[record.kind], record),
        "objection_open": bool(record.objection_open),
        "repair_open": bool(record.repair_open),
        "rectification": rectification_json(rectification, today) if rectification is not None else None,
        "updated_at": _instant(record.updated_at),
        "links": {
            "html": absolute("records.detail", record_id=record.id),
            "feed": absolute("feeds.agency", uscc=uscc, fmt="atom"),
            "agency": absolute("api.agency", uscc=uscc),
        },
    }


def rectification_json(rectification: Rectification, today: date) -> Json:
    return {
        "responsible_unit": rectification.responsible_unit,
        "responsible_post": rectification.responsible_post,
        "deadline": rectification.deadline.isoformat(),
        "state": rectification.state(today).value,
        "outcome": rectification.outcome.value if rectification.outcome else None,
        "finished_on": _day(rectification.finished_on),
        "outcome_basis": rectification.outcome_basis or "",
        "outcome_summary": rectification.outcome_summary or "",
    }


def record_union_schema() -> Schema:
    """Any record: one of the kinds' schemas, told apart by `kind`."""
    return {
        "oneOf": [ref(record_schema_name(code)) for code in KINDS],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {code: f"#/components/schemas/{record_schema_name(code)}" for code in KINDS},
        },
    }


def stopped_schema() -> Schema:
    """The short notice of a record no longer published (410), as the record's page shows it."""
    notice = obj(
        {
            "id": integer(),
            "kind": coded(Kind, title=_l("类别")),
            "agency_name": text(_l("主体")),
            "agency_uscc": text(_l("统一社会信用代码")),
            "stopped_on": day(_l("停止公示日期")),
            "reason": coded(RecordStatus, [s.value for s in RecordStatus if s not in SHOWN_STATUSES], _l("原因")),
            "note": text(_l("说明")),
        },
    )
    return obj({"error": {"type": "string", "const": "gone"}, "message": text(), "notice": notice})


def stopped_json(record: Record, notice: StopNotice) -> Json:
    return {
        "error": "gone",
        "message": _("该记录已停止公示"),
        "notice": {
            "id": record.id,
            "kind": record.kind.value,
            "agency_name": record.agency.name,
            "agency_uscc": record.agency.uscc,
            "stopped_on": notice.since.isoformat(),
            "reason": notice.reason.value,
            # the page shows why publication stopped, except for a plain expiry
            "note": record.stop_note if record.stop_note and notice.reason is not RecordStatus.EXPIRED else "",
        },
    }


# --- commitments ---------------------------------------------------------------------------------------------------


def commitment_schema() -> Schema:
    return dataset_schema(
        COMMITMENTS,
        {
            "letter": nullable(
                obj({"url": url(), "sha256": text("SHA-256"), "size": integer(description=_("字节数"))}, _l("承诺书"))
            ),
            "fulfilment_history": array(
                obj(
                    {
                        "fulfilment": coded(Fulfilment, title=_l("履行情况")),
                        "determined_on": day(_l("认定日期")),
                        "determined_by": text(_l("认定单位")),
                        "note": text(_l("说明")),
                    }
                ),
                _l("履行情况认定"),
            ),
            "updated_at": instant(_l("更新时间")),
            "links": links_schema("html", "feed", "agency"),
        },
        _l("政务承诺"),
    )


def commitment_json(commitment: Commitment) -> Json:
    code = commitment.code or ""
    letter = commitment.letter
    return {
        **dataset_json(COMMITMENTS, commitment),
        "letter": (
            {"url": absolute("commitments.letter", code=code), "sha256": letter.sha256, "size": letter.size}
            if letter is not None
            else None
        ),
        "fulfilment_history": [
            {
                "fulfilment": entry.fulfilment.value,
                "determined_on": entry.determined_on.isoformat(),
                "determined_by": entry.determined_by,
                "note": entry.note or "",
            }
            for entry in commitment.fulfilment_history
        ],
        "updated_at": _instant(commitment.updated_at),
        "links": {
            "html": absolute("commitments.detail", code=code),
            "feed": absolute("feeds.agency", uscc=commitment.agency.uscc, fmt="atom"),
            "agency": absolute("api.agency", uscc=commitment.agency.uscc),
        },
    }


# --- outcomes (整改结果) -------------------------------------------------------------------------------------------


def outcome_schema() -> Schema:
    extra = {"updated_at": instant(_l("更新时间")), "links": links_schema("html", "feed", "record")}
    return dataset_schema(OUTCOMES, extra, _l("整改结果"))


def outcome_json(rectification: Rectification) -> Json:
    record = rectification.record
    return {
        **dataset_json(OUTCOMES, rectification),
        "updated_at": _instant(rectification.updated_at),
        "links": {
            "html": absolute("records.detail", record_id=record.id),
            "feed": absolute("feeds.agency", uscc=record.agency.uscc, fmt="atom"),
            "record": absolute("api.record", record_id=record.id),
        },
    }


# --- agencies ------------------------------------------------------------------------------------------------------


def agency_schema() -> Schema:
    return dataset_schema(
        AGENCIES,
        {
            "former_names": array(obj({"name": text(_l("曾用名")), "used_until": day(_l("使用至"))}), _l("曾用名")),
            "counts": obj(
                {
                    "records": integer(_l("公示中的失信记录")),
                    "commitments": integer(_l("公开的政务承诺")),
                    "complaints": integer(_l("公开的投诉办理结果")),
                }
            ),
            "links": links_schema("html", "feed", "report", "records", "commitments", "outcomes"),
        },
        _l("机构"),
    )


def agency_json(agency: Agency, counts: Mapping[str, int]) -> Json:
    uscc = agency.uscc
    return {
        **dataset_json(AGENCIES, agency),
        "former_names": [{"name": f.name, "used_until": f.used_until.isoformat()} for f in agency.former_names],
        "counts": {name: int(counts.get(name, 0)) for name in ("records", "commitments", "complaints")},
        "links": {
            "html": absolute("agencies.profile", uscc=uscc),
            "feed": absolute("feeds.agency", uscc=uscc, fmt="atom"),
            "report": absolute("agencies.report_pdf", uscc=uscc),
            "records": absolute("api.records", agency=uscc),
            "commitments": absolute("api.commitments", agency=uscc),
            "outcomes": absolute("api.outcomes", agency=uscc),
        },
    }


# --- published complaints --------------------------------------------------------------------------------------------


def complaint_schema() -> Schema:
    return dataset_schema(COMPLAINTS, {"links": links_schema("html", "feed")}, _l("投诉办理结果"))


def complaint_json(complaint: Complaint) -> Json:
    """A closed complaint published with consent, as its dataset has it: never the complainant's name, contact or
    code, the attachments, the description, the agency's feedback or the answer sent to the complainant; its
    `answer` is the version written for the public (Complaint.public_answer)."""
    return {
        **dataset_json(COMPLAINTS, complaint),
        "links": {
            "html": absolute("complaints.published", number=complaint.number),
            "feed": absolute("feeds.search", fmt="atom", type="complaint"),
        },
    }


# --- monthly bulletins (月度通报) --------------------------------------------------------------------------------


def bulletin_schema(full: bool) -> Schema:
    properties: dict[str, Schema] = {
        "month": text(_l("月份"), pattern="^[0-9]{4}-[0-9]{2}$"),
        "title": text(_l("标题")),
        "summary": text(_l("总体情况")),
        "published_on": day(_l("发布日期")),
        "figures_as_of": day(_l("数据截至")),
        "pdf": nullable(obj({"url": url(), "sha256": text("SHA-256")})),
        "errata": array(obj({"dated_on": day(_l("日期")), "text": text(_l("勘误"))}), _l("勘误")),
        "links": links_schema("html", "feed", "api"),
    }
    if full:
        properties |= {
            "notable": text(_l("典型案例")),
            "next_steps": text(_l("下一步工作")),
            "figures": {
                "type": "object",
                "title": _("数据"),
                "description": _("通报发布时的数据快照，与通报网页的各表相同"),
            },
        }
    return obj(properties, title=_l("月度通报"))


def bulletin_json(bulletin: Bulletin, full: bool) -> Json:
    assert bulletin.published_on is not None  # only published bulletins are public
    answer: Json = {
        "month": bulletin.month,
        "title": bulletin.title,
        "summary": bulletin.summary or "",
        "published_on": bulletin.published_on.isoformat(),
        "figures_as_of": bulletin.figures_as_of.isoformat(),
        "pdf": (
            {"url": absolute("reports.pdf", month=bulletin.month), "sha256": bulletin.pdf_sha256}
            if bulletin.pdf_sha256
            else None
        ),
        "errata": [{"dated_on": e.dated_on.isoformat(), "text": e.text} for e in bulletin.errata],
        "links": _links(
            html=absolute("reports.show", month=bulletin.month),
            feed=absolute("reports.feed", fmt="atom"),
            api=absolute("api.bulletin", month=bulletin.month),
        ),
    }
    if full:
        answer |= {
            "notable": bulletin.notable or "",
            "next_steps": bulletin.next_steps or "",
            "figures": bulletin.figures,
        }
    return answer


# --- statistics ----------------------------------------------------------------------------------------------------


def statistics_schema() -> Schema:
    money_row = obj(
        {
            "key": text(),
            "records": integer(_l("记录数")),
            "owed": money(_l("拖欠金额")),
            "repaid": money(_l("已偿还")),
            "outstanding": money(_l("尚欠")),
        }
    )
    count_row = obj({"key": text(), "label": text(), "count": integer()})
    return obj(
        {
            "today": day(_l("数据截至")),
            "months": integer(_l("月度序列长度")),
            "defaulters": array(
                obj({"day": day(), "listed": integer(), "new": integer(), "cleared": integer()}),
                _l("动态清零：被列为失信被执行人的政府机构"),
            ),
            "arrears": array(
                obj({"day": day(), "owed": money(), "repaid": money(), "outstanding": money()}),
                _l("清欠：拖欠账款的偿还情况"),
            ),
            "arrears_by_level": array(money_row),
            "arrears_by_subtype": array(money_row),
            "records_by_kind": array(count_row),
            "records_by_severity": array(count_row),
            "records_by_region": array(count_row),
            "complaints": array(
                obj(
                    {
                        "first": day(),
                        "last": day(),
                        "received": integer(),
                        "answered_on_time": integer(),
                        "closed_on_time": integer(),
                        "not_accepted": integer(),
                    }
                ),
                _l("投诉办理"),
            ),
            "links": links_schema("html"),
        },
        title=_l("统计数据"),
    )


def statistics_json(found: Figures, months: int, labels: Mapping[str, list[str]]) -> Json:
    """The figures of /statistics/ (money in 万元, exact); `labels` are the page's row names."""

    def money_rows(rows: Iterable[Any]) -> list[Json]:
        return [
            {
                "key": r.key,
                "records": r.records,
                "owed": wan(r.owed),
                "repaid": wan(r.repaid),
                "outstanding": wan(r.outstanding),
            }
            for r in rows
        ]

    def count_rows(rows: Iterable[Any], names: list[str]) -> list[Json]:
        return [{"key": r.key, "label": name, "count": r.count} for r, name in zip(rows, names, strict=True)]

    return {
        "today": found.today.isoformat(),
        "months": months,
        "defaulters": [
            {"day": p.day.isoformat(), "listed": p.listed, "new": p.new, "cleared": p.cleared} for p in found.defaulters
        ],
        "arrears": [
            {"day": p.day.isoformat(), "owed": wan(p.owed), "repaid": wan(p.repaid), "outstanding": wan(p.outstanding)}
            for p in found.arrears
        ],
        "arrears_by_level": money_rows(found.by_level),
        "arrears_by_subtype": money_rows(found.by_subtype),
        "records_by_kind": count_rows(found.by_kind, labels["kinds"]),
        "records_by_severity": count_rows(found.by_severity, labels["tiers"]),
        "records_by_region": count_rows(found.by_region, labels["regions"]),
        "complaints": [
            {
                "first": m.first.isoformat(),
                "last": m.last.isoformat(),
                "received": m.received,
                "answered_on_time": m.answered_on_time,
                "closed_on_time": m.closed_on_time,
                "not_accepted": m.not_accepted,
            }
            for m in found.complaints
        ],
        "links": _links(html=absolute("statistics.index", months=months)),
    }


# --- lists ---------------------------------------------------------------------------------------------------------


def list_schema(item: Schema, title: Any) -> Schema:
    """A page of a list: its items, how many the filters find in all, and the cursor of the next page."""
    return obj(
        {
            "items": array(item),
            "total": integer(description=_("按所选条件共有多少条")),
            "limit": integer(description=_("每页最多条数")),
            "filters": {"type": "object", "description": _("生效的筛选条件")},
            "next_cursor": nullable(text(description=_("下一页的游标；为 null 时已是最后一页"))),
            "links": obj(
                {
                    "self": url(),
                    "next": nullable(url()),
                    "html": url(_l("网页")),
                    "feed": nullable(url(_l("Atom 订阅"))),
                }
            ),
        },
        title=title,
    )


def components() -> dict[str, Schema]:
    """Every schema the document names, in the reader's language."""
    schemas: dict[str, Schema] = {
        "Error": error_schema(),
        "Gone": stopped_schema(),
        "Rectification": rectification_schema(),
        **{record_schema_name(code): record_schema(kind) for code, kind in KINDS.items()},
        "Record": record_union_schema(),
        "Commitment": commitment_schema(),
        "Outcome": outcome_schema(),
        "Agency": agency_schema(),
        "Complaint": complaint_schema(),
        "BulletinSummary": bulletin_schema(full=False),
        "Bulletin": bulletin_schema(full=True),
        "Statistics": statistics_schema(),
        "SearchResults": search_schema(),
    }
    return schemas


def search_schema() -> Schema:
    """The answer of /api/v1/search (portal/search/views.py), as it is."""
    agency = obj({"uscc": text(), "name": text(), "url": url()})
    return obj(
        {
            "query": text(),
            "filters": {"type": "object"},
            "page": integer(),
            "per_page": integer(),
            "total": integer(),
            "notices": array(obj({"code": text(), "message": text()})),
            "agencies": array(
                obj({**agency["properties"], "counts": {"type": "object", "additionalProperties": {"type": "integer"}}})
            ),
            "suggestions": array(agency),
            "items": array(
                obj(
                    {
                        "key": text(),
                        "type": text(),
                        "title": text(),
                        "url": url(),
                        "date": nullable(day()),
                        "agency": nullable(text()),
                        "snippet_html": text(),
                    }
                )
            ),
            "facets": {
                "type": "object",
                "additionalProperties": array(obj({"value": {"type": ["string", "integer"]}, "count": integer()})),
            },
        },
        title=_l("搜索结果"),
    )
