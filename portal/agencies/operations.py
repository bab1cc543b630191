"""The agency registry's use cases (staff and admins): create, edit, rename, close and merge an agency, and enter
or remove its positive information. Each checks the rules first (so a refusal changes nothing), changes state,
writes its audit entry, notes the public change in the outbox and flushes; the view commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.agencies.models import Agency, AgencyName, PositiveItem
from portal.agencies.queries import parent_map, uscc_taken
from portal.agencies.rules import (
    AgencyKind,
    AgencyStatus,
    DateProblem,
    PositiveKind,
    award_date_problem,
    makes_loop,
    registry_date_problem,
)
from portal.audit.operations import write_audit
from portal.commitments.models import Commitment
from portal.complaints.models import Complaint
from portal.core.regions import is_region_code
from portal.core.uscc import is_valid_uscc, normalise
from portal.db_types import utcnow
from portal.errors import InputRefusedError, NotAllowedError
from portal.extensions import db
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.rectifications.models import Rectification
from portal.users.models import User

# the fields staff edit (the USCC is fixed once created: it is the agency's public address, DESIGN.md "稳定的地址")
EDITABLE = ("kind", "region_code", "region_name", "parent_id", "legal_representative")

FUTURE_DATE = _l("日期不能晚于今天")


class AgencyRefusedError(InputRefusedError):
    """The registry refuses the input; `problems` maps each form field to its message (all shown at once)."""


def _date_message(problem: DateProblem, last_change: date | None) -> Any:
    if problem is DateProblem.BEFORE_LAST_CHANGE and last_change is not None:
        return _l("日期应晚于上一次更名的日期（%(day)s）", day=last_change.isoformat())
    return FUTURE_DATE


def _check_parent(agency: Agency | None, parent_id: int | None, problems: dict[str, Any]) -> None:
    """A parent must exist, be in force (unless it already is the parent) and not make a loop
    (a county government above its departments and towns, never below one of them)."""
    if parent_id is None:
        return
    parent = db.session.get(Agency, parent_id)
    if parent is None:
        problems["parent"] = _l("请从列表中选择上级机构")
        return
    unchanged = agency is not None and agency.parent_id == parent_id
    if not parent.is_active and not unchanged:
        problems["parent"] = _l("该机构已撤销或合并，不能作为上级机构")
    elif makes_loop(agency.id if agency is not None else None, parent_id, parent_map()):
        problems["parent"] = _l("不能把本机构或其下属单位设为上级机构：上下级关系会形成循环")


def _check_fields(agency: Agency | None, values: Mapping[str, Any], problems: dict[str, Any]) -> None:
    if not is_region_code(values["region_code"]):
        problems["region_code"] = _l("行政区划代码应为 6 位或 9 位数字")
    _check_parent(agency, values.get("parent_id"), problems)


def _public_item_keys(agency: Agency) -> list[str]:
    """Keys of the public items whose search documents carry the agency's name: after a rename each is indexed
    again (an item no longer public is simply left out of the index when applied)."""
    record_ids = list(db.session.scalars(select(Record.id).where(Record.agency_id == agency.id)))
    codes = db.session.scalars(
        select(Commitment.code).where(Commitment.agency_id == agency.id, Commitment.public_clause())
    )
    outcomes = db.session.scalars(
        select(Rectification.id).where(Rectification.record_id.in_(record_ids), Rectification.finished_on.is_not(None))
    )
    complaints = db.session.scalars(
        select(Complaint.number).where(Complaint.agency_id == agency.id, Complaint.published)
    )
    return [
        *(item_key(ItemType.RECORD, i) for i in record_ids),
        *(item_key(ItemType.COMMITMENT, c) for c in codes if c),
        *(item_key(ItemType.OUTCOME, i) for i in outcomes),
        *(item_key(ItemType.COMPLAINT, n) for n in complaints),
    ]


def create_agency(values: Mapping[str, Any], *, by: User) -> Agency:
    """A new agency in the registry. The 统一社会信用代码 is checked (GB 32100-2015) and must not be in the registry
    already; the region code is 6 or 9 digits; the parent exists and is in force."""
    uscc = normalise(values["uscc"])
    problems: dict[str, Any] = {}
    if not is_valid_uscc(uscc):
        problems["uscc"] = _l("请填写有效的统一社会信用代码")
    elif uscc_taken(uscc):
        problems["uscc"] = _l("该统一社会信用代码已登记，不能重复登记")
    _check_fields(None, values, problems)
    if problems:
        raise AgencyRefusedError(problems)
    agency = Agency(
        uscc=uscc,
        name=values["name"],
        kind=AgencyKind(values["kind"]),
        region_code=values["region_code"],
        region_name=values["region_name"],
        parent_id=values.get("parent_id"),
        legal_representative=values.get("legal_representative") or "",
        status=AgencyStatus.ACTIVE,
    )
    try:
        with db.session.begin_nested():  # the same code registered at the same moment: refused, not a 500
            db.session.add(agency)
            db.session.flush()
    except IntegrityError:
        raise AgencyRefusedError({"uscc": _l("该统一社会信用代码已登记，不能重复登记")}) from None
    shown = {"uscc": uscc, "name": agency.name} | {name: _shown(getattr(agency, name)) for name in EDITABLE}
    write_audit("agency.create", "agency", agency.id, {k: [None, v] for k, v in shown.items() if v}, by=by)
    changed(item_key(ItemType.AGENCY, agency.uscc))
    db.session.flush()
    return agency


def _shown(value: Any) -> Any:
    return value.value if isinstance(value, AgencyKind) else value


def edit_agency(agency: Agency, values: Mapping[str, Any], *, by: User) -> dict[str, list[Any]]:
    """Change the agency's kind, region, parent or legal representative; returns the changes (old, new), empty
    when nothing differs (then nothing is written)."""
    problems: dict[str, Any] = {}
    _check_fields(agency, values, problems)
    if problems:
        raise AgencyRefusedError(problems)
    changes = {
        name: [_shown(getattr(agency, name)), _shown(values.get(name))]
        for name in EDITABLE
        if _shown(getattr(agency, name)) != _shown(values.get(name))
    }
    if not changes:
        return {}
    for name in EDITABLE:
        setattr(agency, name, values.get(name) if name != "legal_representative" else values.get(name) or "")
    write_audit("agency.edit", "agency", agency.id, changes, by=by)
    changed(item_key(ItemType.AGENCY, agency.uscc))
    db.session.flush()
    return changes


def rename_agency(agency: Agency, new_name: str, used_until: date, today: date, *, by: User) -> AgencyName:
    """The agency takes a new name; the old one is kept with the last day it was used (曾用名), shown on the
    profile and still found by search. Every public item carrying the name is indexed again."""
    new_name = new_name.strip()
    problems: dict[str, Any] = {}
    if new_name == agency.name:
        problems["name"] = _l("新名称与现名称相同")
    problem = registry_date_problem(used_until, today, agency.last_name_change)
    if problem is not None:
        problems["used_until"] = _date_message(problem, agency.last_name_change)
    if problems:
        raise AgencyRefusedError(problems)
    former = AgencyName(agency=agency, name=agency.name, used_until=used_until)
    db.session.add(former)
    write_audit(
        "agency.rename",
        "agency",
        agency.id,
        {"name": [agency.name, new_name], "used_until": [None, used_until.isoformat()]},
        by=by,
    )
    agency.name = new_name
    changed(item_key(ItemType.AGENCY, agency.uscc), *_public_item_keys(agency))
    db.session.flush()
    return former


def _check_closing(agency: Agency, on: date, note: str, today: date) -> dict[str, Any]:
    if not agency.is_active:
        raise NotAllowedError(_l("该机构已撤销或合并，不能再次办理。"))
    problems: dict[str, Any] = {}
    problem = registry_date_problem(on, today, agency.last_name_change)
    if problem is not None:
        problems["closed_on"] = _date_message(problem, agency.last_name_change)
    if not note.strip():
        problems["note"] = _l("请说明撤销或合并的依据")
    return problems


def close_agency(agency: Agency, closed_on: date, note: str, today: date, *, by: User) -> None:
    """The agency is closed (撤销): it stays in the registry and its archive page stays, marked closed with the
    date and the note. It can no longer be chosen as a parent."""
    problems = _check_closing(agency, closed_on, note, today)
    if problems:
        raise AgencyRefusedError(problems)
    agency.status, agency.closed_on, agency.closing_note = AgencyStatus.CLOSED, closed_on, note.strip()
    write_audit(
        "agency.close",
        "agency",
        agency.id,
        {"status": [AgencyStatus.ACTIVE.value, AgencyStatus.CLOSED.value], "closed_on": [None, closed_on.isoformat()]},
        by=by,
        reason=note.strip(),
    )
    changed(item_key(ItemType.AGENCY, agency.uscc))
    db.session.flush()


def merge_agency(agency: Agency, into_id: int | None, merged_on: date, note: str, today: date, *, by: User) -> None:
    """The agency is merged into another one in force (合并): its archive page stays, marked merged with the date,
    and points to the agency it went into."""
    problems = _check_closing(agency, merged_on, note, today)
    into = db.session.get(Agency, into_id) if into_id is not None else None
    if into is None:
        problems["into"] = _l("请从列表中选择并入的机构")
    elif into.id == agency.id:
        problems["into"] = _l("不能并入本机构")
    elif not into.is_active:
        problems["into"] = _l("该机构已撤销或合并，不能并入")
    if problems:
        raise AgencyRefusedError(problems)
    assert into is not None
    agency.status, agency.closed_on, agency.closing_note = AgencyStatus.MERGED, merged_on, note.strip()
    agency.merged_into_id = into.id
    write_audit(
        "agency.merge",
        "agency",
        agency.id,
        {
            "status": [AgencyStatus.ACTIVE.value, AgencyStatus.MERGED.value],
            "closed_on": [None, merged_on.isoformat()],
            "merged_into": [None, into.uscc],
        },
        by=by,
        reason=note.strip(),
    )
    changed(item_key(ItemType.AGENCY, agency.uscc))
    db.session.flush()


POSITIVE_FIELDS = ("title", "kind", "awarded_on", "awarding_unit", "document_number", "note")


def add_positive_item(agency: Agency, values: Mapping[str, Any], today: date, *, by: User) -> PositiveItem:
    """Positive information (表彰、奖励、守信践诺) on the agency's 政务诚信档案, entered by staff
    (泰信用办〔2022〕12号 三(四)): shown publicly in its own section at once."""
    problem = award_date_problem(values["awarded_on"], today)
    if problem is not None:
        raise AgencyRefusedError({"awarded_on": FUTURE_DATE})
    item = PositiveItem(
        agency=agency,
        title=values["title"],
        kind=PositiveKind(values["kind"]),
        awarded_on=values["awarded_on"],
        awarding_unit=values["awarding_unit"],
        document_number=values.get("document_number") or "",
        note=values.get("note") or "",
    )
    db.session.add(item)
    db.session.flush()
    shown = {name: getattr(item, name) for name in POSITIVE_FIELDS} | {
        "kind": item.kind.value,
        "awarded_on": item.awarded_on.isoformat(),
    }
    changes = {"agency": [None, agency.uscc], **{k: [None, v] for k, v in shown.items() if v}}
    write_audit("agency.positive.add", "agency_positive_item", item.id, changes, by=by)
    changed(item_key(ItemType.AGENCY, agency.uscc))
    db.session.flush()
    return item


def remove_positive_item(item: PositiveItem, reason: str, *, by: User) -> None:
    """Staff take an item off the public page, with a reason; the row and the audit log keep it."""
    if item.removed_at is not None:
        raise NotAllowedError(_l("该条信息已经移除。"))
    if not reason.strip():
        raise AgencyRefusedError({"reason": _l("请说明移除的理由")})
    item.removed_at, item.removal_reason = utcnow(), reason.strip()
    write_audit(
        "agency.positive.remove",
        "agency_positive_item",
        item.id,
        {"removed": [False, True], "title": [item.title, item.title]},
        by=by,
        reason=reason.strip(),
    )
    changed(item_key(ItemType.AGENCY, item.agency.uscc))
    db.session.flush()
