"""Objections: the public form on a record page, the receipt and status look-up, and the staff's pages."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal import clock
from portal.core.deadlines import urgency
from portal.core.masking import shown_contact
from portal.core.uploads import EVIDENCE
from portal.db import commit
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db, limiter
from portal.files.responses import download_listed
from portal.forms import checked_files, request_limit
from portal.listing import choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.objections.forms import (
    AcceptForm,
    DecisionForm,
    ObjectionForm,
    RevealForm,
    StatusForm,
)
from portal.objections.models import Objection
from portal.objections.operations import Objector, accept, decide, file_objection, reveal_contact
from portal.objections.rules import OPEN, ObjectionStatus, due_for
from portal.receipts.forms import LOOKUP_LIMIT, public_form_limit
from portal.receipts.operations import by_receipt
from portal.receipts.rules import normalise_number
from portal.records.models import Record
from portal.supervision.operations import work_calendar
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role
from portal.web import upload_limit

bp = Blueprint("objections", __name__)

menu_link("objections.queue", _l("异议申诉"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=50)


@dashboard_figure(_l("办理中的异议：%(n)d"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=30)
def _open_objections(user: User) -> int:
    return db.session.scalar(select(func.count(Objection.id)).where(Objection.status.in_(OPEN))) or 0


FILTERS = {"status": choice(s.value for s in ObjectionStatus)}


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
    for hidden in (form.website, form.shown_at, form.form_token):
        form.form_errors.extend(str(message) for message in hidden.errors)
        hidden.errors = []


# --- the public: filing ----------------------------------------------------------------------------------------


def _spent_number(form: ObjectionForm) -> str | None:
    """If this very form was posted before and went through, the number it was given."""
    url = form.spent_result()
    if url is None:
        return None
    return parse_qs(urlsplit(url).query).get("number", [""])[0] or None


@bp.route("/records/<int(max=2147483647):record_id>/objection", methods=["GET", "POST"])
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
        number = _spent_number(form)
        if number is not None:  # posted twice: one objection, and its secret was shown the first time only
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
            form.spend(url_for(".status", number=receipt.number))  # a second post of this form finds the number
            commit()
            body = render_template("objections/receipt.html", record=record, objection=objection, receipt=receipt)
            return body, 201
        status = status if status != 200 else 400
    return render_template("objections/new.html", form=form, record=record), status


# --- the public: status look-up ----------------------------------------------------------------------------------


@bp.route("/objections/status", methods=["GET", "POST"])
@limiter.limit(LOOKUP_LIMIT, methods=["POST"])
def status() -> tuple[str, int]:
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
            today = clock.today()
            page = render_template(
                "objections/status.html",
                form=None,
                objection=objection,
                record_public=objection.record.is_public(today),
                flag=urgency(_due(objection), today, work_calendar(today)),
                download_form=StatusForm(formdata=None),
                secret=typed_secret,  # only for the objector's own downloads on this page (not cached)
            )
            return page, 200
        # An unknown number and a wrong secret get the same answer, word for word.
        form.form_errors.append(_("异议编号或查询码不正确，请核对回执后重试。"))
        return render_template("objections/status.html", form=form, objection=None), 404
    return render_template("objections/status.html", form=form, objection=None), 400


@bp.post("/objections/status/files/<sha256>")
@limiter.limit(LOOKUP_LIMIT)
def own_evidence(sha256: str) -> Response:
    """The objector's own evidence file, for whoever holds the receipt (number and secret posted again)."""
    form = StatusForm()
    objection = by_receipt(Objection, form.number.data or "", form.secret.data or "") if form.validate() else None
    return download_listed(objection.attachments if objection else None, sha256)


def _due(objection: Objection) -> date | None:
    return due_for(objection.status, objection.accept_due, objection.verify_due)


# --- the credit office ---------------------------------------------------------------------------------------------


@bp.get("/workspace/objections/")
@signed_in(*STAFF_ROLES)
def queue() -> tuple[str, int]:
    asked = parse_list_query(request.args, FILTERS)
    query = select(Objection).options(joinedload(Objection.record).joinedload(Record.agency))
    if "status" in asked.filters:
        query = query.where(Objection.status == asked.filters["status"])
    open_first = case((Objection.status.in_([s.value for s in OPEN]), 0), else_=1)
    due = case(
        (Objection.status == ObjectionStatus.SUBMITTED.value, Objection.accept_due),
        (Objection.status == ObjectionStatus.ACCEPTED.value, Objection.verify_due),
        else_=None,
    )
    results = paginate(
        query.order_by(open_first, due, Objection.decided_on.desc(), Objection.id.desc()),
        asked,
    )
    today = clock.today()
    calendar = work_calendar(today)
    flags = {o.id: urgency(_due(o), today, calendar) for o in results.items}
    return render_template(
        "objections/queue.html",
        results=results,
        asked=asked,
        flags=flags,
        due_of=_due,
    ), asked.status


def _page(
    objection: Objection,
    *,
    accept_form: AcceptForm | None = None,
    decision_form: DecisionForm | None = None,
    revealed: bool = False,
) -> str:
    today = clock.today()
    contact = shown_contact(objection.name, objection.phone, objection.email, revealed=revealed)
    return render_template(
        "objections/show.html",
        objection=objection,
        record=objection.record,
        contact=contact,
        revealed=revealed,
        reveal_form=RevealForm(formdata=None),
        accept_form=accept_form or AcceptForm(formdata=None),
        decision_form=decision_form or DecisionForm(formdata=None),
        flag=urgency(_due(objection), today, work_calendar(today)),
        today=today,
        record_shown=objection.record.stop_notice(today) is None,
    )


@bp.route("/workspace/objections/<int(max=2147483647):objection_id>", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def show(objection_id: int) -> Response | tuple[str, int]:
    if request.method != "POST":
        return _page(get_or_404(Objection, objection_id)), 200
    action = request.form.get("action", "")
    if action == "reveal":
        objection = get_or_404(Objection, objection_id)
        reveal_form = RevealForm()
        if not reveal_form.validate():
            abort(400)
        reveal_contact(objection, by=current())
        commit()
        return _page(objection, revealed=True), 200
    if action == "accept":
        accept_form = AcceptForm()
        objection = get_or_404(Objection, objection_id, lock=True)
        done = accept_form.already_done()
        if done is not None:
            return done
        if not accept_form.validate():
            return _page(objection, accept_form=accept_form), 400
        try:
            accept(objection, clock.today(), by=current())
        except NotAllowedError as refused:
            accept_form.form_errors.append(str(refused.message))
            return _page(objection, accept_form=accept_form), 409
        url = url_for(".show", objection_id=objection.id)
        return accept_form.finish(url, _("已受理异议 %(number)s，请在核查期限内作出结论。", number=objection.number))
    if action == "decide":
        decision_form = DecisionForm()
        objection = get_or_404(Objection, objection_id, lock=True)
        done = decision_form.already_done()
        if done is not None:
            return done
        if not decision_form.validate():
            return _page(objection, decision_form=decision_form), 400
        outcome = decision_form.decided()
        try:
            decide(objection, outcome, decision_form.reason.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = show_refusal(decision_form, refused)  # a missing reason goes beside its field (400)
            if refused.field is None:  # handled meanwhile (409), or the outcome is refused (400)
                status = 409 if objection.status is not ObjectionStatus.ACCEPTED else 400
            return _page(objection, decision_form=decision_form), status
        url = url_for(".show", objection_id=objection.id)
        message = _("异议 %(number)s 已办结：%(outcome)s。", number=objection.number, outcome=outcome.label)
        return decision_form.finish(url, message)
    abort(400)


@bp.get("/workspace/objections/<int(max=2147483647):objection_id>/files/<sha256>")
@signed_in()
def file(objection_id: int, sha256: str) -> Response:
    """An evidence file: staff only (anyone else signed in gets 404, as if it did not exist)."""
    if current().role not in STAFF_ROLES:
        abort(404)
    objection = get_or_404(Objection, objection_id)
    return download_listed(objection.attachments, sha256)
