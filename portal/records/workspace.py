"""The signed-in side of records: staff enter, correct and stop records; officers see their agency's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.rules import AgencyStatus
from portal.complaints.models import Complaint
from portal.complaints.operations import link_record
from portal.complaints.rules import AMOUNT_FIELD, SUBSTANTIATED
from portal.core.periods import DisclosureWindow
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db
from portal.forms import OnceForm, choices
from portal.listing import choice, paginate, parse_list_query, uscc_param
from portal.menu import menu_link
from portal.records.forms import REQUIRED, PlainText, prefill, record_form
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.operations import RecordRefusedError, change_status, check_new_record, correct_record, create_record
from portal.records.rules import SHOWN_STATUSES, TRANSITIONS, RecordStatus
from portal.users.access import STAFF_ROLES, agency_item, check_agency, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("records_workspace", __name__, url_prefix="/workspace/records")

menu_link("records_workspace.index", _l("失信记录"), roles=frozenset(Role), order=20)

# The public record page lists corrections with their fields' labels (templates/records/detail.html).

FILTERS = {
    "kind": choice(KINDS),
    "status": choice(s.value for s in RecordStatus),
    "agency": uscc_param,
}
STOP_STATUSES = (RecordStatus.REPAIRED, RecordStatus.REVOKED, RecordStatus.EXPIRED)
PROGRESS_ENDPOINT = "rectifications_workspace.progress"


# --- reading -----------------------------------------------------------------------------------------------------


def _agencies(keep: int | None = None) -> list[Agency]:
    """The agencies a record may name: those in force (and the one a corrected record already names)."""
    in_force = or_(Agency.status == AgencyStatus.ACTIVE, Agency.id == keep)
    return list(db.session.scalars(select(Agency).where(in_force).order_by(Agency.region_code, Agency.name)))


@bp.get("/")
@signed_in()
def index() -> tuple[str, int]:
    asked = parse_list_query(request.args, FILTERS)
    user = current()
    query: Select[Any] = select(Record).options(joinedload(Record.agency))
    if user.role is Role.OFFICER:
        query = query.where(Record.agency_id == user.agency_id)
    for name in ("kind", "status"):
        if name in asked.filters:
            query = query.where(getattr(Record, name) == asked.filters[name])
    if "agency" in asked.filters:
        query = query.where(
            Record.agency_id == select(Agency.id).where(Agency.uscc == asked.filters["agency"]).scalar_subquery()
        )
    results = paginate(query.order_by(Record.publication_start.desc(), Record.id.desc()), asked)
    every_agency = select(Agency).order_by(Agency.region_code, Agency.name)  # closed ones' records are listed too
    agencies = list(db.session.scalars(every_agency)) if user.role is not Role.OFFICER else []
    return (
        render_template(
            "workspace/records/index.html", results=results, asked=asked, agencies=agencies, today=clock.today()
        ),
        asked.status,
    )


@bp.get("/<id:record_id>")
@signed_in()
def detail(record_id: int) -> str:
    record = db.session.scalar(select(Record).where(Record.id == record_id).options(selectinload(Record.corrections)))
    if record is None:
        abort(404)
    check_agency(record.agency_id)
    user = current()
    today = clock.today()
    return render_template(
        "workspace/records/detail.html",
        record=record,
        today=today,
        shown=record.stop_notice(today) is None,
        is_staff=user.role in STAFF_ROLES,
        stop_choices=_stop_choices(record),
        progress_link=(
            user.role is Role.OFFICER
            and record.rectification is not None
            and PROGRESS_ENDPOINT in current_app.view_functions
        ),
        users=_actors(record),
    )


def _actors(record: Record) -> dict[int, str]:
    """The display names of the staff who corrected the record (the workspace page names them)."""
    ids = {c.actor_id for c in record.corrections if c.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# --- entering a record -------------------------------------------------------------------------------------------


def _complaint_asked() -> Complaint | None:
    """The complaint named by ?complaint=<id>, to make the record from (404 for an unknown one, 409 for one that
    is not substantiated or already has its record)."""
    raw = request.args.get("complaint", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        abort(404)
    complaint = get_or_404(Complaint, int(raw))
    if complaint.status not in SUBSTANTIATED or complaint.record_id is not None:
        abort(409)
    return complaint


def _from_complaint(complaint: Complaint, kind: str) -> dict[str, Any]:
    """The form prefilled from a substantiated complaint (DESIGN.md "Complaint"): the agency complained about, the
    amount, the description as the summary. The complainant's name, phone, e-mail and USCC are never copied."""
    data: dict[str, Any] = {
        "agency": str(complaint.agency_id or ""),
        "title": f"{complaint.agency_label}{complaint.category.label}"[:200],
        "summary": complaint.description,
    }
    amount_field = AMOUNT_FIELD.get(kind)
    if amount_field and complaint.amount_fen is not None:
        data[amount_field] = complaint.amount_fen
    if kind == "arrears" and complaint.agency is not None:
        data["party_a"] = complaint.agency.name  # 甲方: the body that owes; 乙方 (the complainant) is left empty
    return data


@bp.route("/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new() -> Response | tuple[str, int]:
    kind = request.args.get("kind", "").strip()
    if not kind:
        return render_template("workspace/records/choose_kind.html", problem=None), 200
    if kind not in KINDS:
        return render_template("workspace/records/choose_kind.html", problem=_("不是可选的类别")), 400
    complaint = _complaint_asked()
    form_class = record_form(kind)
    prefilled = complaint is not None and request.method == "GET"
    form = form_class(data=_from_complaint(complaint, kind)) if prefilled and complaint else form_class()
    form.set_agencies(_agencies())
    today = clock.today()
    preview: DisclosureWindow | None = None
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        wants_preview = request.form.get("action") == "preview"
        status = 400
        if form.validate():
            try:
                if wants_preview:
                    preview, status = check_new_record(kind, form.values(), today), 200
                else:
                    with db.session.begin_nested():  # the record and its complaint's link, or neither
                        record = create_record(kind, form.values(), today, by=current())
                        if complaint is not None:
                            link_record(complaint, record, by=current())
                    url = url_for(".detail", record_id=record.id)
                    return form.finish(url, _("记录已保存并发布。"))
            except RecordRefusedError as refused:
                show_refusal(form, refused)
            except RefusedError as refused:  # the complaint's link: the agency is not the one complained about
                form.agency.errors = [*form.agency.errors, str(refused.message)]
                status = refused.status
    return (
        render_template(
            "workspace/records/edit.html",
            form=form,
            kind=KINDS[kind],
            record=None,
            preview=preview,
            complaint=complaint,
        ),
        status,
    )


# --- corrections -------------------------------------------------------------------------------------------------


def _refused(message: Any) -> tuple[str, int]:
    """409 with why (nothing was changed: the checks come before any change)."""
    return render_template("error.html", code=409, title=_("无法完成此操作"), message=message), 409


@bp.route("/<id:record_id>/correct", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def correct(record_id: int) -> Response | tuple[str, int]:
    record = agency_item(Record, record_id, lock=request.method == "POST")
    form_class = record_form(record.kind, correcting=True)
    form = form_class() if request.method == "POST" else form_class(data=prefill(record.as_values()))
    done = form.already_done() if form.is_submitted() else None
    if done is not None:
        return done
    today = clock.today()
    if record.stop_notice(today) is not None:
        return _refused(_("该记录已停止公示，不能更正。"))
    form.set_agencies(_agencies(keep=record.agency_id))
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                correction = correct_record(record, form.values(), form["reason"].data or "", today, current())
            except RecordRefusedError as refused:
                show_refusal(form, refused)
            except NotAllowedError as refused:
                return _refused(refused.message)
            else:
                url = url_for(".detail", record_id=record.id)
                if correction is None:
                    form.form_errors.append(_("没有任何字段被修改，未保存更正。"))
                else:
                    return form.finish(url, _("更正已保存，公开页面显示更正记录。"))
    return (
        render_template("workspace/records/edit.html", form=form, kind=record.record_kind, record=record, preview=None),
        status,
    )


# --- stopping publication ----------------------------------------------------------------------------------------


def _stop_choices(record: Record) -> list[RecordStatus]:
    """The stop reasons the transition table allows from the record's status (已修复 only from 已履行)."""
    allowed = TRANSITIONS[record.status]
    return [s for s in STOP_STATUSES if s in allowed]


class StopForm(OnceForm):
    outcome = RadioField(_l("停止公示的原因"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("理由"), validators=[REQUIRED, Length(max=5000), PlainText(True)], filters=[lambda v: v.strip() if v else v]
    )


@bp.route("/<id:record_id>/stop", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def stop(record_id: int) -> Response | tuple[str, int]:
    record = agency_item(Record, record_id, lock=request.method == "POST")
    form = StopForm()
    done = form.already_done() if form.is_submitted() else None
    if done is not None:  # this very form went through already (the record is stopped now): show what it did
        return done
    allowed = _stop_choices(record)
    if record.status not in SHOWN_STATUSES or not allowed:
        return _refused(_("该记录已停止公示。"))
    form.outcome.choices = choices((s.value, s.label) for s in allowed)
    status = 200
    if form.is_submitted():
        status = 400
        fields_ok = form.validate()
        if form.outcome.data not in {s.value for s in allowed}:
            form.outcome.errors = [_("请从列出的原因中选择一项。")]
        elif fields_ok:
            user = current()
            change_status(
                record,
                RecordStatus(form.outcome.data),
                clock.today(),
                reason=(form.reason.data or "").strip(),
                actor=user.username,
                by=user,
            )
            url = url_for(".detail", record_id=record.id)
            return form.finish(url, _("已停止公示。公开页面现在显示停止公示的说明。"))
    return render_template("workspace/records/stop.html", form=form, record=record), status
