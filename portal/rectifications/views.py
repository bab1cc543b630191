from __future__ import annotations

from flask import Blueprint, render_template
from flask import request as http_request

from portal import clock
from portal.listing import paginate, parse_list_query
from portal.rectifications.queries import public_outcomes

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.get("/")
def index() -> tuple[str, int]:
    asked = parse_list_query(http_request.args, {})
    results = paginate(public_outcomes(clock.today()), asked)
    return render_template("outcomes/index.html", results=results, asked=asked), asked.status
