"""The credit office's evaluation: score a month, and the yearly 考核 sheet (HTML and XLSX)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluation_workspace", __name__, url_prefix="/workspace/evaluation")
