"""Credit repair in the workspace: the officer's application and the staff's decision.

Officers apply for their own agency's records (`/workspace/records/<id>/repair`) and follow their applications;
the credit office works through the queue (`/workspace/repairs/`) and decides each one. Evidence and the signed
信用承诺书 are private files: staff and the applying agency's officers only; for anyone else they do not exist (404)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from portal import clock
from portal.core.deadlines import urgency
from portal.core.uploads import REPAIR_EVIDENCE, REPAIR_PLEDGE, CheckedFile
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db
from portal.files.responses import download_listed
from portal.forms import checked_files, request_limit
from portal.listing import choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.records.models import Record
from portal.repairs.forms import RepairDecisionForm, RepairForm
from portal.repairs.models import RepairApplication
from portal.repairs.operations import apply_for_repair, decide_repair, open_application, refusal_message
from portal.repairs.queries import of_agency, of_record, queue
from portal.repairs.rules import RepairStatus
from portal.supervision.operations import work_calendar
from portal.users.access import STAFF_ROLES, agency_item, current, signed_in
from portal.users.models import User
from portal.users.rules import Role
from portal.web import upload_limit

bp = Blueprint("repairs_workspace", __name__, url_prefix="/workspace")

menu_link("repairs_workspace.index", _l("信用修复"), roles=frozenset(Role), order=60)


@dashboard_figure(
    _l("待决定的信用修复申请：%(n)d"),
    roles=frozenset({Role.STAFF, Role.ADMIN}),
    order=40,
    link="repairs_workspace.index",
    link_args={"status": "submitted"},
)
def _undecided_repairs(user: User) -> int:
    query = select(func.count(RepairApplication.id)).where(RepairApplication.status == RepairStatus.SUBMITTED)
    return db.session.scalar(query) or 0


FILTERS = {"status": choice(s.value for s in RepairStatus)}


# --- the lists -----------------------------------------------------------------------------------------------------


@bp.get("/repairs/")
@signed_in()
def index() -> tuple[str, int]:
    """Staff and admins: the queue (waiting first, with due and overdue flags). Officers: their agency's
    applications."""
    asked = parse_list_query(request.args, FILTERS)
    user = current()
    is_staff = user.role in STAFF_ROLES
    if is_staff:
        status = RepairStatus(asked.filters["status"]) if "status" in asked.filters else None
        query = queue(status)
    elif user.agency_id is not None:
        query = of_agency(user.agency_id)
    else:
        abort(403)  # an officer bound to no agency has no applications to see
    results = paginate(query, asked)
    today = clock.today()
    calendar = work_calendar(today)
    flags = {a.id: urgency(a.due, today, calendar) for a in results.items}
    return (
        render_template("repairs/index.html", results=results, asked=asked, is_staff=is_staff, flags=flags),
        asked.status,
    )


# --- applying --------------------------------------------------------------------------------------------------------


def _checked_pledge(form: RepairForm) -> tuple[CheckedFile | None, int]:
    """Exactly one signed 信用承诺书: a readable, unencrypted PDF within REPAIR_PLEDGE (the reason goes beside the
    field, with the status to answer: 413 when too large, else 400)."""
    uploads = [f for f in request.files.getlist(form.pledge.name) if f.filename]
    if not uploads:
        form.pledge.errors = [_("请上传签章的信用承诺书（PDF）。")]
        return None, 400
    if len(uploads) > 1:
        form.pledge.errors = [_("只能上传一份信用承诺书。")]
        return None, 400
    checked, status = checked_files(form.pledge, REPAIR_PLEDGE)
    return (checked[0] if checked else None), status


@bp.route("/records/<id:record_id>/repair", methods=["GET", "POST"])
@upload_limit(request_limit(REPAIR_EVIDENCE, REPAIR_PLEDGE))
@signed_in(Role.OFFICER)
def apply(record_id: int) -> Response | tuple[str, int]:
    today = clock.today()
    form = RepairForm()
    record = agency_item(Record, record_id, lock=form.is_submitted())
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        if refusal_message(record, today) is not None or open_application(record.id) is not None:
            return _apply_page(record, form, today), 409  # the page says why, and from when it is allowed
        fields_ok = form.validate()
        evidence, evidence_status = checked_files(form.evidence, REPAIR_EVIDENCE)
        pledge, pledge_status = _checked_pledge(form)
        if fields_ok and pledge is not None and not form.evidence.errors:
            try:
                with db.session.begin_nested():  # a refusal leaves no trace of its partial work, nor any file
                    application = apply_for_repair(
                        record,
                        form.statement.data or "",
                        evidence,
                        pledge,
                        current_app.config["PORTAL_SETTINGS"].files_dir,
                        today,
                        by=current(),
                    )
            except NotAllowedError as refusal:
                form.form_errors.append(str(refusal.message))
                return _apply_page(record, form, today), 409
            url = url_for(".show", application_id=application.id)
            message = _("信用修复申请已提交。信用办将在 %(day)s 前作出决定。", day=application.decide_due.isoformat())
            return form.finish(url, message)
        status = 413 if 413 in (evidence_status, pledge_status) else 400
    return _apply_page(record, form, today), status


def _apply_page(record: Record, form: RepairForm, today: date) -> str:
    return render_template(
        "repairs/apply.html",
        record=record,
        form=form,
        refused=refusal_message(record, today),
        pending=open_application(record.id),
        applications=of_record(record.id),
        decide_days=current_app.config["PORTAL_SETTINGS"].deadline_days["repair_decide"],
    )


# --- one application: reading it, deciding it, its files -------------------------------------------------------------


@bp.get("/repairs/<id:application_id>")
@signed_in()
def show(application_id: int) -> str:
    """The application, its record and files; staff decide it here, the agency's officers read the outcome."""
    return _show_page(agency_item(RepairApplication, application_id), RepairDecisionForm())


@bp.post("/repairs/<id:application_id>")
@signed_in(*STAFF_ROLES)
def decide_step(application_id: int) -> Response | tuple[str, int]:
    """The decision (准予修复 / 不予修复, a reason for a refusal): one already made 409, a field error 400."""
    form = RepairDecisionForm()
    application = agency_item(RepairApplication, application_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not application.is_open:
        form.form_errors.append(_("这份申请已经作出决定，不能再次决定。"))
        return _show_page(application, form), 409
    if form.validate():
        try:
            decision = RepairStatus(form.decision.data or "")
            if decision is RepairStatus.SUBMITTED:
                raise ValueError(decision)
        except ValueError:
            form.decision.errors = [_("请选择准予修复或不予修复。")]
        else:
            try:
                with db.session.begin_nested():  # a refused decision leaves no trace of its partial work
                    decide_repair(application, decision, form.reason.data or "", clock.today(), by=current())
            except RefusedError as refused:
                status = show_refusal(form, refused)  # a rejection without a reason: beside the field (400); else 409
                return _show_page(application, form), status
            url = url_for(".show", application_id=application.id)
            return form.finish(url, _("已作出决定：%(decision)s。", decision=decision.label))
    return _show_page(application, form), 400


def _show_page(application: RepairApplication, form: RepairDecisionForm) -> str:
    user = current()
    today = clock.today()
    return render_template(
        "repairs/show.html",
        application=application,
        form=form,
        is_staff=user.role in STAFF_ROLES,
        flag=urgency(application.due, today, work_calendar(today)),
    )


@bp.get("/repairs/<id:application_id>/files/<sha256>")
@signed_in()
def file(application_id: int, sha256: str) -> Response:
    """An evidence file or the signed pledge of an application: staff, or officers of the applying agency."""
    application = agency_item(RepairApplication, application_id)
    pledge = {"sha256": application.pledge_sha256, "name": f"信用承诺书-{application.id}.pdf"}
    return download_listed([pledge, *application.evidence], sha256)
