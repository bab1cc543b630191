"""Public statistics: server-rendered SVG charts, each with its data table."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("statistics", __name__, url_prefix="/statistics")
