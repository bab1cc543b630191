"""Joint measures in the workspace.

Staff apply measures to a record (`/workspace/records/<id>/measures`) and lift them; the implementing unit's
officers find the measures they must carry out (`/workspace/measures/`) and confirm each 已落实. An officer of any
other agency is told the measure does not exist (404)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.listing import choice, paginate, parse_list_query
from portal.measures.forms import ApplyMeasureForm, ConfirmMeasureForm, LiftMeasureForm
from portal.measures.models import JointMeasure
from portal.measures.operations import apply_measure, confirm_measure, lift_measure
from portal.measures.queries import count_waiting, listed, of_record
from portal.measures.rules import JointMeasureState, MeasureKind
from portal.menu import dashboard_figure, menu_link
from portal.records.models import Record
from portal.users.access import STAFF_ROLES, agency_item, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("measures_workspace", __name__, url_prefix="/workspace")

menu_link("measures_workspace.index", _l("联合惩戒"), roles=frozenset(Role), order=65)


@dashboard_figure(_l("本单位待落实的联合惩戒措施：%(n)d"), roles=frozenset({Role.OFFICER}), order=47)
def _waiting_for_my_unit(user: User) -> int:
    return count_waiting(user.agency_id) if user.agency_id is not None else 0


@dashboard_figure(_l("待实施单位确认落实的联合惩戒措施：%(n)d"), roles=frozenset(STAFF_ROLES), order=47)
def _waiting_for_units(user: User) -> int:
    return count_waiting()


FILTERS = {"state": choice(s.value for s in JointMeasureState)}


# --- the lists -----------------------------------------------------------------------------------------------------


@bp.get("/measures/")
@signed_in()
def index() -> tuple[str, int]:
    """Staff: every measure, those waiting for confirmation first. Officers: the measures their agency must carry
    out."""
    asked = parse_list_query(request.args, FILTERS)
    user = current()
    is_staff = user.role in STAFF_ROLES
    state = JointMeasureState(asked.filters["state"]) if "state" in asked.filters else None
    if is_staff:
        query = listed(state)
    elif user.agency_id is not None:
        query = listed(state, user.agency_id)
    else:
        abort(403)  # an officer bound to no agency carries out no measure
    results = paginate(query, asked)
    return render_template("workspace/measures/index.html", results=results, asked=asked, is_staff=is_staff), (
        asked.status
    )


# --- applying (staff, from the record) ---------------------------------------------------------------------------


def _agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.kind, Agency.name)))


@bp.route("/records/<id:record_id>/measures", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def record_measures(record_id: int) -> Response | tuple[str, int]:
    """A record's measures and the form to apply one: a field error 400, a record no longer shown 409."""
    today = clock.today()
    form = ApplyMeasureForm(applied_on=today)  # a post brings its own date (an empty one is missing)
    record = get_or_404(Record, record_id, lock=form.is_submitted())
    form.set_agencies([a for a in _agencies() if a.id != record.agency_id])
    if not form.is_submitted():
        return _record_page(record, form), 200
    done = form.already_done()
    if done is not None:
        return done
    if not record.is_public(today):
        form.form_errors.append(_("该记录已不在公示，不能再实施联合惩戒措施。"))
        return _record_page(record, form), 409
    if form.validate():
        implementing = db.session.get(Agency, int(form.implementing_agency.data))
        starts_on = form.applied_on.data
        assert implementing is not None  # one of the listed agencies
        assert starts_on is not None  # required: validated above
        try:
            with db.session.begin_nested():  # a refusal leaves no trace of its partial work
                measure = apply_measure(
                    record,
                    MeasureKind(form.kind.data),
                    implementing,
                    form.document_number.data or "",
                    starts_on,
                    form.basis.data or "",
                    form.note.data or "",
                    today,
                    by=current(),
                )
        except RefusedError as refused:
            status = show_refusal(form, refused)  # beside its field first, then the page shows it
            return _record_page(record, form), status
        url = url_for(".record_measures", record_id=record.id)
        return form.finish(url, _("已实施联合惩戒措施：%(kind)s。", kind=measure.kind.label))
    return _record_page(record, form), 400


def _record_page(record: Record, form: ApplyMeasureForm) -> str:
    return render_template(
        "workspace/measures/record.html",
        record=record,
        form=form,
        measures=of_record(record.id),
        shown=record.is_public(clock.today()),
    )


# --- one measure: reading it, confirming it (the implementing unit), lifting it (staff) ---------------------------


@bp.get("/measures/<id:measure_id>")
@signed_in()
def show(measure_id: int) -> str:
    measure = agency_item(JointMeasure, measure_id)  # officers: only their own unit's (else 404)
    return _show_page(measure, _fresh_confirm(), _fresh_lift())


@bp.post("/measures/<id:measure_id>/confirm")
@signed_in(Role.OFFICER)
def confirm(measure_id: int) -> Response | tuple[str, int]:
    """已落实, by an officer of the implementing unit: a date before the start or after today 400 beside the field,
    a measure lifted or already confirmed 409."""
    form = ConfirmMeasureForm()
    measure = agency_item(JointMeasure, measure_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if form.validate():
        try:
            with db.session.begin_nested():
                day = form.confirmed_on.data
                assert day is not None  # required: validated above
                confirm_measure(measure, day, form.confirm_note.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = show_refusal(form, refused)  # beside its field first, then the page shows it
            return _show_page(measure, form, _fresh_lift()), status
        url = url_for(".show", measure_id=measure.id)
        return form.finish(url, _("已确认落实：%(kind)s。", kind=measure.kind.label))
    if not measure.in_force or measure.confirmed_on is not None:
        return _show_page(measure, form, _fresh_lift()), 409
    return _show_page(measure, form, _fresh_lift()), 400


@bp.post("/measures/<id:measure_id>/lift")
@signed_in(*STAFF_ROLES)
def lift(measure_id: int) -> Response | tuple[str, int]:
    """Staff lift a measure: no reason, or a date before the start or after today, 400 beside the field; one
    already lifted 409."""
    form = LiftMeasureForm()
    measure = get_or_404(JointMeasure, measure_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if measure.lifted_on is not None:
        form.form_errors.append(_("该措施已于 %(day)s 解除。", day=measure.lifted_on.isoformat()))
        return _show_page(measure, _fresh_confirm(), form), 409
    if form.validate():
        try:
            with db.session.begin_nested():
                day = form.lifted_on.data
                assert day is not None  # required: validated above
                lift_measure(measure, day, form.lift_reason.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = show_refusal(form, refused)  # beside its field first, then the page shows it
            return _show_page(measure, _fresh_confirm(), form), status
        url = url_for(".show", measure_id=measure.id)
        return form.finish(url, _("已解除：%(kind)s。", kind=measure.kind.label))
    return _show_page(measure, _fresh_confirm(), form), 400


def _fresh_confirm() -> ConfirmMeasureForm:
    """The confirmation form as first shown (not the one posted to another step), dated today."""
    return ConfirmMeasureForm(formdata=None, confirmed_on=clock.today())


def _fresh_lift() -> LiftMeasureForm:
    return LiftMeasureForm(formdata=None, lifted_on=clock.today())


def _show_page(measure: JointMeasure, confirm_form: ConfirmMeasureForm, lift_form: LiftMeasureForm) -> str:
    user = current()
    today = clock.today()
    return render_template(
        "workspace/measures/show.html",
        measure=measure,
        confirm_form=confirm_form,
        lift_form=lift_form,
        is_staff=user.role in STAFF_ROLES,
        may_confirm=user.role is Role.OFFICER and measure.in_force and measure.confirmed_on is None,
        may_lift=user.role in STAFF_ROLES and measure.in_force,
        shown=measure.record.is_public(today),
    )
