"""The 约谈 and 现场督办 registers in the workspace (DESIGN.md, Supervision).

Staff see the suggested list (open 工作台账 items that ask for a 约谈 — 泰信用办〔2022〕12号 二(五), 如东县办法 三(二),
新信用发〔2018〕6号 二(五)1 — or a 现场督办 — 泰信用办〔2022〕12号 二(五) — with none scheduled yet), schedule a meeting
for one (or on their own), hold it with its minutes and the body's undertakings, cancel it, record an undertaking
kept, and publish a held 约谈 on its record as a 约谈告诫 measure. An officer reads the meetings of their own agency;
another agency's is 404 and every step is staff's (403)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import active_agencies
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.listing import choice, paginate, parse_list_query
from portal.menu import menu_link
from portal.records.models import Record
from portal.supervision.forms.meetings import (
    CancelMeetingForm,
    HoldMeetingForm,
    KeepUndertakingForm,
    PublishMeasureForm,
    ScheduleMeetingForm,
)
from portal.supervision.models import CourtCase, LedgerItem, Meeting, Undertaking
from portal.supervision.operations import work_calendar
from portal.supervision.operations.meetings import (
    MEASURE_BASIS,
    cancel_meeting,
    hold_meeting,
    item_reason,
    keep_undertaking,
    publish_as_measure,
    schedule_meeting,
)
from portal.supervision.queries.meetings import KIND_OF_RULE, items_of, meetings, suggested, undertaking_items
from portal.supervision.rules import LetterKind, MeetingKind, MeetingState, item_state
from portal.users.access import STAFF_ROLES, agency_item, current, get_or_404, signed_in
from portal.users.rules import Role
from portal.web import as_id

bp = Blueprint("meetings", __name__, url_prefix="/workspace/meetings")

menu_link("meetings.index", _l("约谈与现场督办"), roles=frozenset(Role), order=19)

FILTERS = {"kind": choice(MeetingKind.codes()), "state": choice(MeetingState.codes())}
SECTION_LIMIT = 100  # rows per section of the register's first page; the state filter pages through all
HELD_LIMIT = 20


def _endpoint(name: str) -> bool:
    return name in current_app.view_functions


def subject_url(subject_type: str | None, subject_id: int | None) -> str | None:
    """The workspace page of what an item or meeting is about: the record, or the court case (when that register
    is installed)."""
    if subject_id is None:
        return None
    if subject_type == "record":
        return url_for("records_workspace.detail", record_id=subject_id)
    if subject_type == "case" and _endpoint("cases.show"):
        return url_for("cases.show", case_id=subject_id)
    return None


def _scope() -> int | None:
    """The agency whose rows the user sees: None for staff (all), the officer's own agency."""
    user = current()
    if user.role in STAFF_ROLES:
        return None
    if user.agency_id is None:
        abort(403)  # an officer bound to no agency has no register to read
    return user.agency_id


# --- the register --------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in()
def index() -> tuple[str, int]:
    """The suggested list, the meetings scheduled and those held (with their undertakings kept of all); with
    `state`, every meeting in that state, page by page."""
    asked = parse_list_query(request.args, FILTERS)
    agency_id = _scope()
    kind = MeetingKind(asked.filters["kind"]) if "kind" in asked.filters else None
    state = MeetingState(asked.filters["state"]) if "state" in asked.filters else None
    context: dict[str, Any] = {"asked": asked, "state": state, "is_staff": agency_id is None}
    if state is not None or asked.problems:
        context["results"] = paginate(meetings(state or MeetingState.SCHEDULED, kind, agency_id), asked)
    else:
        items = list(db.session.scalars(suggested(kind, agency_id).limit(SECTION_LIMIT)))
        today = clock.today()
        calendar = work_calendar(today)
        context["suggested"] = [(item, item_state(item.due_on, None, today, calendar)) for item in items]
        context["scheduled"] = list(
            db.session.scalars(meetings(MeetingState.SCHEDULED, kind, agency_id).limit(SECTION_LIMIT))
        )
        context["held"] = list(db.session.scalars(meetings(MeetingState.HELD, kind, agency_id).limit(HELD_LIMIT)))
    return render_template(
        "workspace/supervision/meetings/index.html", subject_url=subject_url, kind_of_rule=KIND_OF_RULE, **context
    ), asked.status


# --- scheduling (staff) --------------------------------------------------------------------------------------------


def _arg_id(name: str) -> int | None:
    """An id from the query string (None when absent); a malformed one is 404, as an unknown one is."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    found = as_id(raw)
    if found is None:
        abort(404)
    return found


@bp.route("/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new() -> Response | tuple[str, int]:
    """Schedule a 约谈 or 现场督办: for a suggested item (`?ledger_item_id=N`: kind, agency and record or case from
    the item), for a record or case (`?kind=…&record_id=…` or `case_id=…`), or for any agency in force. A field
    error 400; an item already closed or scheduled 409."""
    today = clock.today()
    item_id, record_id, case_id = _arg_id("ledger_item_id"), _arg_id("record_id"), _arg_id("case_id")
    item = get_or_404(LedgerItem, item_id, lock=request.method == "POST") if item_id is not None else None
    if item is not None and item.rule not in KIND_OF_RULE:
        abort(404)  # not an item a meeting closes
    record = get_or_404(Record, record_id) if record_id is not None and item is None else None
    case = get_or_404(CourtCase, case_id) if case_id is not None and item is None and record is None else None
    preset = request.args.get("kind", "")
    fixed_kind = KIND_OF_RULE[item.rule] if item is not None else None
    fixed_agency = item.agency if item is not None else record.agency if record else case.agency if case else None
    form = ScheduleMeetingForm(
        kind=(fixed_kind or (preset if preset in MeetingKind.codes() else "")),
        reason=item_reason(item) if item is not None else "",
    )
    form.set_agencies([fixed_agency] if fixed_agency is not None else active_agencies())
    if fixed_kind is not None:
        form.kind.data = fixed_kind.value  # the item decides: what was posted for them does not
    if fixed_agency is not None:
        form.agency.data = str(fixed_agency.id)
    action = url_for(
        ".new", ledger_item_id=item_id, record_id=record.id if record else None, case_id=case.id if case else None
    )
    page = {"item": item, "record": record, "case": case, "fixed_agency": fixed_agency, "action": action}
    if item is not None and (item.closed_on is not None or item.meeting_id is not None):
        if item.meeting_id is not None and not form.is_submitted():
            return redirect(url_for(".show", meeting_id=item.meeting_id), code=303)
        form.form_errors.append(_("该台账事项已办结或已安排，无需再安排。"))
        return _new_page(form, page, blocked=True), 409
    if not form.is_submitted():
        return _new_page(form, page), 200
    done = form.already_done()
    if done is not None:
        return done
    if form.validate():
        agency = db.session.get(Agency, int(form.agency.data))
        day = form.scheduled_on.data
        assert day is not None  # required: validated above
        try:
            with db.session.begin_nested():  # a refusal leaves no trace of its partial work
                meeting = schedule_meeting(
                    MeetingKind(form.kind.data),
                    agency,
                    scheduled_on=day,
                    place=form.place.data or "",
                    interviewer_post=form.interviewer_post.data or "",
                    attendee_post=form.attendee_post.data or "",
                    reason=form.reason.data or "",
                    record=record,
                    case=case,
                    item=item,
                    today=today,
                    by=current(),
                )
        except RefusedError as refused:
            status = show_refusal(form, refused)  # beside its field first, then the page shows it
            return _new_page(form, page), status
        url = url_for(".show", meeting_id=meeting.id)
        return form.finish(url, _("已安排%(kind)s：%(day)s。", kind=meeting.kind.label, day=day.isoformat()))
    return _new_page(form, page), 400


def _new_page(form: ScheduleMeetingForm, page: dict[str, Any], *, blocked: bool = False) -> str:
    return render_template(
        "workspace/supervision/meetings/new.html",
        form=form,
        blocked=blocked,
        subject_url=subject_url,
        **page,
    )


# --- one meeting: reading it, and the steps (staff) ----------------------------------------------------------------


@bp.get("/<id:meeting_id>")
@signed_in()
def show(meeting_id: int) -> str:
    meeting = agency_item(Meeting, meeting_id)  # officers: only their own agency's (else 404)
    keep_id = request.args.get("keep", "")
    keeping = next((u for u in meeting.undertakings if str(u.id) == keep_id and u.done_on is None), None)
    return _show_page(meeting, keeping=keeping)


def _fresh_hold() -> HoldMeetingForm:
    return HoldMeetingForm(formdata=None, held_on=clock.today())


def _fresh_cancel() -> CancelMeetingForm:
    return CancelMeetingForm(formdata=None)


def _fresh_keep() -> KeepUndertakingForm:
    return KeepUndertakingForm(formdata=None, done_on=clock.today())


def _fresh_publish() -> PublishMeasureForm:
    return PublishMeasureForm(formdata=None, basis=MEASURE_BASIS)


def _may_publish(meeting: Meeting) -> bool:
    return (
        meeting.kind is MeetingKind.INTERVIEW
        and meeting.held_on is not None
        and meeting.record is not None
        and meeting.measure_id is None
        and meeting.record.is_public(clock.today())
    )


def _show_page(
    meeting: Meeting,
    *,
    hold: HoldMeetingForm | None = None,
    cancel: CancelMeetingForm | None = None,
    keep: KeepUndertakingForm | None = None,
    keeping: Undertaking | None = None,
    publish: PublishMeasureForm | None = None,
) -> str:
    today = clock.today()
    calendar = work_calendar(today)
    is_staff = current().role in STAFF_ROLES
    publish = publish or _fresh_publish()
    if is_staff and _may_publish(meeting):
        publish.set_agencies([a for a in active_agencies() if a.id != meeting.agency_id])
    letter_url = None
    if is_staff and meeting.kind is MeetingKind.INTERVIEW and _endpoint("letters.new"):
        letter_url = url_for(
            "letters.new", kind=LetterKind.INTERVIEW_NOTICE.value, agency_id=meeting.agency_id, meeting_id=meeting.id
        )
    return render_template(
        "workspace/supervision/meetings/show.html",
        meeting=meeting,
        items=items_of(meeting.id),
        undertaking_items=undertaking_items(meeting.undertakings),
        states={u.id: item_state(u.due_on, u.done_on, today, calendar) for u in meeting.undertakings},
        is_staff=is_staff,
        scheduled=meeting.state is MeetingState.SCHEDULED,
        hold_form=hold or _fresh_hold(),
        cancel_form=cancel or _fresh_cancel(),
        keep_form=keep or _fresh_keep(),
        keeping=keeping,
        publish_form=publish,
        may_publish=is_staff and _may_publish(meeting),
        subject_url=subject_url,
        letter_url=letter_url,
        letter_show=_endpoint("letters.show"),
    )


def _not_scheduled(meeting: Meeting) -> str | None:
    if meeting.held_on is not None:
        return _("该%(kind)s已于 %(day)s 举行。", kind=meeting.kind.label, day=meeting.held_on.isoformat())
    if meeting.cancelled_on is not None:
        return _("该%(kind)s已于 %(day)s 取消。", kind=meeting.kind.label, day=meeting.cancelled_on.isoformat())
    return None


@bp.post("/<id:meeting_id>/hold")
@signed_in(*STAFF_ROLES)
def hold(meeting_id: int) -> Response | tuple[str, int]:
    """Record the meeting held: a date after today or before it was arranged, no minutes, a row with text and no
    date (or a date and no text), an undertaking due before the meeting: 400 beside the field; one held or
    cancelled already 409. Closes the ledger items scheduled for it; the undertakings go on the ledger."""
    form = HoldMeetingForm()
    meeting = get_or_404(Meeting, meeting_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    refusal = _not_scheduled(meeting)
    if refusal is not None:
        form.form_errors.append(refusal)
        return _show_page(meeting, hold=form), 409
    if form.validate():
        rows = form.rows()
        day = form.held_on.data
        assert day is not None  # required: validated above
        try:
            with db.session.begin_nested():
                hold_meeting(
                    meeting,
                    held_on=day,
                    minutes=form.minutes.data or "",
                    undertakings=[(text, due) for _n, text, due in rows],
                    today=clock.today(),
                    by=current(),
                )
        except RefusedError as refused:
            refused.problems = {_row_field(name, [n for n, _t, _d in rows]): m for name, m in refused.problems.items()}
            status = show_refusal(form, refused)
            return _show_page(meeting, hold=form), status
        url = url_for(".show", meeting_id=meeting.id)
        return form.finish(url, _("已登记%(kind)s举行：%(day)s。", kind=meeting.kind.label, day=day.isoformat()))
    return _show_page(meeting, hold=form), 400


def _row_field(name: str, numbers: list[int]) -> str:
    """The operation names an undertaking by its place among those filled in; the form by its row."""
    for prefix in ("undertaking_due_", "undertaking_"):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            place = int(name[len(prefix) :])
            if 1 <= place <= len(numbers):
                return f"{prefix}{numbers[place - 1]}"
    return name


@bp.post("/<id:meeting_id>/cancel")
@signed_in(*STAFF_ROLES)
def cancel(meeting_id: int) -> Response | tuple[str, int]:
    """Cancel a scheduled meeting with a reason (400 without one); its ledger items are open and unscheduled again,
    back on the suggested list. One held or cancelled already 409."""
    form = CancelMeetingForm()
    meeting = get_or_404(Meeting, meeting_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    refusal = _not_scheduled(meeting)
    if refusal is not None:
        form.form_errors.append(refusal)
        return _show_page(meeting, cancel=form), 409
    if form.validate():
        try:
            with db.session.begin_nested():
                cancel_meeting(meeting, form.cancel_reason.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = show_refusal(form, refused)
            return _show_page(meeting, cancel=form), status
        url = url_for(".show", meeting_id=meeting.id)
        return form.finish(url, _("已取消%(kind)s。", kind=meeting.kind.label))
    return _show_page(meeting, cancel=form), 400


@bp.post("/<id:meeting_id>/undertakings/<id:undertaking_id>/kept")
@signed_in(*STAFF_ROLES)
def kept(meeting_id: int, undertaking_id: int) -> Response | tuple[str, int]:
    """Record an undertaking kept: a date after today or before the meeting 400 beside the field; one already
    recorded kept 409."""
    form = KeepUndertakingForm()
    meeting = get_or_404(Meeting, meeting_id, lock=True)
    undertaking = get_or_404(Undertaking, undertaking_id, lock=True)
    if undertaking.meeting_id != meeting.id:
        abort(404)
    done = form.already_done()
    if done is not None:
        return done
    if undertaking.done_on is not None:
        form.form_errors.append(_("该承诺事项已于 %(day)s 登记为已履行。", day=undertaking.done_on.isoformat()))
        return _show_page(meeting, keep=form, keeping=undertaking), 409
    if form.validate():
        day = form.done_on.data
        assert day is not None  # required: validated above
        try:
            with db.session.begin_nested():
                keep_undertaking(undertaking, day, form.done_note.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = show_refusal(form, refused)
            return _show_page(meeting, keep=form, keeping=undertaking), status
        url = url_for(".show", meeting_id=meeting.id)
        return form.finish(url, _("已登记承诺事项履行：%(day)s。", day=day.isoformat()))
    return _show_page(meeting, keep=form, keeping=undertaking), 400


@bp.post("/<id:meeting_id>/measure")
@signed_in(*STAFF_ROLES)
def measure(meeting_id: int) -> Response | tuple[str, int]:
    """Publish a held 约谈 on its record as a 约谈告诫 measure (如东县办法 四(一)), once: a field error 400; a meeting
    not held, not a 约谈, without a record or published already 409."""
    form = PublishMeasureForm()
    meeting = get_or_404(Meeting, meeting_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not _may_publish(meeting):
        form.form_errors.append(_publish_refusal(meeting))
        return _show_page(meeting, publish=form), 409
    form.set_agencies([a for a in active_agencies() if a.id != meeting.agency_id])
    if form.validate():
        implementing = db.session.get(Agency, int(form.implementing_agency.data))
        assert implementing is not None  # one of the listed agencies
        try:
            with db.session.begin_nested():
                publish_as_measure(
                    meeting,
                    clock.today(),
                    by=current(),
                    implementing_agency=implementing,
                    document_number=form.document_number.data or "",
                    basis=form.basis.data or "",
                )
        except RefusedError as refused:
            status = show_refusal(form, refused)
            return _show_page(meeting, publish=form), status
        url = url_for(".show", meeting_id=meeting.id)
        return form.finish(url, _("已作为约谈告诫措施在记录页面公示。"))
    return _show_page(meeting, publish=form), 400


def _publish_refusal(meeting: Meeting) -> str:
    if meeting.measure_id is not None:
        return _("该约谈已作为约谈告诫措施公示。")
    if meeting.kind is not MeetingKind.INTERVIEW:
        return _("只有约谈可以作为约谈告诫措施公示。")
    if meeting.held_on is None:
        return _("约谈举行后才能作为约谈告诫措施公示。")
    if meeting.record is None:
        return _("该约谈未关联失信记录，不能作为约谈告诫措施公示。")
    return _("该记录已不在公示，不能再实施联合惩戒措施。")
