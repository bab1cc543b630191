from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, send_file
from flask import request as http_request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.commitments.queries import FILTERS, public_commitments
from portal.commitments.rules import is_commitment_code
from portal.extensions import db
from portal.listing import paginate, parse_list_query

bp = Blueprint("commitments", __name__, url_prefix="/commitments")


@bp.get("/")
def index() -> tuple[str, int]:
    asked = parse_list_query(http_request.args, FILTERS)
    results = paginate(public_commitments(asked.filters), asked)
    agencies = db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.name)).all()
    return render_template("commitments/index.html", results=results, asked=asked, agencies=agencies), asked.status


def _public_commitment(code: str) -> Commitment:
    if not is_commitment_code(code):
        abort(404)
    commitment = db.session.scalar(
        select(Commitment)
        .where(Commitment.code == code)
        .options(selectinload(Commitment.fulfilment_history), joinedload(Commitment.letter))
    )
    if commitment is None or not commitment.is_public:
        abort(404)
    return commitment


@bp.get("/<code>")
def detail(code: str) -> str:
    return render_template("commitments/detail.html", commitment=_public_commitment(code))


@bp.get("/<code>/letter.pdf")
def letter(code: str) -> Response:
    commitment = _public_commitment(code)
    if commitment.letter is None:
        abort(404)
    path = commitment.letter.path_in(current_app.config["PORTAL_SETTINGS"].files_dir)
    if not path.is_file():
        abort(404)
    # An agency's upload, served as a download (issue 19): a PDF reader may run what a PDF carries, and a browser
    # showing it inline would do so in this site's origin (a PDF viewer refuses a sandboxed document instead).
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{commitment.code}.pdf",
        conditional=True,
        etag=commitment.letter.sha256,
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
