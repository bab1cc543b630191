"""The credit office's review queue: what officers submitted, oldest first; each opens to its content and the
decision form. Evidence files are served only to staff and to the submitting agency's officers."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import clock
from portal.errors import NotAllowedError
from portal.extensions import db
from portal.files.responses import download_listed
from portal.listing import choice, paginate, parse_list_query
from portal.review.forms import DecisionForm
from portal.review.models import Submission
from portal.review.operations import decide
from portal.review.queries import queue as queue_query
from portal.review.rules import SubmissionKind, SubmissionStatus
from portal.workspace.access import STAFF_ROLES, check_agency, current, get_or_404, signed_in

bp = Blueprint("review", __name__, url_prefix="/workspace/review")

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


@bp.route("/<int:submission_id>", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def show(submission_id: int) -> Response | tuple[str, int]:
    form = DecisionForm()
    status = 200
    if form.is_submitted():
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
                except NotAllowedError as refused:
                    form.form_errors.append(str(refused.message))
                    status = 409 if submission.status is not SubmissionStatus.PENDING else 400
                    return _page(submission, form), status
                url = url_for(".show", submission_id=submission.id)
                return form.finish(url, _("已处理：%(decision)s。", decision=decision.label))
        status = 400
    else:
        submission = get_or_404(Submission, submission_id)
    return _page(submission, form), status


def _page(submission: Submission, form: DecisionForm) -> str:
    return render_template("workspace/review/show.html", submission=submission, form=form)


@bp.get("/<int:submission_id>/files/<sha256>")
@signed_in()
def file(submission_id: int, sha256: str) -> Response:
    """An evidence file of a submission: staff, or officers of the submitting agency; anyone else 404."""
    submission = get_or_404(Submission, submission_id)
    check_agency(submission.agency_id)
    return download_listed(submission.files, sha256)
