"""The 工作台账 (supervision ledger) in the workspace: one list of every item the rules make due (rules.LedgerRule,
each with its clause), filtered, sorted and exported as CSV and XLSX; one item's page with its clause, due day,
state and history, and the way it is closed (a letter, a 约谈 or 现场督办, or staff's note).

Staff and admins see every item; an officer sees their own agency's (another agency's item: 404; an officer bound
to no agency: 403). The items are derived from the cases by the daily job (`flask --app portal supervision run`),
whose last run the page shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from werkzeug.wrappers import Response

from portal import clock
from portal.core.cells import csv_text
from portal.core.deadlines import Urgency
from portal.core.workdays import WorkCalendar
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.listing import ListQuery, choice, paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.supervision.forms.ledger import CloseItemForm
from portal.supervision.models import LedgerItem
from portal.supervision.operations import work_calendar
from portal.supervision.operations.ledger_notes import check_closable, close_by_note
from portal.supervision.queries.ledger import (
    EVERY,
    OPEN,
    SORTS,
    STATES,
    LedgerQuery,
    agencies_with_items,
    count_in_state,
    history,
    latest_run,
    listed,
    state_counts,
)
from portal.supervision.rules import ClosedHow, Closing, LedgerRule, item_state
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role
from portal.web import as_id, format_date

bp = Blueprint("ledger", __name__, url_prefix="/workspace/ledger")

menu_link("ledger.index", _l("工作台账"), roles=frozenset(Role), order=15)


# --- dashboard figures: each links to the ledger filtered to exactly what it counts ---------------------------------


def _count(flag: Urgency, agency_id: int | None = None) -> int:
    today = clock.today()
    return count_in_state(flag, today, work_calendar(today), agency_id)


@dashboard_figure(
    _l("台账中已逾期的事项：%(n)d"),
    roles=frozenset(STAFF_ROLES),
    order=12,
    link="ledger.index",
    link_args={"state": "overdue"},
)
def _overdue(user: User) -> int:
    return _count(Urgency.OVERDUE)


@dashboard_figure(
    _l("今明到期的事项：%(n)d"), roles=frozenset(STAFF_ROLES), order=13, link="ledger.index", link_args={"state": "due"}
)
def _due(user: User) -> int:
    return _count(Urgency.DUE)


@dashboard_figure(
    _l("本单位台账中已逾期的事项：%(n)d"),
    roles=frozenset({Role.OFFICER}),
    order=12,
    link="ledger.index",
    link_args={"state": "overdue"},
)
def _own_overdue(user: User) -> int:
    return _count(Urgency.OVERDUE, user.agency_id) if user.agency_id is not None else 0


@dashboard_figure(
    _l("本单位今明到期的事项：%(n)d"),
    roles=frozenset({Role.OFFICER}),
    order=13,
    link="ledger.index",
    link_args={"state": "due"},
)
def _own_due(user: User) -> int:
    return _count(Urgency.DUE, user.agency_id) if user.agency_id is not None else 0


# --- the list's filters ----------------------------------------------------------------------------------------------


def _agency_id(value: str) -> int:
    found = as_id(value)
    if found is None:
        raise ValueError(_("应为机构编号（正整数）"))
    return found


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value) if value.isascii() and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1990 <= day.year <= 2100:
        raise ValueError(_("请填写有效日期，格式如 2026-11-20"))
    return day


FILTERS: Mapping[str, Callable[[str], Any]] = {
    "rule": choice(LedgerRule.codes()),
    "state": choice(STATES),
    "agency": _agency_id,
    "q": str,
    "due_from": _day,
    "due_to": _day,
    "sort": choice(SORTS),
}
# What the state filter offers: every open item (the default), one state, or everything.
STATE_CHOICES = (
    (OPEN, _l("未办结")),
    *((flag.value, flag.label) for flag in Urgency),
    (EVERY, _l("全部（含已办结）")),
)
SORT_CHOICES = (("due", _l("到期日由近到远")), ("-due", _l("到期日由远到近")), ("agency", _l("按机构")))


def _scope(user: User) -> int | None:
    """The agency whose items the user sees (None: every item). An officer bound to no agency sees none: 403."""
    if user.role in STAFF_ROLES:
        return None
    if user.agency_id is None:
        abort(403)
    return user.agency_id


def _asked(user: User) -> tuple[ListQuery, LedgerQuery]:
    asked = parse_list_query(request.args, FILTERS)
    filters = asked.filters
    if "due_from" in filters and "due_to" in filters and filters["due_from"] > filters["due_to"]:
        asked.problems["due_to"] = _("截止日期不能早于起始日期")
    query = LedgerQuery(
        agency_id=_scope(user),
        rule=filters.get("rule"),
        state=filters.get("state", OPEN),
        agency=filters.get("agency") if user.role in STAFF_ROLES else None,
        text=filters.get("q"),
        due_from=filters.get("due_from"),
        due_to=filters.get("due_to"),
        sort=filters.get("sort", "due"),
    )
    return asked, query


# --- what a row shows ------------------------------------------------------------------------------------------------

# subject_type -> (the endpoint of its page, that endpoint's argument); built only when the endpoint is installed.
SUBJECT_PAGES = {
    "record": ("records_workspace.detail", "record_id"),
    "case": ("cases.show", "case_id"),
    "meeting": ("meetings.show", "meeting_id"),
    "letter": ("letters.show", "letter_id"),
    "campaign": ("campaigns.show", "campaign_id"),
    "complaint": ("complaints_workspace.show", "complaint_id"),
    "objection": ("objections_workspace.show", "objection_id"),
    "repair": ("repairs_workspace.show", "application_id"),
    "commitment": ("commitments_workspace.show", "commitment_id"),
}
STAFF_ONLY_SUBJECTS = frozenset({"objection"})  # the objection queue is the credit office's alone


def _url(endpoint: str, **values: Any) -> str | None:
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@dataclass(frozen=True)
class Part:
    """A piece of the 办结情况 column: its text, and a link where there is a page to open."""

    text: str
    url: str | None = None


class Rows:
    """What the list's rows (and the exports) show of each item, with the look-ups done once for the page."""

    def __init__(self, items: Iterable[LedgerItem], user: User, today: date, calendar: WorkCalendar) -> None:
        self.items = list(items)
        self.today = today
        self.calendar = calendar
        self.is_staff = user.role in STAFF_ROLES

    def state(self, item: LedgerItem) -> Urgency:
        return item_state(item.due_on, item.closed_on, self.today, self.calendar)

    def subject_url(self, item: LedgerItem) -> str | None:
        if item.subject_id is None:
            return None
        page = SUBJECT_PAGES.get(item.subject_type)
        if page is None or (item.subject_type in STAFF_ONLY_SUBJECTS and not self.is_staff):
            return None
        endpoint, argument = page
        return _url(endpoint, **{argument: item.subject_id})

    def closure(self, item: LedgerItem) -> list[Part]:
        """办结情况: how, when, the letter's 文号, the meeting, the note and who closed it; for an open item, the
        meeting scheduled for it."""
        meeting = item.meeting
        if item.closed_on is None or item.closed_how is None:
            if meeting is None:
                return []
            when = format_date(meeting.scheduled_on)
            text = _("已安排%(kind)s：%(day)s", kind=meeting.kind.label, day=when)
            return [Part(text, _url("meetings.show", meeting_id=meeting.id))]
        parts = [Part(f"{item.closed_how.label} {format_date(item.closed_on)}")]
        if item.letter is not None:
            number = _("文号：%(number)s", number=item.letter.number)
            parts.append(Part(number, _url("letters.show", letter_id=item.letter.id)))
        if item.closed_how is ClosedHow.MEETING and meeting is not None:
            day = format_date(meeting.held_on or meeting.scheduled_on)
            parts.append(Part(f"{meeting.kind.label} {day}", _url("meetings.show", meeting_id=meeting.id)))
        if item.closed_note:
            parts.append(Part(item.closed_note))
        if item.closed_by is not None:
            name = item.closed_by.display_name or item.closed_by.username
            parts.append(Part(_("办理人：%(name)s", name=name)))
        return parts

    def agency(self, item: LedgerItem) -> str:
        return item.agency.name if item.agency is not None else _("信用办")

    def plain(self, item: LedgerItem) -> list[Any]:
        """The row as the exports write it: text, and the due day as a date."""
        return [
            str(item.rule.label),
            item.rule.spec.clause,
            self.agency(item),
            item.responsible_unit,
            item.subject,
            item.due_on,
            str(self.state(item).label),
            "；".join(part.text for part in self.closure(item)),
        ]


def _headers() -> list[str]:
    return [_("类型"), _("依据条款"), _("机构"), _("责任单位"), _("事项"), _("到期日"), _("状态"), _("办结情况")]


# --- the list --------------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in()
def index() -> tuple[str, int]:
    user = current()
    asked, query = _asked(user)
    return _list_page(user, asked, query), asked.status


def _entered(name: str) -> str:
    """What was typed into a text filter, to show it again: shortened, control characters made visible."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in request.args.get(name, "")[:200])


def _list_page(user: User, asked: ListQuery, query: LedgerQuery) -> str:
    today = clock.today()
    calendar = work_calendar(today)
    results = paginate(listed(query, today, calendar), asked)
    is_staff = user.role in STAFF_ROLES
    run = latest_run()
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}
    return render_template(
        "workspace/supervision/ledger/index.html",
        results=results,
        rows=Rows(results.items, user, today, calendar),
        asked=asked,
        state=query.state,
        sort=query.sort,
        counts=state_counts(replace(query, state=EVERY), today, calendar) if not asked.problems else None,
        run=run,
        run_finished=clock.local_time(run.finished_at) if run is not None and run.finished_at else None,
        stale=run is not None and run.run_for < today,
        is_staff=is_staff,
        agencies=agencies_with_items() if is_staff else [],
        rule_choices=LedgerRule.choices(),
        state_choices=STATE_CHOICES,
        sort_choices=SORT_CHOICES,
        entered={name: _entered(name) for name in ("q", "due_from", "due_to")},
        csv_url=url_for(".export_csv", **kept),
        xlsx_url=url_for(".export_xlsx", **kept),
    )


# --- the exports: the same filtered list, every page -----------------------------------------------------------------


def _export(fmt: str) -> Response | tuple[str, int]:
    user = current()
    asked, query = _asked(user)
    if asked.problems:
        return _list_page(user, asked, query), 400
    today = clock.today()
    calendar = work_calendar(today)
    rows = Rows(db.session.scalars(listed(query, today, calendar)), user, today, calendar)
    body = _csv(rows) if fmt == "csv" else _xlsx(rows)
    mimetype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="ledger-{today.isoformat()}.{fmt}"'
    return response


def _cell_text(value: Any) -> str:
    """A CSV cell: a date as 2026-11-20; text that a spreadsheet would read as a formula is prefixed with '."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return csv_text(text)


def _csv(rows: Rows) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese as Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    for item in rows.items:
        writer.writerow([_cell_text(value) for value in rows.plain(item)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: Rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("工作台账"))
    sheet.append(_headers())
    for item in rows.items:
        cells = []
        for value in rows.plain(item):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.data_type = "s"  # text stays text: never read as a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@bp.get("/export.csv")
@signed_in()
def export_csv() -> Response | tuple[str, int]:
    return _export("csv")


@bp.get("/export.xlsx")
@signed_in()
def export_xlsx() -> Response | tuple[str, int]:
    return _export("xlsx")


# --- one item --------------------------------------------------------------------------------------------------------


def _item(ledger_item_id: int, *, lock: bool = False) -> LedgerItem:
    """The item; an officer gets only their own agency's (else 404; bound to no agency: 403)."""
    user = current()
    scope = _scope(user)
    item = get_or_404(LedgerItem, ledger_item_id, lock=lock)
    if scope is not None and item.agency_id != scope:
        abort(404)
    return item


@bp.get("/<id:ledger_item_id>")
@signed_in()
def show(ledger_item_id: int) -> str:
    return _show_page(_item(ledger_item_id), _fresh_close())


@bp.post("/<id:ledger_item_id>/close")
@signed_in(*STAFF_ROLES)
def close(ledger_item_id: int) -> Response | tuple[str, int]:
    """Staff record what happened (rules.Closing.MANUAL): a day in the future or before the item was opened, or no
    note, 400 beside the field; an item closed already (or closed another way) 409."""
    form = CloseItemForm()
    item = get_or_404(LedgerItem, ledger_item_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    try:
        check_closable(item)
    except RefusedError as refused:
        status = show_refusal(form, refused)  # above the page: the item is closed, or closed another way
        return _show_page(item, form), status
    if form.validate():
        day = form.closed_on.data
        assert day is not None  # required: validated above
        try:
            with db.session.begin_nested():  # a refusal leaves nothing half-written
                close_by_note(item, day, form.closed_note.data or "", clock.today(), by=current())
        except RefusedError as refused:
            status = show_refusal(form, refused)
            return _show_page(item, form), status
        url = url_for(".show", ledger_item_id=item.id)
        return form.finish(url, _("已登记办结：%(rule)s。", rule=item.rule.label))
    return _show_page(item, form), 400


def _fresh_close() -> CloseItemForm:
    return CloseItemForm(formdata=None, closed_on=clock.today())


# Audit actions about an item, in words (an action not listed is shown by its code).
ACTIONS = {"ledger.close": _l("登记办结")}


def _show_page(item: LedgerItem, form: CloseItemForm) -> str:
    user = current()
    today = clock.today()
    calendar = work_calendar(today)
    rows = Rows([item], user, today, calendar)
    is_staff = user.role in STAFF_ROLES
    spec = item.rule.spec
    closing = spec.closing
    return render_template(
        "workspace/supervision/ledger/show.html",
        item=item,
        spec=spec,
        state=rows.state(item),
        agency=rows.agency(item),
        subject_url=rows.subject_url(item),
        closure=rows.closure(item),
        entries=history(item.id),
        actions={k: str(v) for k, v in ACTIONS.items()},
        is_staff=is_staff,
        letter_url=(
            _url("letters.new", ledger_item_id=item.id)
            if is_staff and item.is_open and closing is Closing.LETTER
            else None
        ),
        meeting_url=(
            _url("meetings.new", ledger_item_id=item.id)
            if is_staff and item.is_open and closing is Closing.MEETING and item.meeting_id is None
            else None
        ),
        meeting_show_url=_url("meetings.show", meeting_id=item.meeting_id) if item.meeting_id is not None else None,
        days=current_app.config["PORTAL_SETTINGS"].deadline_days.get(spec.days) if spec.days else None,
        may_close=is_staff and item.is_open and closing is Closing.MANUAL,
        form=form,
    )
