"""Agency officers report rectification progress on their agency's records (to review)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rectifications_workspace", __name__, url_prefix="/workspace/records")
