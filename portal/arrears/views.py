"""The public side of arrears: no pages of its own (the record page, the agency profile and the home page show the
money), only the `wan` filter they use: an amount in 万元, exact to the fen."""

from __future__ import annotations

from flask import Blueprint

from portal.arrears.rules import format_wan

bp = Blueprint("arrears", __name__)


@bp.app_template_filter("wan")
def wan(fen: int | None) -> str:
    return format_wan(fen or 0)
