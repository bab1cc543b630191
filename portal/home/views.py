from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal import clock
from portal.arrears.queries import arrears_money
from portal.commitments.models import Commitment
from portal.extensions import db
from portal.home import health
from portal.records.models import Record
from portal.records.queries import listed_defaulter_count, public_records
from portal.rectifications.queries import public_outcomes
from portal.search.operations import search_index

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    today = clock.today()
    return render_template(
        "home.html",
        latest_records=db.session.scalars(public_records(today).limit(8)).all(),
        latest_outcomes=db.session.scalars(public_outcomes(today).limit(5)).all(),
        defaulter_count=listed_defaulter_count(today),
        record_count=db.session.scalar(select(func.count()).where(Record.public_clause(today))),
        commitment_count=db.session.scalar(select(func.count()).where(Commitment.public_clause())),
        money=arrears_money(today),  # 拖欠账款 owed and repaid, summed in SQL (沈政办发〔2018〕117号 二(三)1)
    )


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Is the site up: the database answers. With ?deep=1 (for the operator's monitor, issue 19) also: the database
    takes a write, the search index opens, the files directory takes a file and the disks have room; 503 names the
    part that failed."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", failed=["database"]), 503
    if request.args.get("deep") != "1":
        return jsonify(status="ok", database="ok"), 200
    settings = current_app.config["PORTAL_SETTINGS"]
    index = search_index()
    problems = {
        "database": health.database_writable(),
        "search_index": health.index_opens(index),
        "files": health.directory_writable(settings.files_dir),
        "disk": health.disk_room([settings.files_dir, index.root]),
    }
    failed = [part for part, problem in problems.items() if problem is not None]
    answer = {part: problem or "ok" for part, problem in problems.items()}
    return jsonify(status="error" if failed else "ok", failed=failed, **answer), 503 if failed else 200
