"""Rectifications in the workspace. Staff set up a record's plan (整改方案), adjust it (kept as 调整记录), mark its
measures done and record the result directly; the agency's officers draft a plan for review, report progress and
report 履行完毕 with evidence for staff to confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import clock
from portal.core.uploads import EVIDENCE
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db
from portal.forms import checked_files, request_limit
from portal.menu import dashboard_figure
from portal.records.models import Record
from portal.rectifications.forms import (
    CompletionForm,
    OutcomeForm,
    PlanForm,
    ProgressForm,
    RevisionForm,
    StepDoneForm,
    given_date,
)
from portal.rectifications.operations import (
    create_plan,
    mark_step_done,
    record_outcome,
    report_completion,
    report_progress,
    revise_plan,
    submit_plan,
)
from portal.rectifications.queries import overdue_count
from portal.rectifications.rules import Outcome
from portal.review.queries import history
from portal.users.access import STAFF_ROLES, agency_item, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role
from portal.web import upload_limit

bp = Blueprint("rectifications_workspace", __name__, url_prefix="/workspace/records")


# Not linked to the ledger's 整改期限 items: this counts the public records whose rectification is overdue (the
# plan's deadline or a measure's), the ledger one item per deadline as of the daily job; the records list holds them.
@dashboard_figure(
    _l("逾期未整改的记录：%(n)d"),
    roles=frozenset({Role.STAFF, Role.ADMIN}),
    order=40,
    link="records_workspace.index",
)
def _overdue(user: User) -> int:
    return db.session.scalar(overdue_count(clock.today())) or 0


@dashboard_figure(
    _l("本单位逾期未整改的记录：%(n)d"), roles=frozenset({Role.OFFICER}), order=40, link="records_workspace.index"
)
def _own_overdue(user: User) -> int:
    return db.session.scalar(overdue_count(clock.today(), user.agency_id)) or 0


def _plan_page(template: str, record: Record, form: Any, status: int, **context: Any) -> tuple[str, int]:
    return render_template(template, record=record, form=form, today=clock.today(), **context), status


def _show_plan_refusal(form: PlanForm, refused: RefusedError, rows: list[int]) -> int:
    """Put a plan's problems beside their fields (a measure's beside its own row)."""
    for name, message in refused.problems.items():
        if name.startswith("steps-"):
            _, n, sub = name.split("-")
            row = form.steps[rows[int(n)]].form[sub]
            row.errors = [*row.errors, str(message)]
        elif name == "steps":
            form.steps[0].form.text.errors = [*form.steps[0].form.text.errors, str(message)]
        else:
            show_refusal(form, RefusedError(message, field=name or None))
    return refused.status


# --- the plan --------------------------------------------------------------------------------------------------


@bp.get("/<id:record_id>/plan")
@signed_in()
def plan(record_id: int) -> str:
    """The record's plan: its measures, adjustments and result; staff mark measures done here."""
    record = agency_item(Record, record_id)
    form = StepDoneForm()
    if record.rectification is not None:
        form.set_steps(record.rectification.steps)
    return _plan_page("workspace/rectifications/plan.html", record, form, 200, users=_actors(record))[0]


def _actors(record: Record) -> dict[int, str]:
    rect = record.rectification
    ids = {r.actor_id for r in rect.revisions if r.actor_id is not None} if rect else set()
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/<id:record_id>/plan/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new_plan(record_id: int) -> Response | tuple[str, int]:
    """Staff set up the plan: published at once."""
    record = get_or_404(Record, record_id)
    return _plan_step(record, create_plan, _("整改方案已建立并公示。"), mode="new")


@bp.route("/<id:record_id>/plan/draft", methods=["GET", "POST"])
@signed_in(Role.OFFICER)
def draft_plan(record_id: int) -> Response | tuple[str, int]:
    """The agency's officer drafts the plan and sends it to review."""
    record = agency_item(Record, record_id)
    message = _("整改方案已提交信用办审核。")
    return _plan_step(record, submit_plan, message, mode="draft", submissions=history(record_id=record.id))


def _plan_step(record: Record, take: Callable[..., object], message: str, **context: Any) -> Response | tuple[str, int]:
    """The plan form (the responsible unit prefilled with the agency's name) and its post: `take(record, plan, today,
    by=)` creates or submits the plan; a refusal goes beside its field (a measure's beside its own row)."""
    form = PlanForm()
    if not form.is_submitted():
        form.responsible_unit.data = record.agency.name
        return _plan_page("workspace/rectifications/plan_form.html", record, form, 200, **context)
    done = form.already_done()
    if done is not None:
        return done
    status = 400
    if form.validate() and not form.has_row_errors():
        new, rows = form.plan()
        try:
            take(record, new, clock.today(), by=current())
        except RefusedError as refused:
            status = _show_plan_refusal(form, refused, rows)
        else:
            return form.finish(url_for(".plan", record_id=record.id), message)
    return _plan_page("workspace/rectifications/plan_form.html", record, form, status, **context)


@bp.route("/<id:record_id>/plan/revise", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def revise(record_id: int) -> Response | tuple[str, int]:
    """Staff adjust a published plan, with a reason: shown publicly as 调整记录."""
    record = get_or_404(Record, record_id)
    rectification = record.rectification
    if rectification is None:
        return render_template("workspace/rectifications/no_plan.html", record=record), 404
    form = RevisionForm()
    if not form.is_submitted():
        form.fill(rectification.as_plan())
        return _plan_page("workspace/rectifications/plan_form.html", record, form, 200, mode="revise")
    done = form.already_done()
    if done is not None:
        return done
    status = 400
    if form.validate() and not form.has_row_errors():
        new, rows = form.plan()
        try:
            revise_plan(rectification, new, form.reason.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = _show_plan_refusal(form, refused, rows)
        else:
            return form.finish(url_for(".plan", record_id=record.id), _("整改方案已调整，调整记录已公示。"))
    return _plan_page("workspace/rectifications/plan_form.html", record, form, status, mode="revise")


@bp.post("/<id:record_id>/plan/steps")
@signed_in(*STAFF_ROLES)
def step_done(record_id: int) -> Response | tuple[str, int]:
    """Staff mark one measure 已完成, dated."""
    record = get_or_404(Record, record_id)
    rectification = record.rectification
    if rectification is None:
        return render_template("workspace/rectifications/no_plan.html", record=record), 404
    form = StepDoneForm()
    form.set_steps(rectification.steps)
    done = form.already_done()
    if done is not None:
        return done
    status = 400
    if form.validate():
        try:
            step_id = int(form.step.data or "")
        except ValueError:
            form.step.errors = [_("请选择完成的措施。")]
        else:
            try:
                mark_step_done(rectification, step_id, given_date(form.done_on), clock.today(), by=current())
            except RefusedError as refused:
                status = show_refusal(form, refused)
            else:
                return form.finish(url_for(".plan", record_id=record.id), _("措施已标记为已完成。"))
    return _plan_page("workspace/rectifications/plan.html", record, form, status, users=_actors(record))


# --- the result ------------------------------------------------------------------------------------------------


@bp.route("/<id:record_id>/outcome", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def outcome(record_id: int) -> Response | tuple[str, int]:
    """Staff record the result directly (with a reason); the record becomes 已履行."""
    record = get_or_404(Record, record_id)
    form = OutcomeForm()
    if not form.is_submitted():
        return _plan_page("workspace/rectifications/outcome.html", record, form, 200)
    done = form.already_done()
    if done is not None:
        return done
    status = 400
    if form.validate():
        try:
            record_outcome(
                record,
                Outcome(form.outcome.data),
                given_date(form.finished_on),
                form.basis.data or "",
                form.summary.data or "",
                clock.today(),
                reason=form.reason.data or "",
                by=current(),
            )
        except RefusedError as refused:
            status = show_refusal(form, refused)
        else:
            return form.finish(url_for(".plan", record_id=record.id), _("整改结果已登记，记录状态为已履行。"))
    return _plan_page("workspace/rectifications/outcome.html", record, form, status)


@bp.route("/<id:record_id>/completion", methods=["GET", "POST"])
@upload_limit(request_limit(EVIDENCE))
@signed_in(Role.OFFICER)
def completion(record_id: int) -> Response | tuple[str, int]:
    """The officer reports 履行完毕 with evidence; staff confirm it in the review queue."""
    record = agency_item(Record, record_id)
    form = CompletionForm()
    context = {"submissions": history(record_id=record.id)}
    if not form.is_submitted():
        return _plan_page("workspace/rectifications/completion.html", record, form, 200, **context)
    done = form.already_done()
    if done is not None:
        return done
    fields_ok = form.validate()
    checked, status = checked_files(form.evidence, EVIDENCE)
    if fields_ok and not form.evidence.errors:
        try:
            report_completion(
                record,
                given_date(form.finished_on),
                form.basis.data or "",
                form.summary.data or "",
                checked,
                current_app.config["PORTAL_SETTINGS"].files_dir,
                clock.today(),
                by=current(),
            )
        except RefusedError as refused:
            status = show_refusal(form, refused)
        else:
            url = url_for(".completion", record_id=record.id)
            return form.finish(url, _("履行完毕的报告已提交信用办确认。"))
    status = status if status != 200 else 400
    return _plan_page("workspace/rectifications/completion.html", record, form, status, **context)


# --- progress --------------------------------------------------------------------------------------------------


@bp.route("/<id:record_id>/progress", methods=["GET", "POST"])
@upload_limit(request_limit(EVIDENCE))
@signed_in(Role.OFFICER)
def progress(record_id: int) -> Response | tuple[str, int]:
    record = agency_item(Record, record_id)
    form = ProgressForm()
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        fields_ok = form.validate()
        checked, status = checked_files(form.evidence, EVIDENCE)
        if fields_ok and not form.evidence.errors:
            try:
                report_progress(
                    record,
                    form.entry_date.data,
                    (form.text.data or "").strip(),
                    checked,
                    current_app.config["PORTAL_SETTINGS"].files_dir,
                    clock.today(),
                    by=current(),
                )
            except NotAllowedError as refused:
                form.form_errors.append(str(refused.message))
                status = 409
            else:
                url = url_for(".progress", record_id=record.id)
                return form.finish(url, _("整改进展已提交信用办审核。"))
        status = status if status != 200 else 400
    return (
        render_template(
            "workspace/rectifications/progress.html", record=record, form=form, submissions=history(record_id=record.id)
        ),
        status,
    )
