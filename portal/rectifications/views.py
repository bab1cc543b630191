from __future__ import annotations

from flask import Blueprint, render_template
from flask import request as http_request
from sqlalchemy import select

from portal import clock
from portal.agencies.models import Agency
from portal.extensions import db
from portal.listing import paginate, parse_list_query
from portal.rectifications.queries import FILTERS, public_outcomes

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.get("/")
def index() -> tuple[str, int]:
    """整改结果, filtered as the records list is: ?kind=, ?agency= (统一社会信用代码), ?result=."""
    asked = parse_list_query(http_request.args, FILTERS)
    results = paginate(public_outcomes(clock.today(), filters=asked.filters), asked)
    agencies = db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.name)).all()
    agency = next((a for a in agencies if a.uscc == asked.filters.get("agency")), None)
    return render_template(
        "outcomes/index.html", results=results, asked=asked, agency=agency, agencies=agencies
    ), asked.status
