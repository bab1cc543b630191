"""The credit office's review queue: what officers submitted, oldest first; each opens to its content and the
decision form. Evidence files are served only to staff and to the submitting agency's officers."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from portal import clock
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.files.responses import download_listed
from portal.listing import choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.review.forms import DecisionForm
from portal.review.models import Submission
from portal.review.operations import decide
from portal.review.queries import queue as queue_query
from portal.review.rules import SubmissionKind, SubmissionStatus
from portal.users.access import STAFF_ROLES, check_agency, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("review_workspace", __name__, url_prefix="/workspace/review")

menu_link("review_workspace.queue", _l("审核队列"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=30)
_PENDING = select(func.count(Submission.id)).where(Submission.status == SubmissionStatus.PENDING)


@dashboard_figure(_l("待信用办审核：%(n)d"), roles=frozenset({Role.OFFICER}), order=20)
def _own_pending(user: User) -> int:
    return db.session.scalar(_PENDING.where(Submission.agency_id == user.agency_id)) or 0


@dashboard_figure(_l("审核队列中待处理：%(n)d"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=10)
def _pending(user: User) -> int:
    return db.session.scalar(_PENDING) or 0


FILTERS = {
    "status": choice(s.value for s in SubmissionStatus),
    "kind": choice(k.value for k in SubmissionKind),
}


@bp.get("/")
@signed_in(*STAFF_ROLES)
def queue() -> tuple[str, int]:
    asked = parse_list_query(request.args, FILTERS)
    status = SubmissionStatus(asked.filters.get("status", SubmissionStatus.PENDING.value))
    kind = SubmissionKind(asked.filters["kind"]) if "kind" in asked.filters else None
    results = paginate(queue_query(status, kind), asked)
    return render_template("workspace/review/queue.html", results=results, asked=asked, status=status), asked.status


@bp.get("/<id:submission_id>")
@signed_in(*STAFF_ROLES)
def show(submission_id: int) -> str:
    return _page(get_or_404(Submission, submission_id), DecisionForm())


@bp.post("/<id:submission_id>")
@signed_in(*STAFF_ROLES)
def decide_step(submission_id: int) -> Response | tuple[str, int]:
    """The decision (approve, return, reject): a missing reason beside its field (400), one decided meanwhile 409."""
    form = DecisionForm()
    submission = get_or_404(Submission, submission_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if form.validate():
        try:
            decision = SubmissionStatus(form.decision.data or "")
        except ValueError:
            form.decision.errors = [_("请选择审核结论。")]
        else:
            try:
                with db.session.begin_nested():  # a refused decision leaves no trace of its partial work
                    decide(submission, decision, form.reason.data or "", clock.today(), by=current())
            except RefusedError as refused:
                status = show_refusal(form, refused)  # a missing reason goes beside its field (400)
                if refused.field is None:  # decided meanwhile (409), or what it carries is refused (400)
                    status = 409 if submission.status is not SubmissionStatus.PENDING else 400
                return _page(submission, form), status
            url = url_for(".show", submission_id=submission.id)
            return form.finish(url, _("已处理：%(decision)s。", decision=decision.label))
    return _page(submission, form), 400


def _page(submission: Submission, form: DecisionForm) -> str:
    return render_template("workspace/review/show.html", submission=submission, form=form)


@bp.get("/<id:submission_id>/files/<sha256>")
@signed_in()
def file(submission_id: int, sha256: str) -> Response:
    """An evidence file of a submission: staff, or officers of the submitting agency; anyone else 404."""
    submission = get_or_404(Submission, submission_id)
    check_agency(submission.agency_id)
    return download_listed(submission.files, sha256)
