"""The credit office's bulletins (月度通报, 新信用发〔2018〕6号 二(八); 沈政办发〔2018〕117号 二(二)): the months with
their state and due day (the working day before the month's end), make a month's draft, edit its narrative, make its
figures again (the draft marks every figure the live data has changed since), publish it after a confirm step, and
add dated errata once published. Staff and admins only (officers 403); a published bulletin refuses every edit
(409)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import clock
from portal.core.months import Month
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.menu import dashboard_figure, menu_link
from portal.reports.forms import DraftForm, EditForm, ErratumForm, PublishForm, RemakeForm
from portal.reports.models import Bulletin
from portal.reports.operations import (
    add_erratum,
    edit_bulletin,
    ledger_key,
    make_draft,
    publish_bulletin,
    refuse_if_published,
    remake_figures,
)
from portal.reports.queries import bulletin_of, bulletins_of, live_changes, make_figures, other_bulletins
from portal.reports.rules import (
    BASIS,
    CHANGES_SHOWN,
    RECORD_COLUMNS,
    TOTAL_LABELS,
    WORK_COLUMNS,
    Change,
    changed_figures,
    describe_changes,
    recent_months,
)
from portal.supervision.models import LedgerItem
from portal.supervision.operations import work_calendar
from portal.supervision.rules import bulletin_due, item_state
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.models import User

bp = Blueprint("reports_workspace", __name__, url_prefix="/workspace/reports")

menu_link("reports_workspace.index", _l("月度通报"), roles=frozenset(STAFF_ROLES), order=21)

MONTHS_LISTED = 12  # the list: this month and the eleven before it, then any older bulletin


@dashboard_figure(
    _l("本月月度通报尚未发布：%(n)d"), roles=frozenset(STAFF_ROLES), order=14, link="reports_workspace.index"
)
def _unpublished(user: User) -> int:
    bulletin = bulletin_of(Month.of(clock.today()))
    return 0 if bulletin is not None and bulletin.is_published else 1


# --- the months ----------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in(*STAFF_ROLES)
def index() -> str:
    return _index_page(DraftForm(formdata=None))


def _index_page(other: DraftForm) -> str:
    today = clock.today()
    calendar = work_calendar(today)
    months = recent_months(today, MONTHS_LISTED)
    existing = bulletins_of(months)
    rows = []
    for month in months:
        bulletin = existing.get(str(month))
        due = bulletin_due(month.year, month.month, calendar)
        done = bulletin.published_on if bulletin is not None and bulletin.is_published else None
        rows.append(
            {
                "month": month,
                "bulletin": bulletin,
                "due": due,
                "state": item_state(due, done, today, calendar),
                "form": None if bulletin is not None else DraftForm(formdata=None, month=str(month)),
            }
        )
    return render_template(
        "workspace/reports/index.html", rows=rows, older=other_bulletins(months), other=other, basis=BASIS
    )


@bp.post("/draft")
@signed_in(*STAFF_ROLES)
def draft() -> Response | tuple[str, int]:
    """Make a month's draft: a malformed month 400 beside the field; a month not yet begun 400; a month that has
    its bulletin already 409."""
    form = DraftForm()
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _index_page(form), 400
    try:
        with db.session.begin_nested():  # a refusal leaves no trace of its partial work
            bulletin = make_draft(form.chosen, clock.today(), by=current())
    except RefusedError as refused:
        refused.problems = {name or "month": message for name, message in refused.problems.items()}
        status = show_refusal(form, refused)
        return _index_page(form), status
    return form.finish(
        url_for(".show", bulletin_id=bulletin.id), _("已起草 %(month)s 的月度通报。", month=bulletin.month)
    )


# --- one bulletin --------------------------------------------------------------------------------------------------


def _bulletin(bulletin_id: int, *, lock: bool = False) -> Bulletin:
    return get_or_404(Bulletin, bulletin_id, lock=lock)


@bp.get("/<id:bulletin_id>")
@signed_in(*STAFF_ROLES)
def show(bulletin_id: int) -> str:
    return _show_page(_bulletin(bulletin_id))


def _fresh_edit(bulletin: Bulletin) -> EditForm:
    return EditForm(
        formdata=None,
        title=bulletin.title,
        summary=bulletin.summary,
        notable=bulletin.notable,
        next_steps=bulletin.next_steps,
    )


def _show_page(
    bulletin: Bulletin,
    *,
    edit: EditForm | None = None,
    remake: RemakeForm | None = None,
    erratum: ErratumForm | None = None,
) -> str:
    today = clock.today()
    month = _month(bulletin)
    item = db.session.scalar(select(LedgerItem).where(LedgerItem.key == ledger_key(month)))
    changed: dict[str, Any] = {}
    changes: list[Change] = []
    if not bulletin.is_published:  # a published bulletin is never compared again
        live = make_figures(month, today)
        changed = changed_figures(bulletin.figures, live)
        changes = describe_changes(bulletin.figures, live, changed)
    return render_template(
        "workspace/reports/show.html",
        bulletin=bulletin,
        f=bulletin.figures,
        changed=changed,
        changes=changes,
        shown=CHANGES_SHOWN,
        total_labels=TOTAL_LABELS,
        edit_form=edit or _fresh_edit(bulletin),
        remake_form=remake or RemakeForm(formdata=None),
        erratum_form=erratum or ErratumForm(formdata=None),
        item=item,
        item_state=item_state(item.due_on, item.closed_on, today, work_calendar(today)) if item else None,
        ledger_show="ledger.show" in current_app.view_functions,
        record_columns=RECORD_COLUMNS,
        work_columns=WORK_COLUMNS,
        basis=BASIS,
    )


def _month(bulletin: Bulletin) -> Month:
    return Month.parse(bulletin.month)  # stored by operations.make_draft


@bp.post("/<id:bulletin_id>/edit")
@signed_in(*STAFF_ROLES)
def edit(bulletin_id: int) -> Response | tuple[str, int]:
    """Edit the draft's title and narrative: no title or a text too long 400 beside the field; published 409."""
    form = EditForm()
    bulletin = _bulletin(bulletin_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _show_page(bulletin, edit=form), 400
    try:
        with db.session.begin_nested():
            changes = edit_bulletin(
                bulletin,
                {name: getattr(form, name).data or "" for name in ("title", "summary", "notable", "next_steps")},
                by=current(),
            )
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _show_page(bulletin, edit=form), status
    message = _("已保存草稿。") if changes else _("内容没有变化。")
    return form.finish(url_for(".show", bulletin_id=bulletin.id), message)


@bp.post("/<id:bulletin_id>/figures")
@signed_in(*STAFF_ROLES)
def figures(bulletin_id: int) -> Response | tuple[str, int]:
    """Make the draft's figures again from the data as it is now; published 409 (never made again)."""
    form = RemakeForm()
    bulletin = _bulletin(bulletin_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _show_page(bulletin, remake=form), 400
    try:
        with db.session.begin_nested():
            changed = remake_figures(bulletin, clock.today(), by=current())
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _show_page(bulletin, remake=form), status
    return form.finish(url_for(".show", bulletin_id=bulletin.id), _("已重新生成数据：%(n)d 项数据有变化。", n=changed))


@bp.route("/<id:bulletin_id>/publish", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def publish(bulletin_id: int) -> Response | tuple[str, int]:
    """The confirm step, then publishing: not confirmed 400; no title or 总体情况 400; published already 409; the
    PDF failing to render 503 (nothing written)."""
    form = PublishForm()
    bulletin = _bulletin(bulletin_id, lock=form.is_submitted())
    if not form.is_submitted():
        try:
            refuse_if_published(bulletin)
        except RefusedError as refused:
            return _publish_page(bulletin, form), show_refusal(form, refused)
        return _publish_page(bulletin, form), 200
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _publish_page(bulletin, form), 400
    settings = current_app.config["PORTAL_SETTINGS"]
    try:
        with db.session.begin_nested():
            publish_bulletin(bulletin, clock.today(), by=current(), files_dir=settings.files_dir)
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _publish_page(bulletin, form), status
    return form.finish(
        url_for(".show", bulletin_id=bulletin.id), _("已发布 %(month)s 的月度通报。", month=bulletin.month)
    )


def _publish_page(bulletin: Bulletin, form: PublishForm) -> str:
    changed = live_changes(bulletin, clock.today())
    return render_template(
        "workspace/reports/publish.html",
        bulletin=bulletin,
        form=form,
        changed=len([path for path, value in changed.items() if value != "row"]),
    )


@bp.post("/<id:bulletin_id>/errata")
@signed_in(*STAFF_ROLES)
def errata(bulletin_id: int) -> Response | tuple[str, int]:
    """A dated erratum under a published bulletin: no text or too long 400 beside the field; a draft 409."""
    form = ErratumForm()
    bulletin = _bulletin(bulletin_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _show_page(bulletin, erratum=form), 400
    try:
        with db.session.begin_nested():
            add_erratum(bulletin, form.text.data or "", clock.today(), by=current())
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _show_page(bulletin, erratum=form), status
    return form.finish(url_for(".show", bulletin_id=bulletin.id), _("已添加勘误。"))
