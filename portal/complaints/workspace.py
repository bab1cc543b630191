"""Complaints in the workspace: the staff queue with due and overdue flags, each step, and the officers' answers.

Staff see every complaint, the complainant's name and contact masked until they press "show" (audited). Officers
see only the complaints transferred to their agency, without anything about the complainant, and answer them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.complaints.forms import (
    AcceptForm,
    AgencyAnswerForm,
    CloseForm,
    LinkRecordForm,
    PublishForm,
    RefuseForm,
    ReturnForm,
    RevealForm,
    TransferForm,
)
from portal.complaints.models import Complaint
from portal.complaints.operations import (
    accept,
    agency_answers,
    close,
    link_record,
    personal_data_in,
    publish_answer,
    redacted_answer,
    refuse,
    return_to_agency,
    reveal_contact,
    transfer,
)
from portal.complaints.rules import (
    FINISHED,
    OFFICER_STATUSES,
    RECORD_KINDS,
    SUBSTANTIATED,
    TRANSITIONS,
    Category,
    ComplaintStatus,
    may_return,
    return_until,
)
from portal.core.deadlines import Urgency, urgency
from portal.core.masking import shown_contact
from portal.core.personal_data import PLACEHOLDERS
from portal.db import commit
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db
from portal.files.responses import download_listed
from portal.forms import OnceForm
from portal.listing import choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.supervision.operations import work_calendar
from portal.supervision.queries import urgency_clause
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("complaints_workspace", __name__, url_prefix="/workspace/complaints")

menu_link("complaints_workspace.index", _l("投诉"), roles=frozenset(Role), order=40)


@dashboard_figure(
    _l("转办给本单位、待反馈的投诉：%(n)d"),
    roles=frozenset({Role.OFFICER}),
    order=30,
    link="complaints_workspace.index",
    link_args={"status": "transferred"},
)
def _transferred_to_agency(user: User) -> int:
    query = select(func.count(Complaint.id)).where(
        Complaint.agency_id == user.agency_id, Complaint.status == ComplaintStatus.TRANSFERRED
    )
    return db.session.scalar(query) or 0


@dashboard_figure(
    _l("办理中的投诉：%(n)d"),
    roles=frozenset({Role.STAFF, Role.ADMIN}),
    order=20,
    link="complaints_workspace.index",  # its default: the complaints not finished
)
def _open_complaints(user: User) -> int:
    return db.session.scalar(select(func.count(Complaint.id)).where(Complaint.status.not_in(FINISHED))) or 0


FLAGS = (Urgency.OVERDUE, Urgency.DUE)  # the queue's filter: 已逾期, 今明到期
FILTERS = {
    "status": choice(s.value for s in ComplaintStatus),
    "category": choice(c.value for c in Category),
    "flag": choice(FLAGS),
}
OPEN = tuple(s.value for s in ComplaintStatus if s not in FINISHED)

# Complaint.due in SQL: acceptance, the agency's answer, or closing; NULL once finished.
due_next: ColumnElement[date | None] = case(
    (Complaint.status == ComplaintStatus.SUBMITTED.value, Complaint.accept_due),
    (
        Complaint.status.in_([ComplaintStatus.ACCEPTED.value, ComplaintStatus.TRANSFERRED.value]),
        func.coalesce(Complaint.returned_answer_due, Complaint.answer_due),
    ),
    (
        Complaint.status == ComplaintStatus.ANSWERED.value,
        func.coalesce(Complaint.returned_close_due, Complaint.close_due),
    ),
    else_=None,
)


def _is_officer(user: User) -> bool:
    return user.role is Role.OFFICER


# --- the queue ---------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in()
def index() -> tuple[str, int]:
    asked = parse_list_query(request.args, FILTERS)
    user = current()
    today = clock.today()
    calendar = work_calendar(today)
    query: Select[Any] = select(Complaint).options(joinedload(Complaint.agency))
    if _is_officer(user):
        query = query.where(Complaint.agency_id == user.agency_id, Complaint.status.in_(OFFICER_STATUSES))
    if "status" in asked.filters:
        query = query.where(Complaint.status == asked.filters["status"])
    else:
        query = query.where(Complaint.status.in_(OPEN))
    if "category" in asked.filters:
        query = query.where(Complaint.category == asked.filters["category"])
    if "flag" in asked.filters:
        query = query.where(urgency_clause(due_next, Urgency(asked.filters["flag"]), today, calendar))
    results = paginate(query.order_by(due_next, Complaint.closed_on.desc(), Complaint.id), asked)
    flags = {c.id: urgency(c.due, today, calendar) for c in results.items}
    return (
        render_template(
            "workspace/complaints/index.html",
            results=results,
            asked=asked,
            flags=flags,
            flag_choices=[(f.value, f.label) for f in FLAGS],
            is_officer=_is_officer(user),
        ),
        asked.status,
    )


# --- one complaint -----------------------------------------------------------------------------------------------


def _complaint(complaint_id: int, *, lock: bool = False) -> Complaint:
    """The complaint, if the signed-in user may see it: staff all; officers only those transferred to their agency
    (anything else is 404, as if it did not exist)."""
    complaint = get_or_404(Complaint, complaint_id, lock=lock)
    user = current()
    if _is_officer(user) and (complaint.agency_id != user.agency_id or complaint.status not in OFFICER_STATUSES):
        abort(404)
    return complaint


def _agencies() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.region_code, Agency.name))
    return [(agency_id, name) for agency_id, name in rows]


def _page(
    complaint: Complaint,
    forms: dict[str, OnceForm] | None = None,
    *,
    revealed: bool = False,
    conflict: str | None = None,
) -> str:
    """The complaint's page: staff see the complainant (masked unless revealed) and the step forms; officers see
    what they need to answer, and the answer form."""
    user = current()
    today = clock.today()
    calendar = work_calendar(today)
    days = current_app.config["PORTAL_SETTINGS"].deadline_days
    officer = _is_officer(user)
    shown: dict[str, Any] = dict(forms or {})
    closed = complaint.status is ComplaintStatus.CLOSED
    if officer:
        shown.setdefault("answer_form", AgencyAnswerForm(formdata=None))
    else:
        shown.setdefault("accept_form", AcceptForm(formdata=None))
        shown.setdefault("refuse_form", RefuseForm(formdata=None))
        shown.setdefault("close_form", CloseForm(formdata=None))
        if "transfer_form" not in shown:
            transfer_form = TransferForm(formdata=None, data={"agency": str(complaint.agency_id or "")})
            shown["transfer_form"] = transfer_form
        shown["transfer_form"].set_agencies(_agencies())
        shown.setdefault("link_form", LinkRecordForm(formdata=None))
        shown.setdefault("return_form", ReturnForm(formdata=None))
        if "publish_form" not in shown:
            shown["publish_form"] = PublishForm(formdata=None, data={"public_answer": _public_draft(complaint)})
    may_publish = not officer and closed and complaint.publish_consent
    return render_template(
        "workspace/complaints/show.html",
        complaint=complaint,
        is_officer=officer,
        contact=None
        if officer
        else shown_contact(complaint.name, complaint.phone, complaint.email, complaint.uscc, revealed=revealed),
        revealed=revealed,
        reveal_form=None if officer else RevealForm(formdata=None),
        flag=urgency(complaint.due, today, work_calendar(today)),
        conflict=conflict,
        may_make_record=not officer and complaint.status in SUBSTANTIATED and complaint.record_id is None,
        may_return=not officer
        and may_return(
            complaint.status, complaint.rating, complaint.rated_on, complaint.returned_on, today, calendar, days
        ),
        return_until=return_until(complaint.rated_on, calendar, days) if complaint.rated_on else None,
        may_publish=may_publish,
        findings=personal_data_in(complaint, shown["publish_form"].public_answer.data or "") if may_publish else [],
        suggested_kind=RECORD_KINDS[complaint.category],
        kinds=Kind.choices(),
        **shown,
    )


def _public_draft(complaint: Complaint) -> str:
    """What the public version starts from: the published text, or the answer with personal data taken out (so
    never the internal answer verbatim when it named anyone; staff read and edit it either way)."""
    if complaint.published:
        return complaint.public_answer
    placeholders = {kind: _(text) for kind, text in PLACEHOLDERS.items()}
    return redacted_answer(complaint, placeholders)


@bp.get("/<id:complaint_id>")
@signed_in()
def show(complaint_id: int) -> str:
    return _page(_complaint(complaint_id))


@bp.post("/<id:complaint_id>/reveal")
@signed_in(*STAFF_ROLES)
def reveal(complaint_id: int) -> tuple[str, int]:
    """ "显示联系方式": the page once more, with the complainant's name and contact unmasked; audited."""
    complaint = _complaint(complaint_id)
    if not RevealForm().validate():
        abort(400)
    reveal_contact(complaint, by=current())
    commit()
    return _page(complaint, revealed=True), 200


@bp.get("/<id:complaint_id>/files/<sha256>")
@signed_in()
def attachment(complaint_id: int, sha256: str) -> Response:
    """An attachment: staff, or officers of the agency the complaint was transferred to; anyone else 404."""
    complaint = _complaint(complaint_id)
    return download_listed(complaint.attachments, sha256)


# --- the steps -----------------------------------------------------------------------------------------------------


def _take_step(
    complaint_id: int,
    form: OnceForm,
    name: str,
    to: ComplaintStatus,
    act: Callable[[Complaint], Any],
    message: Callable[[Complaint], str],
) -> Response | tuple[str, int]:
    """One step posted: the row locked (two people at once: the second waits, then is refused with 409), the same
    form posted twice sent to the result, a step no longer possible 409 (before any field error: its form is no
    longer on the page), field errors 400, then the operation and the one commit."""
    complaint = _complaint(complaint_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if to not in TRANSITIONS[complaint.status]:
        return _page(complaint, conflict=_("该投诉当前状态下不能进行此操作（可能已被他人处理），请刷新页面。")), 409
    if not form.validate():
        return _page(complaint, {name: form}), 400
    try:
        with db.session.begin_nested():  # a refused step leaves nothing of its partial work
            act(complaint)
    except NotAllowedError as refused:
        return _page(complaint, conflict=str(refused.message)), 409
    except RefusedError as refused:
        status = show_refusal(form, refused)  # beside its field
        return _page(complaint, {name: form}), status
    url = url_for(".show", complaint_id=complaint.id)
    return form.finish(url, message(complaint))


@bp.post("/<id:complaint_id>/accept")
@signed_in(*STAFF_ROLES)
def accept_step(complaint_id: int) -> Response | tuple[str, int]:
    return _take_step(
        complaint_id,
        AcceptForm(),
        "accept_form",
        ComplaintStatus.ACCEPTED,
        lambda c: accept(c, clock.today(), by=current()),
        lambda c: _("已受理投诉 %(number)s。", number=c.number),
    )


@bp.post("/<id:complaint_id>/refuse")
@signed_in(*STAFF_ROLES)
def refuse_step(complaint_id: int) -> Response | tuple[str, int]:
    form = RefuseForm()
    return _take_step(
        complaint_id,
        form,
        "refuse_form",
        ComplaintStatus.NOT_ACCEPTED,
        lambda c: refuse(c, form.refusal_reason(), clock.today(), by=current(), note=form.refuse_note.data or ""),
        lambda c: _("投诉 %(number)s 不予受理，投诉人查询进度时会看到理由。", number=c.number),
    )


@bp.post("/<id:complaint_id>/transfer")
@signed_in(*STAFF_ROLES)
def transfer_step(complaint_id: int) -> Response | tuple[str, int]:
    form = TransferForm()
    form.set_agencies(_agencies())

    def act(complaint: Complaint) -> None:
        agency = db.session.get(Agency, form.agency_id())
        if agency is None:  # removed since the list was read
            raise NotAllowedError(_("所选单位不存在，请重新选择。"))
        transfer(complaint, agency, clock.today(), by=current(), note=form.transfer_note.data or "")

    return _take_step(
        complaint_id,
        form,
        "transfer_form",
        ComplaintStatus.TRANSFERRED,
        act,
        lambda c: _("投诉 %(number)s 已转办给 %(agency)s。", number=c.number, agency=c.agency_label),
    )


@bp.post("/<id:complaint_id>/answer")
@signed_in(Role.OFFICER)
def answer_step(complaint_id: int) -> Response | tuple[str, int]:
    form = AgencyAnswerForm()
    return _take_step(
        complaint_id,
        form,
        "answer_form",
        ComplaintStatus.ANSWERED,
        lambda c: agency_answers(c, form.agency_answer.data or "", clock.today(), by=current()),
        lambda c: _("已反馈投诉 %(number)s，信用办将据此答复投诉人。", number=c.number),
    )


@bp.post("/<id:complaint_id>/close")
@signed_in(*STAFF_ROLES)
def close_step(complaint_id: int) -> Response | tuple[str, int]:
    form = CloseForm()
    return _take_step(
        complaint_id,
        form,
        "close_form",
        ComplaintStatus.CLOSED,
        lambda c: close(c, form.answer.data or "", clock.today(), by=current()),
        lambda c: _("投诉 %(number)s 已办结，投诉人查询进度时会看到答复。", number=c.number),
    )


@bp.post("/<id:complaint_id>/return")
@signed_in(*STAFF_ROLES)
def return_step(complaint_id: int) -> Response | tuple[str, int]:
    """退回重办 after a 不满意 rating (once, within the period): the case goes back to the agency."""
    form = ReturnForm()
    today = clock.today()
    days = current_app.config["PORTAL_SETTINGS"].deadline_days
    return _take_step(
        complaint_id,
        form,
        "return_form",
        ComplaintStatus.TRANSFERRED,
        lambda c: return_to_agency(
            c, today, work_calendar(today), days, by=current(), note=form.return_note.data or ""
        ),
        lambda c: _("投诉 %(number)s 已退回 %(agency)s 重新办理。", number=c.number, agency=c.agency_label),
    )


@bp.post("/<id:complaint_id>/publish")
@signed_in(*STAFF_ROLES)
def publish_step(complaint_id: int) -> Response | tuple[str, int]:
    """The public version of the answer published (or replaced), once nothing in it looks like personal data."""
    complaint = _complaint(complaint_id, lock=True)
    form = PublishForm()
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _page(complaint, {"publish_form": form}), 400
    try:
        with db.session.begin_nested():
            publish_answer(complaint, form.public_answer.data or "", by=current())
    except NotAllowedError as refused:
        return _page(complaint, conflict=str(refused.message)), refused.status
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _page(complaint, {"publish_form": form}), status
    url = url_for(".show", complaint_id=complaint.id)
    return form.finish(url, _("投诉 %(number)s 的答复已公开。", number=complaint.number))


# --- complaint → record ---------------------------------------------------------------------------------------------
# Creating a record from the complaint is the records' own form, prefilled (/workspace/records/new?complaint=<id>);
# linking the complaint to an existing record is this step.


@bp.post("/<id:complaint_id>/link")
@signed_in(*STAFF_ROLES)
def link_step(complaint_id: int) -> Response | tuple[str, int]:
    complaint = _complaint(complaint_id, lock=True)
    form = LinkRecordForm()
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _page(complaint, {"link_form": form}), 400
    record = db.session.get(Record, form.record_id())
    if record is None:
        form.record.errors = [_("没有编号为 %(id)s 的失信记录。", id=form.record.data)]
        return _page(complaint, {"link_form": form}), 400
    try:
        with db.session.begin_nested():
            link_record(complaint, record, by=current())
    except NotAllowedError as refused:
        return _page(complaint, conflict=str(refused.message)), refused.status
    except RefusedError as refused:
        status = show_refusal(form, refused)  # beside its field, before the page is drawn
        return _page(complaint, {"link_form": form}), status
    url = url_for(".show", complaint_id=complaint.id)
    return form.finish(url, _("投诉 %(number)s 已关联失信记录。", number=complaint.number))
