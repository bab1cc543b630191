"""Supervision workspace: letters."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/workspace/letters")
