from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask import request as http_request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.agencies.models import Agency
from portal.core.periods import Severity
from portal.extensions import db
from portal.listing import choice, paginate, parse_filters, region_param, uscc_param, year
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.queries import public_records
from portal.records.rules import SHOWN_STATUSES
from portal.rectifications.models import Rectification

bp = Blueprint("records", __name__, url_prefix="/records")


FILTERS = {
    "kind": choice(KINDS),
    "status": choice(s.value for s in SHOWN_STATUSES),
    "severity": choice(s.value for s in Severity),
    "agency": uscc_param,
    "region": region_param,
    "year": year,
}


@bp.get("/")
def index() -> str:
    filters, page = parse_filters(http_request.args, FILTERS)
    today = clock.today()
    results = paginate(public_records(today, filters), page)
    agency = db.session.scalar(select(Agency).where(Agency.uscc == filters["agency"])) if "agency" in filters else None
    agencies = db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.name)).all()
    return render_template(
        "records/index.html", results=results, filters=filters, agency=agency, agencies=agencies, kinds=KINDS
    )


@bp.get("/<int(max=2147483647):record_id>")  # larger ids cannot exist: 404, not a database error
def detail(record_id: int) -> tuple[str, int]:
    record = db.session.scalar(
        select(Record)
        .where(Record.id == record_id)
        .options(
            selectinload(Record.rectification).selectinload(Rectification.progress),
            selectinload(Record.rectification).selectinload(Rectification.measures_applied),
        )
    )
    if record is None:
        abort(404)
    today = clock.today()
    notice = record.stop_notice(today)
    if notice is not None:
        return render_template("records/stopped.html", record=record, notice=notice), 410
    return render_template("records/detail.html", record=record, today=today), 200
