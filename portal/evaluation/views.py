"""The public evaluation: ranking tables for 乡镇（街道） and 部门, and the methodology page generated from the
formula."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
