"""The signed-in side of records: staff enter, correct and stop records; officers see their agency's."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("records_workspace", __name__, url_prefix="/workspace/records")
