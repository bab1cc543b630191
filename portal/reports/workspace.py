"""The credit office's bulletins: make the month's draft, edit its narrative, publish, add errata."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports_workspace", __name__, url_prefix="/workspace/reports")
