"""The public pages of the agencies: the list by region and kind, and each body's 政务诚信档案 (its commitments,
records, outcomes and published complaints). The blueprint keeps the name `agencies`, as its addresses do."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from flask import Blueprint, abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import agency_or_404, shown_positive_items
from portal.archive.rollup import rollup
from portal.arrears.queries import arrears_money
from portal.commitments.models import Commitment
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import public_records
from portal.rectifications.models import Rectification
from portal.rectifications.queries import public_outcomes

bp = Blueprint("agencies", __name__, url_prefix="/agencies")


def agency_options(agencies: Iterable[Agency]) -> list[tuple[str, str]]:
    """(统一社会信用代码, name) options of a list's agency filter."""
    return [(a.uscc, a.name) for a in agencies]


def region_options(agencies: Iterable[Agency]) -> list[tuple[str, str]]:
    """(行政区划代码, region name) options of a list's region filter."""
    return sorted({(a.region_code, a.region_name) for a in agencies})


@bp.app_context_processor
def _filter_options() -> dict[str, object]:
    return {"agency_options": agency_options, "region_options": region_options}


@bp.get("/")
def index() -> str:
    today = clock.today()
    agencies = db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.kind, Agency.name)).all()
    counts: dict[int, int] = {
        agency_id: n
        for agency_id, n in db.session.execute(
            select(Record.agency_id, func.count()).where(Record.public_clause(today)).group_by(Record.agency_id)
        )
    }
    regions = [
        (region, [(kind, list(by_kind)) for kind, by_kind in groupby(members, key=lambda a: a.kind)])
        for region, members in (
            (r, list(m)) for r, m in groupby(agencies, key=lambda a: (a.region_code, a.region_name))
        )
    ]
    return render_template("agencies/index.html", regions=regions, counts=counts)


@bp.get("/<uscc>")
def profile(uscc: str) -> str:
    agency = agency_or_404(uscc)
    today = clock.today()
    records = db.session.scalars(public_records(today, {"agency": agency.uscc}).limit(50)).all()
    record_total = db.session.scalar(
        select(func.count()).where(Record.public_clause(today), Record.agency_id == agency.id)
    )
    commitment_total = db.session.scalar(
        select(func.count()).where(Commitment.public_clause(), Commitment.agency_id == agency.id)
    )
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.public_clause(), Commitment.agency_id == agency.id)
        .options(joinedload(Commitment.letter))
        .order_by(Commitment.made_on.desc())
        .limit(50)
    ).all()
    outcomes = db.session.scalars(public_outcomes(today, agency.id).limit(50)).all()
    open_rectifications = db.session.scalar(
        select(func.count())
        .select_from(Rectification)
        .join(Rectification.record)
        .where(Record.agency_id == agency.id, Record.public_clause(today), Rectification.outcome.is_(None))
    )
    complaints = db.session.scalars(
        select(Complaint)
        .where(Complaint.published, Complaint.agency_id == agency.id)
        .order_by(Complaint.closed_on.desc(), Complaint.id.desc())
        .limit(50)
    ).all()
    complaint_total = db.session.scalar(
        select(func.count()).where(Complaint.published, Complaint.agency_id == agency.id)
    )
    positive_items = db.session.scalars(shown_positive_items(agency.id)).all()  # 泰信用办〔2022〕12号 三(四)
    money = arrears_money(
        today, [agency.id]
    )  # 拖欠账款: owed and repaid, summed in SQL (沈政办发〔2018〕117号 二(三)1)
    return render_template(
        "agencies/profile.html",
        money=money,
        positive_items=positive_items,
        rollup=rollup(agency, today),
        complaints=complaints,
        complaint_total=complaint_total,
        agency=agency,
        records=records,
        record_total=record_total,
        commitments=commitments,
        commitment_total=commitment_total,
        outcomes=outcomes,
        open_rectifications=open_rectifications,
    )


@bp.get("/<uscc>/report.pdf")
def report_pdf(uscc: str) -> Response:
    """The agency credit report (泰信用办〔2022〕12号 二(六)) — to be built."""
    abort(404)


@bp.get("/report-check")
def report_check() -> str:
    """Confirm a credit report by its number — to be built."""
    abort(404)
