"""Agency officers' commitment letters: drafts, upload, submit for review, fulfilment."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("commitments_workspace", __name__, url_prefix="/workspace/commitments")
