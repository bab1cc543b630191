"""Credit repair: the officer's application and the staff's decision."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("repairs", __name__)
