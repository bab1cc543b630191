"""The dashboard each signed-in role starts from, and the workspace navigation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from portal.commitments.models import Commitment
from portal.commitments.rules import EDITABLE_STATES
from portal.complaints.models import Complaint
from portal.complaints.rules import FINISHED, ComplaintStatus
from portal.extensions import db
from portal.objections.models import Objection
from portal.objections.rules import OPEN as OPEN_OBJECTIONS
from portal.repairs.models import RepairApplication
from portal.repairs.rules import RepairStatus
from portal.review.models import Submission
from portal.review.rules import SubmissionStatus
from portal.users.rules import Role
from portal.workspace.access import current, signed_in

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

# (endpoint, label, roles that see it); endpoints of features not installed are left out of the menu.
LINKS: tuple[tuple[str, Any, frozenset[Role]], ...] = (
    ("commitments_workspace.index", _l("本单位承诺书"), frozenset({Role.OFFICER})),
    ("records_workspace.index", _l("失信记录"), frozenset({Role.OFFICER, Role.STAFF, Role.ADMIN})),
    ("review.queue", _l("审核队列"), frozenset({Role.STAFF, Role.ADMIN})),
    ("complaints_workspace.index", _l("投诉"), frozenset({Role.OFFICER, Role.STAFF, Role.ADMIN})),
    ("objections.queue", _l("异议申诉"), frozenset({Role.STAFF, Role.ADMIN})),
    ("repairs.index", _l("信用修复"), frozenset({Role.OFFICER, Role.STAFF, Role.ADMIN})),
    ("audit.log", _l("审计日志"), frozenset({Role.STAFF, Role.ADMIN})),
    ("users_admin.index", _l("用户管理"), frozenset({Role.ADMIN})),
    ("users.account", _l("我的账号"), frozenset({Role.OFFICER, Role.STAFF, Role.ADMIN})),
)


def workspace_links() -> list[tuple[str, Any]]:
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    return [(e, label) for e, label, roles in LINKS if role in roles and e in current_app.view_functions]


@bp.get("/")
@signed_in()
def dashboard() -> str:
    user = current()
    pending = select(func.count(Submission.id)).where(Submission.status == SubmissionStatus.PENDING.value)
    figures: dict[str, int] = {}
    if user.role is Role.OFFICER:
        assert user.agency_id is not None
        figures["drafts"] = (
            db.session.scalar(
                select(func.count(Commitment.id)).where(
                    Commitment.agency_id == user.agency_id, Commitment.state.in_([s.value for s in EDITABLE_STATES])
                )
            )
            or 0
        )
        figures["pending"] = db.session.scalar(pending.where(Submission.agency_id == user.agency_id)) or 0
        figures["complaints"] = (
            db.session.scalar(
                select(func.count(Complaint.id)).where(
                    Complaint.agency_id == user.agency_id, Complaint.status == ComplaintStatus.TRANSFERRED.value
                )
            )
            or 0
        )
    else:
        figures["pending"] = db.session.scalar(pending) or 0
        figures["complaints"] = (
            db.session.scalar(
                select(func.count(Complaint.id)).where(Complaint.status.not_in([s.value for s in FINISHED]))
            )
            or 0
        )
        figures["objections"] = (
            db.session.scalar(
                select(func.count(Objection.id)).where(Objection.status.in_([s.value for s in OPEN_OBJECTIONS]))
            )
            or 0
        )
        figures["repairs"] = (
            db.session.scalar(
                select(func.count(RepairApplication.id)).where(RepairApplication.status == RepairStatus.SUBMITTED.value)
            )
            or 0
        )
    return render_template("workspace/dashboard.html", user=user, figures=figures)
