"""Complaints: the public form, receipt and status page, and the anonymised published complaints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
