"""Court cases against government bodies (涉政府案件) in the workspace, for staff and admins.

The credit office registers a suit as the court reports it (新信用发〔2018〕6号 二(一)), before any judgment; the case's
page then takes each next step by its own form — the hearing date, a 庭外信用调解 session (泰信用办〔2022〕12号
二(三)), the judgment or how the case closed, the performance of a lost case (新信用发〔2018〕6号 二(二)) and, in one
action, the 司法判决（败诉） record. It shows the case's ledger items (提醒函, 督办函, 履行期限 …) with their state, and
the letters about it. A refusal shows the page again with the message beside its field (400), or above the step's form
when the case's stage no longer allows it (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.queries import active_agencies
from portal.core.periods import Severity
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.forms import OnceForm
from portal.listing import choice, paginate, parse_list_query
from portal.menu import menu_link
from portal.supervision.forms.cases import (
    CaseForm,
    CaseRecordForm,
    FulfilmentForm,
    HearingForm,
    JudgmentForm,
    MediationForm,
)
from portal.supervision.models import CourtCase
from portal.supervision.operations import work_calendar
from portal.supervision.operations.cases import (
    make_record,
    open_steps,
    record_fulfilment,
    record_hearing,
    record_judgment,
    record_mediation,
    register_case,
    step_refusal,
)
from portal.supervision.queries.cases import defendants, ledger_items, letters, listed, open_item_counts
from portal.supervision.rules import CaseStage, Closing, MediationResult, item_state
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.rules import Role

bp = Blueprint("cases", __name__, url_prefix="/workspace/cases")

menu_link("cases.index", _l("涉政府案件"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=17)


def _agency_id(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        raise ValueError(_("应为单位编号"))
    return int(value)


FILTERS = {"stage": choice(s.value for s in CaseStage), "agency": _agency_id}


# --- the list ------------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in(*STAFF_ROLES)
def index() -> tuple[str, int]:
    """Every case, the latest filed first, with its open ledger items; filtered by stage and defendant."""
    asked = parse_list_query(request.args, FILTERS)
    stage = CaseStage(asked.filters["stage"]) if "stage" in asked.filters else None
    results = paginate(listed(stage, asked.filters.get("agency")), asked)
    counts = open_item_counts([case.id for case in results.items])
    agency_options = [(str(agency.id), agency.name) for agency in defendants()]
    return render_template(
        "workspace/supervision/cases/index.html",
        results=results,
        asked=asked,
        counts=counts,
        agency_options=agency_options,
    ), asked.status


# --- registering a suit (新信用发〔2018〕6号 二(一)) ------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new() -> Response | tuple[str, int]:
    """Register a suit: bad input, a reused 案号 or dates out of order 400 with the message beside the field."""
    today = clock.today()
    form = CaseForm(notified_on=today)  # a post brings its own date (an empty one means today)
    form.set_agencies(active_agencies())
    if not form.is_submitted():
        return render_template("workspace/supervision/cases/new.html", form=form), 200
    done = form.already_done()
    if done is not None:
        return done
    if form.validate():
        try:
            with db.session.begin_nested():  # a refusal leaves no trace of its partial work
                case = register_case(form.values(), today, by=current())
        except RefusedError as refused:
            status = show_refusal(form, refused)
            return render_template("workspace/supervision/cases/new.html", form=form), status
        url = url_for(".show", case_id=case.id)
        return form.finish(url, _("已登记涉政府案件 %(number)s。", number=case.case_number))
    return render_template("workspace/supervision/cases/new.html", form=form), 400


# --- one case and its steps ------------------------------------------------------------------------------------------

FORMS: dict[str, type[OnceForm]] = {
    "hearing": HearingForm,
    "mediation": MediationForm,
    "judgment": JudgmentForm,
    "fulfilment": FulfilmentForm,
    "record": CaseRecordForm,
}


def _fresh_forms(case: CourtCase) -> dict[str, OnceForm]:
    """Each step's form as first shown: dated today; the judgment form offers 调解或和解结案 when the last
    庭外信用调解 reached agreement (泰信用办〔2022〕12号 二(三))."""
    today = clock.today()
    agreed = bool(case.mediations) and case.mediations[-1].result is MediationResult.AGREED
    return {
        "hearing": HearingForm(formdata=None, hearing_on=case.hearing_on),
        "mediation": MediationForm(formdata=None, held_on=today),
        "judgment": JudgmentForm(formdata=None, judged_on=today, stage=CaseStage.SETTLED.value if agreed else ""),
        "fulfilment": FulfilmentForm(formdata=None, fulfilled_on=today),
        "record": CaseRecordForm(formdata=None, severity=Severity.GENERAL.value),
    }


def _show_page(case: CourtCase, forms: dict[str, OnceForm]) -> str:
    today = clock.today()
    calendar = work_calendar(today)
    items = ledger_items(case.id)
    endpoints = current_app.view_functions
    return render_template(
        "workspace/supervision/cases/show.html",
        case=case,
        forms=forms,
        steps=open_steps(case),
        items=[(item, item_state(item.due_on, item.closed_on, today, calendar)) for item in items],
        letters=letters(case.id),
        letter_closing=Closing.LETTER,
        has_ledger_show="ledger.show" in endpoints,
        has_letter_new="letters.new" in endpoints,
        has_letter_show="letters.show" in endpoints,
    )


@bp.get("/<id:case_id>")
@signed_in(*STAFF_ROLES)
def show(case_id: int) -> str:
    case = get_or_404(CourtCase, case_id)
    return _show_page(case, _fresh_forms(case))


Act = Callable[[CourtCase, Any], str]  # runs the step's operation with the form's data → the message to flash


def _step(case_id: int, step: str, act: Act) -> Response | tuple[str, int]:
    """One step posted: the case held (two people at once act one after the other), the form checked, the
    operation run; a refusal shows the page again with the form as posted and its errors."""
    form = FORMS[step]()
    case = get_or_404(CourtCase, case_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    forms = _fresh_forms(case)
    forms[step] = form
    not_now = step_refusal(case, step)  # the stage first: a step no longer open is 409 whatever was typed
    if not_now is not None:
        status = show_refusal(form, not_now)  # beside its field first, then the page shows it
        return _show_page(case, forms), status
    if not form.validate():
        return _show_page(case, forms), 400
    try:
        with db.session.begin_nested():  # a refusal leaves no trace of its partial work
            message = act(case, form)
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _show_page(case, forms), status
    return form.finish(url_for(".show", case_id=case.id), message)


@bp.post("/<id:case_id>/hearing")
@signed_in(*STAFF_ROLES)
def hearing(case_id: int) -> Response | tuple[str, int]:
    def act(case: CourtCase, form: HearingForm) -> str:
        assert form.hearing_on.data is not None  # required: validated
        record_hearing(case, form.hearing_on.data, clock.today(), by=current())
        return _("已登记开庭日期。")

    return _step(case_id, "hearing", act)


@bp.post("/<id:case_id>/mediation")
@signed_in(*STAFF_ROLES)
def mediation(case_id: int) -> Response | tuple[str, int]:
    """A 庭外信用调解 session (泰信用办〔2022〕12号 二(三))."""

    def act(case: CourtCase, form: MediationForm) -> str:
        assert form.held_on.data is not None  # required: validated
        session = record_mediation(
            case,
            form.held_on.data,
            form.mediator.data or "",
            MediationResult(form.result.data),
            form.mediation_note.data or "",
            clock.today(),
            by=current(),
        )
        return _("已登记庭外信用调解：%(result)s。", result=session.result.label)

    return _step(case_id, "mediation", act)


@bp.post("/<id:case_id>/judgment")
@signed_in(*STAFF_ROLES)
def judgment(case_id: int) -> Response | tuple[str, int]:
    """The judgment or how the case closed (新信用发〔2018〕6号 二(二)); only a pending case (else 409)."""

    def act(case: CourtCase, form: JudgmentForm) -> str:
        stage = CaseStage(form.stage.data)
        assert form.judged_on.data is not None  # required: validated
        record_judgment(
            case,
            stage,
            form.judged_on.data,
            form.judgment.data or "",
            form.performance_due.data,
            clock.today(),
            by=current(),
        )
        return _("已登记：%(stage)s。", stage=stage.label)

    return _step(case_id, "judgment", act)


@bp.post("/<id:case_id>/fulfilment")
@signed_in(*STAFF_ROLES)
def fulfilment(case_id: int) -> Response | tuple[str, int]:
    """A lost case fulfilled or settled after the judgment: the 履行期限 item closes with it."""

    def act(case: CourtCase, form: FulfilmentForm) -> str:
        assert form.fulfilled_on.data is not None  # required: validated
        record_fulfilment(case, form.fulfilled_on.data, form.fulfilment_note.data or "", clock.today(), by=current())
        return _("已登记履行完毕。")

    return _step(case_id, "fulfilment", act)


@bp.post("/<id:case_id>/record")
@signed_in(*STAFF_ROLES)
def record(case_id: int) -> Response | tuple[str, int]:
    """The lost case made a 司法判决（败诉） record, published at once; a second time 409."""

    def act(case: CourtCase, form: CaseRecordForm) -> str:
        made = make_record(case, clock.today(), by=current(), severity=Severity(form.severity.data))
        return _("已生成并发布失信记录：%(title)s。", title=made.title)

    return _step(case_id, "record", act)
