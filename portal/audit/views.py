"""The audit log, for staff and admins: filter by who, what and when. Read-only."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/workspace/audit")
