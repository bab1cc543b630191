"""Objections in the workspace: the credit office's queue (open first, due and overdue flagged), an objection's page
(the objector's contact masked until "show", which is audited; evidence for staff only), and one endpoint per
step: reveal the contact, accept, decide."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal import clock
from portal.core.deadlines import urgency
from portal.core.masking import shown_contact
from portal.db import commit
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db
from portal.files.responses import download_listed
from portal.listing import choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.objections.forms import AcceptForm, DecisionForm, RevealForm
from portal.objections.models import Objection
from portal.objections.operations import accept, decide, reveal_contact
from portal.objections.rules import OPEN, ObjectionStatus
from portal.records.models import Record
from portal.supervision.operations import work_calendar
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("objections_workspace", __name__, url_prefix="/workspace/objections")

menu_link("objections_workspace.queue", _l("异议申诉"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=50)


@dashboard_figure(
    _l("办理中的异议：%(n)d"),
    roles=frozenset({Role.STAFF, Role.ADMIN}),
    order=30,
    link="objections_workspace.queue",  # the open ones first
)
def _open_objections(user: User) -> int:
    return db.session.scalar(select(func.count(Objection.id)).where(Objection.status.in_(OPEN))) or 0


FILTERS = {"status": choice(s.value for s in ObjectionStatus)}


# --- the queue ---------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in(*STAFF_ROLES)
def queue() -> tuple[str, int]:
    asked = parse_list_query(request.args, FILTERS)
    query = select(Objection).options(joinedload(Objection.record).joinedload(Record.agency))
    if "status" in asked.filters:
        query = query.where(Objection.status == asked.filters["status"])
    open_first = case((Objection.status.in_([s.value for s in OPEN]), 0), else_=1)
    due = case(
        (Objection.status == ObjectionStatus.SUBMITTED.value, Objection.accept_due),
        (Objection.status == ObjectionStatus.ACCEPTED.value, Objection.verify_due),
        else_=None,
    )
    results = paginate(
        query.order_by(open_first, due, Objection.decided_on.desc(), Objection.id.desc()),
        asked,
    )
    today = clock.today()
    calendar = work_calendar(today)
    flags = {o.id: urgency(o.due, today, calendar) for o in results.items}
    return render_template("objections/queue.html", results=results, asked=asked, flags=flags), asked.status


# --- one objection -------------------------------------------------------------------------------------------------


def _page(
    objection: Objection,
    *,
    accept_form: AcceptForm | None = None,
    decision_form: DecisionForm | None = None,
    revealed: bool = False,
) -> str:
    today = clock.today()
    contact = shown_contact(objection.name, objection.phone, objection.email, revealed=revealed)
    return render_template(
        "objections/show.html",
        objection=objection,
        record=objection.record,
        contact=contact,
        revealed=revealed,
        reveal_form=RevealForm(formdata=None),
        accept_form=accept_form or AcceptForm(formdata=None),
        decision_form=decision_form or DecisionForm(formdata=None),
        flag=urgency(objection.due, today, work_calendar(today)),
        today=today,
        record_shown=objection.record.stop_notice(today) is None,
    )


@bp.get("/<id:objection_id>")
@signed_in(*STAFF_ROLES)
def show(objection_id: int) -> str:
    return _page(get_or_404(Objection, objection_id))


@bp.get("/<id:objection_id>/files/<sha256>")
@signed_in()
def file(objection_id: int, sha256: str) -> Response:
    """An evidence file: staff only (anyone else signed in gets 404, as if it did not exist)."""
    if current().role not in STAFF_ROLES:
        abort(404)
    objection = get_or_404(Objection, objection_id)
    return download_listed(objection.attachments, sha256)


# --- the steps -----------------------------------------------------------------------------------------------------


@bp.post("/<id:objection_id>/reveal")
@signed_in(*STAFF_ROLES)
def reveal(objection_id: int) -> tuple[str, int]:
    """ "显示完整联系方式": the page once more, with the objector's name and contact unmasked; audited."""
    objection = get_or_404(Objection, objection_id)
    if not RevealForm().validate():
        abort(400)
    reveal_contact(objection, by=current())
    commit()
    return _page(objection, revealed=True), 200


@bp.post("/<id:objection_id>/accept")
@signed_in(*STAFF_ROLES)
def accept_step(objection_id: int) -> Response | tuple[str, int]:
    """受理: the row locked (the second of two at once waits, then is refused with 409), the same form posted twice
    sent to the result, a form error 400."""
    form = AcceptForm()
    objection = get_or_404(Objection, objection_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _page(objection, accept_form=form), 400
    try:
        accept(objection, clock.today(), by=current())
    except NotAllowedError as refused:
        form.form_errors.append(str(refused.message))
        return _page(objection, accept_form=form), 409
    url = url_for(".show", objection_id=objection.id)
    return form.finish(url, _("已受理异议 %(number)s，请在核查期限内作出结论。", number=objection.number))


@bp.post("/<id:objection_id>/decide")
@signed_in(*STAFF_ROLES)
def decide_step(objection_id: int) -> Response | tuple[str, int]:
    """核查结论 (corrected, revoked or upheld, with the reason): a missing reason or outcome beside its field (400),
    an objection not (or no longer) waiting for it 409."""
    form = DecisionForm()
    objection = get_or_404(Objection, objection_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _page(objection, decision_form=form), 400
    outcome = form.decided()
    try:
        decide(objection, outcome, form.reason.data or "", clock.today(), by=current())
    except RefusedError as refused:
        status = show_refusal(form, refused)  # a missing reason goes beside its field (400)
        if refused.field is None:  # handled meanwhile (409), or the outcome is refused (400)
            status = 409 if objection.status is not ObjectionStatus.ACCEPTED else 400
        return _page(objection, decision_form=form), status
    url = url_for(".show", objection_id=objection.id)
    message = _("异议 %(number)s 已办结：%(outcome)s。", number=objection.number, outcome=outcome.label)
    return form.finish(url, message)
