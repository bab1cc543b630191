from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, render_template
from flask import request as http_request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.agencies.models import Agency
from portal.arrears.queries import money_case
from portal.extensions import db
from portal.listing import paginate, parse_list_query
from portal.measures.queries import of_record
from portal.records.models import Record
from portal.records.queries import AMOUNT_SORTED_KINDS, FILTERS, SORTS, amount_owed, public_records
from portal.rectifications.models import Rectification

bp = Blueprint("records", __name__, url_prefix="/records")


@bp.get("/")
def index() -> tuple[str, int]:
    asked = parse_list_query(http_request.args, {**FILTERS, **SORTS})
    if asked.filters.get("sort") == "amount" and asked.filters.get("kind") not in AMOUNT_SORTED_KINDS:
        asked = replace(
            asked, page=1, problems={**asked.problems, "sort": _("按金额排序须先选择类别“拖欠账款/合同违约”")}
        )
    query = public_records(clock.today(), asked.filters)
    results = paginate(query, asked)
    # the arrears list adds up what its records owe: the home page's 拖欠账款 figure links here
    owed = amount_owed(query) if asked.filters.get("kind") in AMOUNT_SORTED_KINDS and not asked.problems else None
    agencies = db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.name)).all()
    agency = next((a for a in agencies if a.uscc == asked.filters.get("agency")), None)
    return render_template(
        "records/index.html", results=results, asked=asked, agency=agency, agencies=agencies, owed=owed
    ), asked.status


@bp.get("/<id:record_id>")  # larger ids cannot exist: 404, not a database error
def detail(record_id: int) -> tuple[str, int]:
    record = db.session.scalar(
        select(Record)
        .where(Record.id == record_id)
        .options(
            selectinload(Record.rectification).selectinload(Rectification.progress),
            selectinload(Record.corrections),
        )
    )
    if record is None:
        abort(404)
    today = clock.today()
    if record.publication_start > today:  # not yet published: nothing to say about it
        abort(404)
    notice = record.stop_notice(today)
    if notice is not None:
        return render_template("records/stopped.html", record=record, notice=notice), 410
    measures = of_record(record.id)  # 联合惩戒: each applied, confirmed and lifted step a dated entry
    return (
        render_template("records/detail.html", record=record, today=today, measures=measures, money=money_case(record)),
        200,
    )
