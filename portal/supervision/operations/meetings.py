"""The 约谈 and 现场督办 registers (DESIGN.md, Supervision). Staff schedule a meeting, for a ledger item that asks for
one or on their own (建议约谈: 泰信用办〔2022〕12号 二(五), 如东县办法 三(二), 新信用发〔2018〕6号 二(五)1;
现场督办: 泰信用办〔2022〕12号 二(五)); then hold it (date, minutes, the body's undertakings, each by its date:
如东县办法 三(二)) or cancel it; record an undertaking kept; publish a held 约谈 on its record as a 约谈告诫 measure
(如东县办法 四(一)).

One function per use case: each checks the rules, changes state, writes the audit entry, derives the meeting's
ledger items at once (operations.ledger.refresh_subject: undertakings appear on the 工作台账 when the meeting is held)
and flushes; the view commits. A refusal is a RefusedError (InputRefusedError: several fields) beside its field,
or a NotAllowedError (409) for a step the meeting's state no longer allows; nothing is written then."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.clock import local_time
from portal.errors import InputRefusedError, NotAllowedError, RefusedError
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.measures.operations import apply_measure
from portal.measures.rules import MeasureKind
from portal.records.models import Record
from portal.supervision.models import CourtCase, LedgerItem, Meeting, Undertaking
from portal.supervision.operations.ledger import close_item, refresh_subject
from portal.supervision.queries.meetings import KIND_OF_RULE, open_items_of, undertaking_key
from portal.supervision.rules import ClosedHow, Closing, MeetingKind, MeetingState
from portal.users.models import User

POST_MAX = 200  # the columns' lengths
PLACE_MAX = 200
TEXT_MAX = 5000

# 如东县办法 四(一) (书面警示、约谈告诫) and 泰信用办〔2022〕12号 二(五) (约谈建议): the basis a published 约谈 cites
# unless staff write another.
MEASURE_BASIS = "泰信用办〔2022〕12号 二(五)；如东县办法 三(二)"


def _audit_dates(**days: date | None) -> dict[str, list[Any]]:
    return {name: [None, day.isoformat() if day else None] for name, day in days.items()}


def item_reason(item: LedgerItem) -> str:
    """The rule that fired, as the meeting's reason: its label and clause (kept as data, in Chinese)."""
    return f"{item.rule.msgid}（{item.rule.spec.clause}）：{item.subject}"


def _checked_item(item: LedgerItem, kind: MeetingKind) -> None:
    if item.closed_on is not None:
        raise NotAllowedError(_l("该台账事项已于 %(day)s 办结，无需再安排。", day=item.closed_on.isoformat()))
    if item.meeting_id is not None:
        raise NotAllowedError(_l("已为该台账事项安排了约谈或现场督办，请在该登记中办理。"))
    if item.rule.spec.closing is not Closing.MEETING or item.rule not in KIND_OF_RULE:
        raise RefusedError(_l("该台账事项不是以约谈或现场督办办结的。"), field="kind")
    wanted = KIND_OF_RULE[item.rule]
    if kind is not wanted:
        raise RefusedError(
            _l("该台账事项（%(rule)s）应安排%(kind)s。", rule=item.rule.label, kind=wanted.label), field="kind"
        )
    if item.agency_id is None:
        raise RefusedError(_l("该台账事项没有对应的机构，不能安排约谈或现场督办。"), field="agency")


def _subject_of(item: LedgerItem) -> tuple[Record | None, CourtCase | None]:
    if item.subject_type == "record" and item.subject_id is not None:
        return db.session.get(Record, item.subject_id), None
    if item.subject_type == "case" and item.subject_id is not None:
        return None, db.session.get(CourtCase, item.subject_id)
    return None, None


def schedule_meeting(
    kind: MeetingKind,
    agency: Agency | None,
    *,
    scheduled_on: date,
    place: str,
    interviewer_post: str,
    attendee_post: str,
    reason: str = "",
    record: Record | None = None,
    case: CourtCase | None = None,
    item: LedgerItem | None = None,
    today: date,
    by: User,
) -> Meeting:
    """Staff enter a 约谈 or 现场督办 on the register, for `item` (an open 建议约谈 or 现场督办 item of the 工作台账,
    which stays open until the meeting is held) or on their own. The agency, record or case and the reason default
    from the item (the rule that fired). Refused beside its field: a date before today, no place or posts, a closed
    or merged agency, a record or case of another agency, an item that asks for the other kind; 409 for an item
    already closed or already scheduled."""
    if item is not None:
        _checked_item(item, kind)
        item_record, item_case = _subject_of(item)
        record = record or item_record
        case = case or item_case
        if agency is None:
            agency = db.session.get(Agency, item.agency_id)
        reason = reason.strip() or item_reason(item)
    problems: dict[str, Any] = {}
    if agency is None:
        problems["agency"] = _l("请从列表中选择被约谈或督办的机构。")
    elif not agency.is_active:
        problems["agency"] = _l("该机构已撤销或合并，不能再安排约谈或现场督办。")
    elif item is not None and item.agency_id != agency.id:
        problems["agency"] = _l("该台账事项属于另一机构。")
    elif record is not None and record.agency_id != agency.id:
        problems["agency"] = _l("所选记录的失信主体不是该机构。")
    elif case is not None and case.agency_id != agency.id:
        problems["agency"] = _l("所选案件的被告不是该机构。")
    if scheduled_on < today:
        problems["scheduled_on"] = _l("安排日期不能早于今天（%(day)s）。", day=today.isoformat())
    for name, value, longest in (
        ("place", place, PLACE_MAX),
        ("interviewer_post", interviewer_post, POST_MAX),
        ("attendee_post", attendee_post, POST_MAX),
    ):
        if not value.strip():
            problems[name] = _l("此项必填")
        elif len(value.strip()) > longest:
            problems[name] = _l("太长了：最多 %(max)d 个字符。", max=longest)
    if len(reason.strip()) > TEXT_MAX:
        problems["reason"] = _l("太长了：最多 %(max)d 个字符。", max=TEXT_MAX)
    if problems:
        raise InputRefusedError(problems)
    assert agency is not None
    meeting = Meeting(
        kind=kind,
        agency_id=agency.id,
        record_id=record.id if record is not None else None,
        case_id=case.id if case is not None else None,
        reason=reason.strip(),
        scheduled_on=scheduled_on,
        place=place.strip(),
        interviewer_post=interviewer_post.strip(),
        attendee_post=attendee_post.strip(),
        minutes="",
        cancel_reason="",
        created_by_id=by.id,
    )
    db.session.add(meeting)
    db.session.flush()
    if item is not None:
        item.meeting_id = meeting.id
    write_audit(
        "meeting.schedule",
        "meeting",
        meeting.id,
        {
            "kind": [None, kind.value],
            "agency_id": [None, agency.id],
            "record_id": [None, meeting.record_id],
            "case_id": [None, meeting.case_id],
            "ledger_item_id": [None, item.id if item is not None else None],
            "place": [None, meeting.place],
            "interviewer_post": [None, meeting.interviewer_post],
            "attendee_post": [None, meeting.attendee_post],
            "reason": [None, meeting.reason],
            **_audit_dates(scheduled_on=scheduled_on),
        },
        by=by,
    )
    refresh_subject("meeting", meeting.id, today)
    return meeting


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.state is MeetingState.HELD:
        assert meeting.held_on is not None
        raise NotAllowedError(
            _l("该%(kind)s已于 %(day)s 举行。", kind=meeting.kind.label, day=meeting.held_on.isoformat())
        )
    if meeting.state is MeetingState.CANCELLED:
        assert meeting.cancelled_on is not None
        raise NotAllowedError(
            _l("该%(kind)s已于 %(day)s 取消。", kind=meeting.kind.label, day=meeting.cancelled_on.isoformat())
        )


def registered_on(meeting: Meeting) -> date:
    """The earliest day a meeting may have been held: the day it was entered or its date, whichever is earlier (a
    meeting may be brought forward, never before it was arranged)."""
    created = local_time(meeting.created_at).date() if meeting.created_at is not None else meeting.scheduled_on
    return min(created, meeting.scheduled_on)


def hold_meeting(
    meeting: Meeting,
    *,
    held_on: date,
    minutes: str,
    undertakings: Sequence[tuple[str, date]],
    today: date,
    by: User,
) -> list[Undertaking]:
    """Record a scheduled meeting held: its date (not after today, not before it was arranged), the minutes and the
    body's undertakings, each by a date not before the meeting (如东县办法 三(二)). Every open ledger item scheduled
    for it is closed 已约谈或督办 on that day; the undertakings become ledger items (约谈承诺事项) at once.
    InputRefusedError beside the fields (`undertaking_due_N`, N the undertaking's place in the list, from 1);
    409 for a meeting held or cancelled already."""
    _require_scheduled(meeting)
    problems: dict[str, Any] = {}
    earliest = registered_on(meeting)
    if held_on > today:
        problems["held_on"] = _l("举行日期不能晚于今天：约谈或督办举行后再登记。")
    elif held_on < earliest:
        problems["held_on"] = _l("举行日期不能早于安排登记的日期（%(day)s）。", day=earliest.isoformat())
    if not minutes.strip():
        problems["minutes"] = _l("请填写纪要：谈了什么、单位作出了哪些说明和承诺。")
    elif len(minutes.strip()) > TEXT_MAX * 4:
        problems["minutes"] = _l("太长了：最多 %(max)d 个字符。", max=TEXT_MAX * 4)
    for n, (text, due_on) in enumerate(undertakings, start=1):
        if not text.strip():
            problems[f"undertaking_{n}"] = _l("请填写承诺事项。")
        elif len(text.strip()) > TEXT_MAX:
            problems[f"undertaking_{n}"] = _l("太长了：最多 %(max)d 个字符。", max=TEXT_MAX)
        if due_on < held_on:
            problems[f"undertaking_due_{n}"] = _l("完成期限不能早于举行日期（%(day)s）。", day=held_on.isoformat())
    if problems:
        raise InputRefusedError(problems)
    meeting.held_on = held_on
    meeting.minutes = minutes.strip()
    rows = [Undertaking(text=text.strip(), due_on=due_on, done_note="") for text, due_on in undertakings]
    meeting.undertakings.extend(rows)
    db.session.flush()
    closed = open_items_of(meeting.id)
    for item in closed:
        close_item(item, ClosedHow.MEETING, held_on, by=by, meeting=meeting)
    write_audit(
        "meeting.hold",
        "meeting",
        meeting.id,
        {
            **_audit_dates(held_on=held_on),
            "minutes": [None, meeting.minutes],
            "undertakings": [None, [{"id": u.id, "text": u.text, "due_on": u.due_on.isoformat()} for u in rows]],
            "ledger_items_closed": [None, [item.id for item in closed]],
        },
        by=by,
    )
    refresh_subject("meeting", meeting.id, today)
    return rows


def cancel_meeting(meeting: Meeting, reason: str, today: date, *, by: User) -> None:
    """Cancel a scheduled meeting with a reason: the ledger items scheduled for it are open and unscheduled again
    (back on the suggested list). 409 for one held or cancelled already."""
    _require_scheduled(meeting)
    reason = reason.strip()
    if not reason:
        raise RefusedError(_l("请写明取消的理由。"), field="cancel_reason")
    if len(reason) > TEXT_MAX:
        raise RefusedError(_l("太长了：最多 %(max)d 个字符。", max=TEXT_MAX), field="cancel_reason")
    meeting.cancelled_on = today
    meeting.cancel_reason = reason
    released = open_items_of(meeting.id)
    for item in released:
        item.meeting_id = None
    write_audit(
        "meeting.cancel",
        "meeting",
        meeting.id,
        {**_audit_dates(cancelled_on=today), "ledger_items_released": [None, [item.id for item in released]]},
        by=by,
        reason=reason,
    )
    db.session.flush()
    refresh_subject("meeting", meeting.id, today)


def keep_undertaking(undertaking: Undertaking, done_on: date, note: str, today: date, *, by: User) -> None:
    """Staff record an undertaking kept (履行) on a day between the meeting and today, with a note; its ledger item
    is closed 已登记办结 that day. 409 for one already recorded kept."""
    meeting = undertaking.meeting
    if undertaking.done_on is not None:
        raise NotAllowedError(_l("该承诺事项已于 %(day)s 登记为已履行。", day=undertaking.done_on.isoformat()))
    if meeting.held_on is None:
        raise NotAllowedError(_l("约谈或督办尚未举行。"))
    if done_on > today:
        raise RefusedError(_l("履行日期不能晚于今天。"), field="done_on")
    if done_on < meeting.held_on:
        raise RefusedError(
            _l("履行日期不能早于约谈或督办举行的日期（%(day)s）。", day=meeting.held_on.isoformat()), field="done_on"
        )
    note = note.strip()
    if len(note) > TEXT_MAX:
        raise RefusedError(_l("太长了：最多 %(max)d 个字符。", max=TEXT_MAX), field="done_note")
    undertaking.done_on = done_on
    undertaking.done_note = note
    item = db.session.scalar(
        select(LedgerItem).where(LedgerItem.key == undertaking_key(undertaking.id), LedgerItem.closed_on.is_(None))
    )
    if item is not None:  # 如东县办法 三(二): the undertaking's item is closed by staff recording it kept
        close_item(item, ClosedHow.MANUAL, done_on, by=by, note=note)
    write_audit(
        "undertaking.keep",
        "undertaking",
        undertaking.id,
        {"meeting_id": [None, meeting.id], **_audit_dates(done_on=done_on), "done_note": [None, note]},
        by=by,
    )
    db.session.flush()
    refresh_subject("meeting", meeting.id, today)


def publish_as_measure(
    meeting: Meeting,
    today: date,
    *,
    by: User,
    implementing_agency: Agency,
    document_number: str,
    basis: str = "",
) -> JointMeasure:
    """Publish a held 约谈 on its record as a 约谈告诫 measure (如东县办法 四(一)), dated the day it was held, through
    the measures feature's own `apply_measure` (so it shows on the record's public page like any measure). Once
    per meeting; only a held 约谈 that concerns a record (409 otherwise)."""
    if meeting.kind is not MeetingKind.INTERVIEW:
        raise NotAllowedError(_l("只有约谈可以作为约谈告诫措施公示。"))
    if meeting.held_on is None:
        raise NotAllowedError(_l("约谈举行后才能作为约谈告诫措施公示。"))
    if meeting.record is None:
        raise NotAllowedError(_l("该约谈未关联失信记录，不能作为约谈告诫措施公示。"))
    if meeting.measure_id is not None:
        raise NotAllowedError(_l("该约谈已作为约谈告诫措施公示。"))
    if not document_number.strip():
        raise RefusedError(_l("请填写实施约谈告诫的文件文号。"), field="document_number")
    measure = apply_measure(
        meeting.record,
        MeasureKind.INTERVIEW,
        implementing_agency,
        document_number,
        meeting.held_on,
        basis.strip() or MEASURE_BASIS,
        f"{meeting.held_on.isoformat()} 由{meeting.interviewer_post}约谈{meeting.attendee_post}",
        today,
        by=by,
    )
    meeting.measure_id = measure.id
    write_audit(
        "meeting.publish_measure",
        "meeting",
        meeting.id,
        {"measure_id": [None, measure.id], "document_number": [None, measure.document_number]},
        by=by,
    )
    db.session.flush()
    refresh_subject("meeting", meeting.id, today)
    return measure
