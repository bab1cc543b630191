"""Objections: the public form on a record page, the receipt and status look-up (the staff's pages are in
workspace.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal import clock
from portal.core.deadlines import urgency
from portal.core.uploads import EVIDENCE
from portal.db import commit
from portal.errors import NotAllowedError
from portal.extensions import db, limiter
from portal.files.responses import download_listed
from portal.forms import checked_files, request_limit
from portal.mail.rules import linked_case
from portal.objections.forms import ObjectionForm, StatusForm
from portal.objections.models import Objection
from portal.objections.operations import Objector, Receipt, file_objection
from portal.receipts.forms import LOOKUP_LIMIT, RECOVER_LIMIT, RECOVER_NUMBER_LIMIT, public_form_limit, recovered_number
from portal.receipts.operations import by_receipt, receipt_again, spend_keeping_receipt
from portal.receipts.rules import normalise_number
from portal.receipts.views import recover_page
from portal.records.models import Record
from portal.supervision.operations import work_calendar
from portal.web import upload_limit

bp = Blueprint("objections", __name__)


@bp.errorhandler(413)
@bp.errorhandler(429)
def _refused(error: HTTPException) -> Response:
    """Too much at once: the messages of these forms (the site-wide ones speak of letters and logins)."""
    messages = {
        413: _(
            "提交的内容超过了大小限制（每个文件最大 %(mb)d MB）。未做任何更改，请减少或压缩文件后重新提交。",
            mb=EVIDENCE.max_mb,
        ),
        429: _("短时间内提交次数过多，请一小时后再试。"),
    }
    titles = {413: _("提交的内容太大"), 429: _("尝试次数过多")}
    code = error.code or 400
    response = error.get_response()
    response.set_data(render_template("error.html", code=code, title=titles[code], message=messages[code]))
    response.content_type = "text/html; charset=utf-8"
    return response


def _guard_errors_on_top(form: ObjectionForm | StatusForm) -> None:
    """The honeypot and the fill time are not fields a person sees: their messages go to the top of the form."""
    for hidden in (form.website, form.form_token):
        form.form_errors.extend(str(message) for message in hidden.errors)
        hidden.errors = []


# --- the public: filing ----------------------------------------------------------------------------------------


def _spent_number(form: ObjectionForm) -> str | None:
    """If this very form was posted before and went through, the number it was given."""
    url = form.spent_result()
    if url is None:
        return None
    return parse_qs(urlsplit(url).query).get("number", [""])[0] or None


@bp.route("/records/<id:record_id>/objection", methods=["GET", "POST"])
@upload_limit(request_limit(EVIDENCE))
@limiter.limit(public_form_limit, methods=["POST"])  # per address (PORTAL_PUBLIC_FORM_LIMIT)
def new(record_id: int) -> Response | tuple[str, int]:
    today = clock.today()
    record = db.session.get(Record, record_id)
    if record is None or not record.is_public(today):
        abort(404)
    form = ObjectionForm()
    status = 200
    if form.is_submitted():
        again = receipt_again(form, Objection)
        if again is not None:  # the same form posted again within 10 minutes (a double click): the same receipt
            objection, secret = again
            receipt = Receipt(objection.number, secret)
            page = render_template(
                "objections/receipt.html", record=objection.record, objection=objection, receipt=receipt
            )
            return page, 200
        number = _spent_number(form)
        if number is not None:  # posted twice, later: one objection, and its secret is no longer kept
            return render_template("objections/already_filed.html", record=record, number=number), 200
        fields_ok = form.validate()
        _guard_errors_on_top(form)
        checked, status = checked_files(form.evidence, EVIDENCE)
        if fields_ok and not form.evidence.errors:
            settings = current_app.config["PORTAL_SETTINGS"]
            try:
                objection, receipt = file_objection(
                    record,
                    form.objection_ground(),
                    form.explanation.data or "",
                    Objector(form.name.data or "", form.phone.data or "", form.email.data or ""),
                    checked,
                    settings.files_dir,
                    today,
                    work_calendar(today),
                    settings.deadline_days,
                )
            except NotAllowedError:
                abort(404)
            # a second post of this form finds the number, and for 10 minutes the receipt
            spend_keeping_receipt(form, url_for(".status", number=receipt.number), receipt.number, receipt.secret)
            commit()
            body = render_template("objections/receipt.html", record=record, objection=objection, receipt=receipt)
            return body, 201
        status = status if status != 200 else 400
    return render_template("objections/new.html", form=form, record=record), status


# --- the public: status look-up ----------------------------------------------------------------------------------


@bp.route("/objections/status", methods=["GET", "POST"])
@limiter.limit(LOOKUP_LIMIT, methods=["POST"])
def status() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    if request.method != "POST" and "t" in request.args:
        return _status_by_link()
    if request.method != "POST":
        asked = normalise_number(request.args.get("number", ""))[:20]
        form = StatusForm(data={"number": asked if asked.isprintable() else ""})
        return render_template("objections/status.html", form=form, objection=None), 200
    form = StatusForm()
    fields_ok = form.validate()
    _guard_errors_on_top(form)
    typed_secret = form.secret.data or ""
    form.secret.raw_data, form.secret.data = [], ""  # never sent back in a page
    if fields_ok:
        objection = by_receipt(Objection, form.number.data or "", typed_secret)
        if objection is not None:
            # the secret only for the objector's own downloads on this page (never cached)
            return _status_page(objection, StatusForm(formdata=None), typed_secret), 200
        # An unknown number and a wrong secret get the same answer, word for word.
        form.form_errors.append(_("异议编号或查询码不正确，请核对回执后重试。"))
        return render_template("objections/status.html", form=form, objection=None), 404
    return render_template("objections/status.html", form=form, objection=None), 400


@bp.route("/objections/recover", methods=["GET", "POST"])
@limiter.limit(RECOVER_LIMIT, methods=["POST"])
@limiter.limit(RECOVER_NUMBER_LIMIT, key_func=recovered_number, methods=["POST"])
def recover() -> tuple[str, int]:
    """A lost secret replaced by a new one, sent to the e-mail address on file (portal/receipts/views.py)."""
    return recover_page(Objection, "objection", "objections.status")


def _status_by_link() -> tuple[str, int, dict[str, str]]:
    """The status page opened from the link in a message (issue 18, portal/mail): its signed token names the
    objection and works for 30 days. It shows the status without the secret, and so without the evidence files
    (those still need the receipt); it is never cached, and sends no referrer."""
    headers = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    number, status = linked_case(current_app.config["SECRET_KEY"], request.args["t"], "objection", clock.today())
    objection = db.session.scalar(select(Objection).where(Objection.number == number)) if number else None
    if objection is None:
        form = StatusForm(formdata=None)
        form.form_errors.append(
            _("该链接已过期，请用回执上的异议编号和查询码查询。")
            if status == 410
            else _("该链接无效，请用回执上的异议编号和查询码查询。")
        )
        return render_template("objections/status.html", form=form, objection=None), status, headers
    return _status_page(objection, None, ""), 200, headers  # no secret here: the evidence files need the receipt


def _status_page(objection: Objection, download_form: StatusForm | None, secret: str) -> str:
    """An objection's status as its objector sees it (by the receipt, or by the link in a message)."""
    today = clock.today()
    return render_template(
        "objections/status.html",
        form=None,
        objection=objection,
        record_public=objection.record.is_public(today),
        flag=urgency(objection.due, today, work_calendar(today)),
        download_form=download_form,
        secret=secret,
    )


@bp.post("/objections/status/files/<sha256>")
@limiter.limit(LOOKUP_LIMIT)
def own_evidence(sha256: str) -> Response:
    """The objector's own evidence file, for whoever holds the receipt (number and secret posted again)."""
    form = StatusForm()
    objection = by_receipt(Objection, form.number.data or "", form.secret.data or "") if form.validate() else None
    return download_listed(objection.attachments if objection else None, sha256)
