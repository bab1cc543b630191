"""Use cases of joint measures (联合惩戒): staff apply one to a record and lift it; the implementing unit's officers
confirm it 已落实; an approved credit repair lifts every measure still in force. Each checks the rules, changes
state, writes the audit entry, notes the record's public change (its page, search and feeds follow, and its
`updated_at` moves) and flushes; the view commits once."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.db_types import utcnow
from portal.errors import NotAllowedError, RefusedError
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.measures.queries import active_of_kind, in_force
from portal.measures.rules import REPAIR_LIFT_REASON, DateProblem, MeasureKind, start_problem, step_problem
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.users.models import User


def _record_changed(record: Record) -> None:
    """The record's page shows the step as a dated entry: its `updated_at` moves (feeds) and search re-reads it."""
    record.updated_at = utcnow()
    changed(item_key(ItemType.RECORD, record.id))


def _date_message(problem: DateProblem, starts_on: date) -> Any:
    if problem is DateProblem.IN_FUTURE:
        return _l("日期不能晚于今天。")
    return _l("不能早于措施的开始日期（%(day)s）。", day=starts_on.isoformat())


def apply_measure(
    record: Record,
    kind: MeasureKind,
    implementing: Agency,
    document_number: str,
    starts_on: date,
    basis: str,
    note: str,
    today: date,
    *,
    by: User,
) -> JointMeasure:
    """Staff apply a joint measure to a record still shown (新信用发〔2018〕6号 (五); 如东县办法 四(一)).
    RefusedError beside its field: a start date in the future, a measure of the same kind already in force on the
    record, the body itself named as the unit that carries it out, no basis. NotAllowedError (409) for a record
    no longer shown."""
    if not record.is_public(today):
        raise NotAllowedError(_l("该记录已不在公示，不能再实施联合惩戒措施。"))
    if implementing.id == record.agency_id:
        raise RefusedError(_l("实施单位不能是失信主体本身，请选择负责实施该措施的单位。"), field="implementing_agency")
    existing = active_of_kind(record.id, kind.value)
    if existing is not None:
        raise RefusedError(
            _l(
                "该记录已有一项未解除的“%(kind)s”措施（自 %(day)s 起），不能重复实施。",
                kind=kind.label,
                day=existing.applied_on.isoformat(),
            ),
            field="kind",
        )
    if start_problem(starts_on, today) is not None:
        raise RefusedError(_l("开始日期不能晚于今天：措施在文件印发、生效后登记。"), field="applied_on")
    if not basis.strip():
        raise RefusedError(_l("请写明实施依据，引用文件和条款。"), field="basis")
    measure = JointMeasure(
        record_id=record.id,
        kind=kind,
        implementing_agency_id=implementing.id,
        document_number=document_number.strip(),
        applied_on=starts_on,
        basis=basis.strip(),
        note=note.strip(),
        applied_by_id=by.id,
        confirm_note="",
        lift_reason="",
    )
    db.session.add(measure)
    db.session.flush()
    write_audit(
        "measure.apply",
        "joint_measure",
        measure.id,
        {
            "record_id": [None, record.id],
            "kind": [None, kind.value],
            "implementing_agency_id": [None, implementing.id],
            "document_number": [None, measure.document_number],
            "applied_on": [None, starts_on.isoformat()],
            "basis": [None, measure.basis],
        },
        by=by,
    )
    _record_changed(record)
    db.session.flush()
    return measure


def confirm_measure(measure: JointMeasure, on: date, note: str, today: date, *, by: User) -> None:
    """The implementing unit's officer confirms the measure carried out (已落实) on a date between its start and
    today. NotAllowedError for another unit's officer, a measure lifted or already confirmed."""
    if by.agency_id != measure.implementing_agency_id:
        raise NotAllowedError(_l("只有实施单位才能确认落实该措施。"))
    if measure.lifted_on is not None:
        raise NotAllowedError(_l("该措施已经解除，无需再确认落实。"))
    if measure.confirmed_on is not None:
        raise NotAllowedError(_l("该措施已于 %(day)s 确认落实。", day=measure.confirmed_on.isoformat()))
    problem = step_problem(on, measure.applied_on, today)
    if problem is not None:
        raise RefusedError(_date_message(problem, measure.applied_on), field="confirmed_on")
    measure.confirmed_on = on
    measure.confirm_note = note.strip()
    measure.confirmed_by_id = by.id
    write_audit(
        "measure.confirm",
        "joint_measure",
        measure.id,
        {"confirmed_on": [None, on.isoformat()], "confirm_note": [None, measure.confirm_note]},
        by=by,
    )
    _record_changed(measure.record)
    db.session.flush()


def _lift(measure: JointMeasure, on: date, reason: str, by: User) -> None:
    measure.lifted_on = on
    measure.lift_reason = reason
    measure.lifted_by_id = by.id
    write_audit(
        "measure.lift", "joint_measure", measure.id, {"lifted_on": [None, on.isoformat()]}, by=by, reason=reason
    )


def lift_measure(measure: JointMeasure, on: date, reason: str, today: date, *, by: User) -> None:
    """Staff lift a measure with its date and reason. RefusedError beside its field: no reason, a date before the
    measure started or after today; NotAllowedError for one already lifted."""
    if measure.lifted_on is not None:
        raise NotAllowedError(_l("该措施已于 %(day)s 解除。", day=measure.lifted_on.isoformat()))
    reason = reason.strip()
    if not reason:
        raise RefusedError(_l("请写明解除理由，它将与措施一起公开。"), field="lift_reason")
    problem = step_problem(on, measure.applied_on, today)
    if problem is not None:
        raise RefusedError(_date_message(problem, measure.applied_on), field="lifted_on")
    _lift(measure, on, reason, by)
    _record_changed(measure.record)
    db.session.flush()


def lift_for_repair(record: Record, decided_on: date, *, by: User) -> list[JointMeasure]:
    """An approved credit repair lifts the record's measures still in force, dated the day of the decision, with
    the reason 信用修复 (如东县办法 四(三): a body that put its breach right may be spared further punishment). In the
    transaction of the approval; returns the measures lifted."""
    lifted = in_force(record.id)
    for measure in lifted:
        _lift(measure, max(decided_on, measure.applied_on), REPAIR_LIFT_REASON, by)
    if lifted:
        _record_changed(record)
        db.session.flush()
    return lifted
