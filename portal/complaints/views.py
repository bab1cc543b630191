"""Complaints, the public side: the form (no account, no JavaScript), the receipt, the status page that needs the
number and the secret, and the closed complaints published anonymised (category, agency, dates, answer)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.complaints.models import Complaint
from portal.complaints.operations import Receipt, file_complaint, rate
from portal.complaints.public_forms import ATTACHMENTS, ComplaintForm, RatingForm, StatusForm
from portal.complaints.queries import published_complaints
from portal.complaints.rules import FilerType, may_rate
from portal.db import commit
from portal.errors import NotAllowedError
from portal.extensions import db, limiter
from portal.files.responses import download_listed
from portal.forms import checked_files, choices, request_limit
from portal.listing import paginate, parse_list_query
from portal.mail.rules import linked_case
from portal.receipts.forms import LOOKUP_LIMIT, RECOVER_LIMIT, RECOVER_NUMBER_LIMIT, public_form_limit, recovered_number
from portal.receipts.operations import by_receipt, receipt_again, spend_keeping_receipt
from portal.receipts.views import recover_page
from portal.supervision.operations import work_calendar
from portal.web import upload_limit

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


@bp.get("/")
def index() -> tuple[str, int]:
    """Closed complaints whose complainant agreed, anonymised: no name, contact or attachment."""
    asked = parse_list_query(request.args, {})
    results = paginate(published_complaints(), asked)
    return render_template("complaints/index.html", results=results, asked=asked), asked.status


@bp.get("/<number>")
def published(number: str) -> tuple[str, int]:
    """One closed complaint published with consent, as the list shows it (search links here): 404 otherwise."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number[:30], Complaint.published))
    if complaint is None:
        abort(404)
    return render_template("complaints/published.html", complaint=complaint), 200


def _agency_choices(form: ComplaintForm) -> None:
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.region_code, Agency.name)).all()
    form.agency.choices = choices([("", _("（不在列表中，请在下面填写）")), *((str(i), n) for i, n in agencies)])


@bp.route("/new", methods=["GET", "POST"])
@upload_limit(request_limit(ATTACHMENTS))
@limiter.limit(public_form_limit, methods=["POST"])  # per address: a flood is refused with 429
def new() -> Response | tuple[str, int]:
    form = ComplaintForm()
    _agency_choices(form)
    if not form.is_submitted():
        return render_template("complaints/new.html", form=form), 200
    again = receipt_again(form, Complaint)
    if again is not None:  # the same form posted again within 10 minutes (a double click): the same receipt
        complaint, secret = again
        receipt = Receipt(complaint.number, secret)
        return render_template("complaints/receipt.html", complaint=complaint, receipt=receipt), 200
    done = form.already_done()
    if done is not None:
        flash(_("这份投诉已经提交过了，不会重复受理。请用回执上的编号和查询码查询进度。"), "info")
        return done
    fields_ok = form.validate()
    agency = _chosen_agency(form)
    attachments, status = checked_files(form.attachments, ATTACHMENTS)
    if not fields_ok or form.attachments.errors or form.agency.errors:
        return render_template("complaints/new.html", form=form), status if status != 200 else 400
    today = clock.today()
    settings = current_app.config["PORTAL_SETTINGS"]
    values = {
        "filer_type": form.filer_type.data,
        "name": form.name.data,
        "uscc": form.uscc.data if form.filer_type.data == FilerType.ENTERPRISE.value else "",
        "phone": form.phone.data,
        "email": form.email.data,
        "agency_id": agency.id if agency else None,
        "agency_typed": "" if agency else form.agency_typed.data,
        "category": form.category.data,
        "description": form.description.data,
        "amount_fen": form.amount.data,
        "publish_consent": form.publish_consent.data,
    }
    complaint, receipt = file_complaint(
        values,
        attachments,
        settings.files_dir,
        today,
        work_calendar(today),
        settings.deadline_days,
    )
    spend_keeping_receipt(form, url_for(".status", number=complaint.number), receipt.number, receipt.secret)
    commit()
    return render_template("complaints/receipt.html", complaint=complaint, receipt=receipt), 201


def _chosen_agency(form: ComplaintForm) -> Agency | None:
    value = (form.agency.data or "").strip()
    if not value:
        return None
    agency = db.session.get(Agency, int(value)) if value.isdigit() and len(value) < 10 else None
    if agency is None:
        form.agency.errors = [_("请从列表中选择被投诉单位")]
    return agency


def _receipt_complaint(form: StatusForm) -> Complaint | None:
    """The complaint if number and secret match; a wrong pair and an unknown number are the same None."""
    return by_receipt(Complaint, form.number.data or "", form.secret.data or "")


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(LOOKUP_LIMIT, methods=["POST"])
def status() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = StatusForm()
    if not form.is_submitted() and "t" in request.args:
        return _status_by_link(form)
    if not form.is_submitted():
        form.number.data = request.args.get("number", "")[:30]
        return render_template("complaints/status.html", form=form, complaint=None), 200
    if not form.validate():
        return render_template("complaints/status.html", form=form, complaint=None), 400
    complaint = _receipt_complaint(form)
    if complaint is None:
        form.form_errors.append(_("编号或查询码不正确。请核对回执后重试。"))
        return render_template("complaints/status.html", form=form, complaint=None), 404
    rating_form = _rating_form(complaint, number=form.number.data or "", secret=form.secret.data or "")
    return render_template("complaints/status.html", form=form, complaint=complaint, rating_form=rating_form), 200


PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _rating_form(complaint: Complaint, *, number: str = "", secret: str = "", t: str = "") -> RatingForm | None:
    """The rating form, carrying what opened the status page, while the complainant may still rate."""
    if not may_rate(complaint.status, complaint.rating):
        return None
    return RatingForm(formdata=None, data={"number": number, "secret": secret, "t": t})


@bp.post("/status/rate")
@limiter.limit(LOOKUP_LIMIT)
def rate_answer() -> tuple[str, int, dict[str, str]]:
    """The complainant rates the answer (issue 18), proving it as the status page did: the receipt posted again,
    or the signed link's token. Answered with the status page again; a second rating is refused (409)."""
    form = RatingForm()
    complaint = None
    if form.t.data:
        number, _status = linked_case(current_app.config["SECRET_KEY"], form.t.data, "complaint", clock.today())
        complaint = db.session.scalar(select(Complaint).where(Complaint.number == number)) if number else None
    elif form.number.data and form.secret.data:
        complaint = by_receipt(Complaint, form.number.data, form.secret.data)
    if complaint is None:  # a token gone stale, or a receipt that does not match: start again from the look-up
        lookup = StatusForm(formdata=None)
        lookup.form_errors.append(_("无法确认您的身份，请用回执上的编号和查询码重新查询后再评价。"))
        return render_template("complaints/status.html", form=lookup, complaint=None), 403, PRIVATE
    status_form = (
        None
        if form.t.data
        else StatusForm(formdata=None, data={"number": form.number.data, "secret": form.secret.data})
    )
    if not form.validate():
        page = render_template("complaints/status.html", form=status_form, complaint=complaint, rating_form=form)
        return page, 400, PRIVATE
    try:
        with db.session.begin_nested():
            rate(complaint, form.satisfaction(), form.rating_comment.data or "", clock.today())
    except NotAllowedError as refused:
        page = render_template(
            "complaints/status.html", form=status_form, complaint=complaint, conflict=refused.message
        )
        return page, 409, PRIVATE
    commit()
    page = render_template("complaints/status.html", form=status_form, complaint=complaint, rated=True)
    return page, 200, PRIVATE


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit(RECOVER_LIMIT, methods=["POST"])
@limiter.limit(RECOVER_NUMBER_LIMIT, key_func=recovered_number, methods=["POST"])
def recover() -> tuple[str, int]:
    """A lost secret replaced by a new one, sent to the e-mail address on file (portal/receipts/views.py)."""
    return recover_page(Complaint, "complaint", "complaints.status")


def _status_by_link(form: StatusForm) -> tuple[str, int, dict[str, str]]:
    """The status page opened from the link in a message (issue 18, portal/mail): its signed token names the
    complaint and works for 30 days. It shows the status without the secret, and so without the attachments (those
    still need the receipt); it is never cached, and sends no referrer."""
    headers = PRIVATE
    number, status = linked_case(current_app.config["SECRET_KEY"], request.args["t"], "complaint", clock.today())
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number)) if number else None
    if complaint is None:
        form.form_errors.append(
            _("该链接已过期，请用回执上的编号和查询码查询。")
            if status == 410
            else _("该链接无效，请用回执上的编号和查询码查询。")
        )
        return render_template("complaints/status.html", form=form, complaint=None), status, headers
    rating_form = _rating_form(complaint, t=request.args["t"])
    page = render_template("complaints/status.html", form=None, complaint=complaint, rating_form=rating_form)
    return page, 200, headers


@bp.post("/status/files/<sha256>")
@limiter.limit(LOOKUP_LIMIT)
def attachment(sha256: str) -> Response:
    """The complainant's own attachment, for whoever holds the receipt (number and secret posted again)."""
    form = StatusForm()
    complaint = _receipt_complaint(form) if form.validate() else None
    return download_listed(complaint.attachments if complaint else None, sha256)
