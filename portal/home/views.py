from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal import clock
from portal.arrears.queries import arrears_money
from portal.commitments.models import Commitment
from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import listed_defaulter_count, public_records
from portal.rectifications.queries import public_outcomes

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
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
