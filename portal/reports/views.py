"""The monthly bulletin's public pages: /reports/, /reports/<YYYY-MM> (HTML and PDF) and its feeds."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
