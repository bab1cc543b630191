"""The public pages of the agencies: the list by region and kind, and each body's 政务诚信档案 (its commitments,
records, outcomes and published complaints). The blueprint keeps the name `agencies`, as its addresses do."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request, send_file
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import agency_or_404, shown_positive_items
from portal.archive.models import AgencyReport
from portal.archive.operations import issue_report
from portal.archive.queries import (
    NUMBER_INPUT_MOST,
    is_report_number,
    listed_agencies,
    normalise_number,
    report_by_number,
)
from portal.archive.rollup import rollup
from portal.arrears.queries import arrears_money
from portal.commitments.models import Commitment
from portal.complaints.models import Complaint
from portal.complaints.queries import published_complaints
from portal.db import commit
from portal.evaluation.queries import agency_evaluation
from portal.extensions import db
from portal.listing import choice, parse_list_query
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
def index() -> tuple[str, int]:
    """Every body by region and kind; `?listed=judgment_defaulter` narrows it to the bodies listed as 失信被执行人
    now (动态清零, 泰信用办〔2022〕12号 一): exactly those the home page's figure counts. Other parameters are
    ignored; a bad `listed` value is a 400 with its message."""
    today = clock.today()
    asked = parse_list_query({"listed": request.args.get("listed", "")}, {"listed": choice(["judgment_defaulter"])})
    query = listed_agencies(today, listed=bool(asked.filters.get("listed")))
    agencies = [] if asked.problems else db.session.scalars(query).all()  # a bad filter: its message, no list
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
    page = render_template("agencies/index.html", regions=regions, counts=counts, asked=asked, total=len(agencies))
    return page, asked.status


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
    complaints = db.session.scalars(published_complaints(agency.id).limit(50)).all()
    complaint_total = db.session.scalar(
        select(func.count()).where(Complaint.published, Complaint.agency_id == agency.id)
    )
    positive_items = db.session.scalars(shown_positive_items(agency.id)).all()  # 泰信用办〔2022〕12号 三(四)
    money = arrears_money(
        today, [agency.id]
    )  # 拖欠账款: owed and repaid, summed in SQL (沈政办发〔2018〕117号 二(三)1)
    evaluation = agency_evaluation(agency.id)  # 政务诚信评价 with "why this score" (泰信用办〔2022〕12号 二(六))
    return render_template(
        "agencies/profile.html",
        evaluation=evaluation,
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


# --- the agency credit report (政务诚信报告, 泰信用办〔2022〕12号 二(六)) and its check ------------------------------
# Public GETs, no account. Abuse is bounded by the design: a body has at most one report a day (the first request
# renders it, every later one serves the stored file), so rows and files grow by at most one per body and day
# whoever asks; the check page and the stored reports are reads.


def _report_file(report: AgencyReport, cache_control: str) -> Response:
    """The stored PDF, named by its number, with its SHA-256 as ETag (If-None-Match answers 304)."""
    path = report.pdf.path_in(current_app.config["PORTAL_SETTINGS"].files_dir)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype="application/pdf", download_name=f"{report.number}.pdf", conditional=True, etag=report.pdf_sha256
    )
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Robots-Tag"] = "noindex"  # a report is for whoever asked; search engines list the pages
    return response


def _seconds_to_midnight() -> int:
    """Until the next day in Asia/Shanghai, when the address starts to give the next day's report."""
    now = datetime.now(ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone))
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo)
    return max(0, int((midnight - now).total_seconds()))


@bp.get("/<uscc>/report.pdf")
def report_pdf(uscc: str) -> Response:
    """The body's credit report as of today: issued on the day's first request, the same file and number all day
    (泰信用办〔2022〕12号 二(六)); 404 for an unknown body."""
    agency = agency_or_404(uscc)
    settings = current_app.config["PORTAL_SETTINGS"]
    report = issue_report(agency, clock.today(), settings.files_dir)
    commit()
    # Cached for an hour at most and never past midnight (the next day's request gets the next day's report).
    return _report_file(report, f"public, max-age={min(3600, _seconds_to_midnight())}")


@bp.get("/reports/<number>.pdf")
def report_download(number: str) -> Response:
    """A confirmed report's stored PDF, by its number: the file as issued, never changed (cached for good)."""
    report = report_by_number(normalise_number(number))
    if report is None:
        abort(404)
    return _report_file(report, "public, max-age=31536000, immutable")


@bp.get("/report-check")
def report_check() -> tuple[str, int]:
    """Confirm a credit report by its number (one field, a GET form): the body, as-of day, issue time and the
    file's SHA-256 with the stored file; 400 beside the field for a malformed number, 404 for an unknown one."""
    raw = request.args.get("number")
    if raw is None:
        return render_template("archive/report_check.html", number="", report=None, problem=None), 200
    number = normalise_number(raw)
    if not number:
        return render_template("archive/report_check.html", number="", report=None, problem="missing"), 400
    if not is_report_number(number):
        shown = raw.strip()[:NUMBER_INPUT_MOST]
        return render_template("archive/report_check.html", number=shown, report=None, problem="malformed"), 400
    report = report_by_number(number)
    if report is None:
        return render_template("archive/report_check.html", number=number, report=None, problem="unknown"), 404
    issued = clock.local_time(report.issued_at).strftime("%Y-%m-%d %H:%M:%S")
    return (
        render_template("archive/report_check.html", number=number, report=report, problem=None, issued=issued),
        200,
    )
