"""Supervision workspace: letters (提醒函, 督办函, 交办单, 约谈通知书, 情况通报).

Staff send a letter (`/workspace/letters/new`, from a ledger item with `?ledger_item_id=N`): it takes the year's
next 文号 (or one staff choose), is kept as a PDF with its SHA-256 and closes the item (新信用发〔2018〕6号 二(一)、
二(二)、二(五); 泰信用办〔2022〕12号 二(二)、二(四)、二(五)). The officers of the agency a letter concerns see it,
download its PDF and reply once with text and evidence; the reply's due day is on the ledger. An officer of any
other agency is told the letter does not exist (404)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import active_agencies
from portal.core.deadlines import urgency
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.files.responses import private_download
from portal.forms import checked_files, request_limit
from portal.listing import choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.records.models import Record
from portal.supervision.forms.letters import REPLY_EVIDENCE, LetterForm, ReplyForm, letter_draft
from portal.supervision.models import CourtCase, LedgerItem, Letter
from portal.supervision.operations import work_calendar
from portal.supervision.operations.letters import reply_to_letter as reply_operation
from portal.supervision.operations.letters import send_letter
from portal.supervision.queries.letters import (
    agencies_written_to,
    count_awaiting_reply,
    items_closed_by,
    listed,
    next_serial,
    reply_item,
)
from portal.supervision.rules import LetterKind, letter_number
from portal.users.access import STAFF_ROLES, agency_item, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role
from portal.web import as_id, upload_limit

bp = Blueprint("letters", __name__, url_prefix="/workspace/letters")

menu_link("letters.index", _l("函件"), roles=frozenset(Role), order=16)


@dashboard_figure(
    _l("本单位待回复的函件：%(n)d"),
    roles=frozenset({Role.OFFICER}),
    order=16,
    link="letters.index",
    link_args={"replied": "no"},
)
def _awaiting_my_reply(user: User) -> int:
    return count_awaiting_reply(user.agency_id) if user.agency_id is not None else 0


def _agency_param(value: str) -> int:
    found = as_id(value)
    if found is None:
        raise ValueError(_("请从列表中选择主体"))
    return found


FILTERS = {
    "kind": choice(k.value for k in LetterKind),
    "agency": _agency_param,
    "replied": choice(("yes", "no")),
}


# --- the list ---------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in()
def index() -> tuple[str, int]:
    """Staff: every letter, newest first, by kind, agency and reply. Officers: the letters to their agency."""
    asked = parse_list_query(request.args, FILTERS)
    user = current()
    is_staff = user.role in STAFF_ROLES
    if is_staff:
        agency_id = asked.filters.get("agency")
    elif user.agency_id is not None:
        agency_id = user.agency_id
    else:
        abort(403)  # an officer bound to no agency has no letters
    kind = LetterKind(asked.filters["kind"]) if "kind" in asked.filters else None
    replied = {"yes": True, "no": False}.get(asked.filters.get("replied", ""))
    results = paginate(listed(kind, agency_id, replied), asked)
    today = clock.today()
    calendar = work_calendar(today)
    flags = {
        letter.id: urgency(letter.reply_due if letter.replied_on is None else None, today, calendar)
        for letter in results.items
        if letter.reply_due is not None
    }
    agencies = [(str(a.id), a.name) for a in agencies_written_to()] if is_staff else []
    return (
        render_template(
            "workspace/supervision/letters/index.html",
            results=results,
            asked=asked,
            is_staff=is_staff,
            flags=flags,
            agencies=agencies,
        ),
        asked.status,
    )


# --- sending (staff) ----------------------------------------------------------------------------------------


def _asked_item(lock: bool) -> LedgerItem | None:
    """The ledger item named by ?ledger_item_id=N (404 when there is no such item)."""
    raw = request.args.get("ledger_item_id", "").strip()
    if not raw:
        return None
    found = as_id(raw)
    if found is None:
        abort(404)
    return get_or_404(LedgerItem, found, lock=lock)


def _subjects(item: LedgerItem | None) -> tuple[CourtCase | None, Record | None]:
    """The court case or record the item is about (the letter links them)."""
    if item is None or item.subject_id is None:
        return None, None
    if item.subject_type == "case":
        return db.session.get(CourtCase, item.subject_id), None
    if item.subject_type == "record":
        return None, db.session.get(Record, item.subject_id)
    return None, None


@bp.route("/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new() -> Response | tuple[str, int]:
    """The letter form, prefilled from the ledger item it answers: a field refused 400 beside it, an item already
    closed or a number taken meanwhile 409, a PDF that failed to render 503 (no number used)."""
    today = clock.today()
    settings = current_app.config["PORTAL_SETTINGS"]
    submitted = request.method == "POST"
    item = _asked_item(lock=submitted)
    case, record = _subjects(item)
    if submitted:
        form = LetterForm()
    else:
        draft = letter_draft(
            item, item.agency if item else None, case, today, work_calendar(today), settings.deadline_days
        )
        form = LetterForm(data=draft)
    offered = active_agencies()
    if item is not None and item.agency is not None and not item.agency.is_active:
        offered.append(item.agency)
    form.set_agencies(offered)
    if not submitted:
        return _new_page(form, item), (409 if item is not None and item.closed_on is not None else 200)
    done = form.already_done()
    if done is not None:
        return done
    if item is not None and item.closed_on is not None:
        return _new_page(form, item), 409  # the page says when and how it was closed
    if not form.validate():
        return _new_page(form, item), 400
    agency = db.session.get(Agency, form.agency_id)
    if agency is None:
        form.agency.errors = [_("请从列表中选择主体")]
        return _new_page(form, item), 400
    kind = LetterKind(form.kind.data)
    try:
        with db.session.begin_nested():  # a refusal leaves no trace: no row, no file, no number
            letter = send_letter(
                kind,
                agency,
                addressee=form.addressee.data or "",
                title=form.title.data or "",
                body=form.body.data or "",
                deadline=form.deadline.data,
                reply_due=form.reply_due.data,
                today=today,
                by=current(),
                files_dir=settings.files_dir,
                item=item,
                case=case,
                record=record,
                serial=form.serial.data,
            )
    except RefusedError as refused:
        status = show_refusal(form, refused)  # beside its field first, then the page shows it
        return _new_page(form, item), status
    url = url_for(".show", letter_id=letter.id)
    return form.finish(url, _("已发出%(kind)s，文号 %(number)s。", kind=letter.kind.label, number=letter.number))


def _new_page(form: LetterForm, item: LedgerItem | None) -> str:
    today = clock.today()
    return render_template(
        "workspace/supervision/letters/new.html",
        form=form,
        item=item,
        next_number=letter_number(today.year, next_serial(today.year)),
        reply_days=current_app.config["PORTAL_SETTINGS"].deadline_days["letter_reply"],
    )


# --- one letter: reading it, its PDF, the reply ----------------------------------------------------------------


@bp.get("/<id:letter_id>")
@signed_in()
def show(letter_id: int) -> str:
    letter = agency_item(Letter, letter_id)  # officers: only their own agency's (else 404)
    return _show_page(letter, ReplyForm(formdata=None))


@bp.get("/<id:letter_id>/letter.pdf")
@signed_in()
def pdf(letter_id: int) -> Response:
    """The PDF as sent, as a download (its SHA-256 is on the letter's page)."""
    letter = agency_item(Letter, letter_id)
    return private_download(letter.file, f"letter-{letter.year}-{letter.serial}.pdf")


EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@bp.get("/<id:letter_id>/evidence/<sha256>")
@signed_in()
def evidence(letter_id: int, sha256: str) -> Response:
    """The reply's evidence file (404 for any other hash)."""
    letter = agency_item(Letter, letter_id)
    stored = letter.reply_evidence
    if stored is None or stored.sha256 != sha256:
        abort(404)
    extension = EXTENSIONS.get(stored.content_type, "bin")
    return private_download(stored, f"letter-{letter.year}-{letter.serial}-reply.{extension}")


@bp.post("/<id:letter_id>/reply")
@upload_limit(request_limit(REPLY_EVIDENCE))
@signed_in()
def reply(letter_id: int) -> Response | tuple[str, int]:
    """The agency's reply (an officer of the agency, or staff recording one received on paper): no text or a file
    refused 400 (413 too large) beside the field; a letter already answered, or asking no reply, 409."""
    form = ReplyForm()
    letter = agency_item(Letter, letter_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if letter.replied_on is not None:
        form.form_errors.append(_("该函件已于 %(day)s 回复，不能重复回复。", day=letter.replied_on.isoformat()))
        return _show_page(letter, form), 409
    if letter.reply_due is None:
        form.form_errors.append(_("该函件不要求回复。"))
        return _show_page(letter, form), 409
    fields_ok = form.validate()
    files, files_status = checked_files(form.evidence, REPLY_EVIDENCE)
    if not fields_ok or form.evidence.errors:
        return _show_page(letter, form), 413 if files_status == 413 else 400
    try:
        with db.session.begin_nested():  # a refusal leaves no trace of its partial work, nor any file
            reply_operation(
                letter,
                form.reply_text.data or "",
                files,
                clock.today(),
                by=current(),
                files_dir=current_app.config["PORTAL_SETTINGS"].files_dir,
            )
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _show_page(letter, form), status
    url = url_for(".show", letter_id=letter.id)
    return form.finish(url, _("已回复函件 %(number)s。", number=letter.number))


def _show_page(letter: Letter, form: ReplyForm) -> str:
    user = current()
    today = clock.today()
    due_item = reply_item(letter.id)
    flag: Any = None
    if letter.reply_due is not None:
        flag = urgency(letter.reply_due if letter.replied_on is None else None, today, work_calendar(today))
    return render_template(
        "workspace/supervision/letters/show.html",
        letter=letter,
        form=form,
        is_staff=user.role in STAFF_ROLES,
        closed_items=items_closed_by(letter.id),
        reply_item=due_item,
        flag=flag,
        may_reply=letter.replied_on is None and letter.reply_due is not None,
    )
