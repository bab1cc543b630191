"""Use cases of the monthly bulletin (月度通报, 新信用发〔2018〕6号 二(八); 沈政办发〔2018〕117号 二(二)): staff make
the draft of a month from the data, edit its narrative, make its figures again, publish it — which freezes it: its
figures are never made again, its PDF is rendered once and kept under its SHA-256, and the 工作台账's 月度通报 item
of the month is closed — and then add dated errata (勘误). Every change is audited; nothing commits here.

The PDF is an official document in Chinese, rendered with the letters' engine (portal.pdf) whatever the language
of the staff member who publishes it."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.operations import write_audit
from portal.core.months import Month
from portal.db_types import utcnow
from portal.errors import InputRefusedError, NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import store_bytes
from portal.pdf import chinese_date, office_name, render_pdf
from portal.reports.models import Bulletin, BulletinErratum
from portal.reports.queries import bulletin_of, make_figures
from portal.reports.rules import (
    BASIS,
    ERRATUM_MAX,
    RECORD_COLUMNS,
    TEXT_MAX,
    TITLE_MAX,
    WORK_COLUMNS,
    BulletinState,
    changed_figures,
    default_title,
    figures_as_of,
    has_begun,
)
from portal.supervision.models import LedgerItem
from portal.supervision.operations import work_calendar
from portal.supervision.operations.ledger import close_item
from portal.supervision.rules import ClosedHow, LedgerRule, bulletin_due
from portal.users.models import User

log = logging.getLogger(__name__)

NARRATIVE = ("title", "summary", "notable", "next_steps")


def ledger_key(month: Month) -> str:
    """The key of the month's 月度通报 item in the 工作台账 (supervision.operations.ledger._months)."""
    return f"{LedgerRule.MONTHLY_BULLETIN.value}:month:{month}"


def draft_summary(month: Month, figures: dict[str, Any]) -> str:
    """The draft's 总体情况, written from its figures (in Chinese, as the document is); staff edit it."""
    t = figures["totals"]
    as_of = chinese_date(date.fromisoformat(figures["as_of"]))
    return (
        f"{month.chinese}，全县新增政务失信记录{t['new_records']}条；整改办结（已履行）{t['fulfilled']}件，"
        f"信用修复{t['repaired']}件，停止公示{t['cleared']}条。截至{as_of}，逾期未整改{t['overdue']}件。\n\n"
        f"本月实施联合惩戒措施{t['measures_applied']}项、解除{t['measures_lifted']}项；开展约谈{t['interviews']}次、"
        f"现场督办{t['site_visits']}次，发出函件{t['letters']}件。收到政务失信投诉{t['complaints_received']}件，"
        f"办结{t['complaints_closed']}件，其中按期办结{t['complaints_on_time']}件。\n\n"
        f"截至{as_of}，列为失信被执行人的政府机构{t['defaulters_listed']}个，本月新增{t['defaulters_new']}个、"
        f"退出{t['defaulters_cleared']}个（动态清零）。"
    )


def refuse_if_published(bulletin: Bulletin) -> None:
    """A published bulletin is frozen: NotAllowedError (409) saying so."""
    if bulletin.is_published:
        raise NotAllowedError(
            _l(
                "%(month)s 的月度通报已于 %(day)s 发布，不能再修改；如需更正，请添加勘误。",
                month=bulletin.month,
                day=bulletin.published_on.isoformat() if bulletin.published_on else "",
            )
        )


def make_draft(month: Month, today: date, *, by: User) -> Bulletin:
    """The month's draft, its figures made from the data as of min(its last day, today), its title and 总体情况
    written from them. RefusedError beside `month` for a month not yet begun; NotAllowedError (409) when the month
    has a bulletin already (one per month)."""
    if not has_begun(month, today):
        raise RefusedError(
            _l(
                "%(month)s 尚未开始，不能起草该月的月度通报（最早可起草本月，即 %(now)s）。",
                month=str(month),
                now=str(Month.of(today)),
            ),
            field="month",
        )
    existing = bulletin_of(month)
    if existing is not None:
        raise NotAllowedError(
            _l(
                "%(month)s 的月度通报已经存在（%(state)s），每月只有一期。",
                month=str(month),
                state=existing.state.label,
            )
        )
    figures = make_figures(month, today)
    bulletin = Bulletin(
        month=str(month),
        state=BulletinState.DRAFT,
        figures=figures,
        figures_as_of=figures_as_of(month, today),
        figures_made_at=utcnow(),
        title=default_title(month),
        summary=draft_summary(month, figures),
        notable="",
        next_steps="",
        created_by_id=by.id,
    )
    try:
        with db.session.begin_nested():  # the unique month backs the check above against a twin post
            db.session.add(bulletin)
            db.session.flush()
    except IntegrityError:
        raise NotAllowedError(_l("%(month)s 的月度通报刚刚由他人起草，每月只有一期。", month=str(month))) from None
    write_audit(
        "bulletin.draft",
        "bulletin",
        bulletin.id,
        {"month": [None, bulletin.month], "figures_as_of": [None, bulletin.figures_as_of.isoformat()]},
        by=by,
    )
    db.session.flush()
    return bulletin


def _text_problems(values: dict[str, str]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if not values["title"].strip():
        problems["title"] = _l("请填写标题。")
    elif len(values["title"].strip()) > TITLE_MAX:
        problems["title"] = _l("太长了：最多 %(max)d 个字符。", max=TITLE_MAX)
    for name in ("summary", "notable", "next_steps"):
        if len(values[name].strip()) > TEXT_MAX:
            problems[name] = _l("太长了：最多 %(max)d 个字符。", max=TEXT_MAX)
    return problems


def edit_bulletin(bulletin: Bulletin, values: dict[str, str], *, by: User) -> dict[str, list[str]]:
    """Staff change the draft's title, 总体情况, 典型案例 and 下一步工作 (plain text or markdown, sanitised when shown).
    Returns what changed. NotAllowedError (409) once published; InputRefusedError beside each field: no title, a
    text too long."""
    refuse_if_published(bulletin)
    values = {name: (values.get(name) or "").strip() for name in NARRATIVE}
    problems = _text_problems(values)
    if problems:
        raise InputRefusedError(problems)
    changes = {
        name: [getattr(bulletin, name), value] for name, value in values.items() if getattr(bulletin, name) != value
    }
    if not changes:
        return changes
    for name, (_old, new) in changes.items():
        setattr(bulletin, name, new)
    write_audit("bulletin.edit", "bulletin", bulletin.id, changes, by=by)
    db.session.flush()
    return changes


def remake_figures(bulletin: Bulletin, today: date, *, by: User) -> int:
    """Make the draft's figures again from the data as it is now; returns how many figures changed. NotAllowedError
    (409) once published: a published bulletin's figures are never made again."""
    refuse_if_published(bulletin)
    month = Month.parse(bulletin.month)
    figures = make_figures(month, today)
    changed = changed_figures(bulletin.figures, figures)
    old_as_of = bulletin.figures_as_of
    bulletin.figures = figures
    bulletin.figures_as_of = figures_as_of(month, today)
    bulletin.figures_made_at = utcnow()
    write_audit(
        "bulletin.figures",
        "bulletin",
        bulletin.id,
        {
            "figures_as_of": [old_as_of.isoformat(), bulletin.figures_as_of.isoformat()],
            "figures_changed": [None, sorted(changed)[:200]],
        },
        by=by,
    )
    db.session.flush()
    return len(changed)


def bulletin_html(bulletin: Bulletin, published_on: date) -> str:
    """The bulletin as HTML for its PDF (templates/reports/bulletin_pdf.html): in Chinese, as published."""
    return render_template(
        "reports/bulletin_pdf.html",
        bulletin=bulletin,
        f=bulletin.figures,
        month=Month.parse(bulletin.month),
        basis=BASIS,
        sender=office_name(),
        published=chinese_date(published_on),
        as_of=chinese_date(bulletin.figures_as_of),
        record_columns=RECORD_COLUMNS,
        work_columns=WORK_COLUMNS,
        chinese_date=lambda text: chinese_date(date.fromisoformat(text)),
    )


def publish_bulletin(bulletin: Bulletin, today: date, *, by: User, files_dir: Path) -> None:
    """Publish the draft as it stands: frozen from now on. Its PDF is rendered once and kept under its SHA-256; the
    month's 月度通报 item of the 工作台账 is closed 已登记办结 (新信用发〔2018〕6号 二(八)). NotAllowedError (409) for
    a bulletin published already; RefusedError beside the field without a title or 总体情况; 503 when the PDF fails
    to render (nothing is written)."""
    refuse_if_published(bulletin)
    problems = _text_problems({name: getattr(bulletin, name) for name in NARRATIVE})
    if not bulletin.summary.strip():
        problems["summary"] = _l("发布前请填写总体情况。")
    if problems:
        raise InputRefusedError(problems)
    month = Month.parse(bulletin.month)
    try:
        pdf = render_pdf(bulletin_html(bulletin, today))
    except Exception:  # WeasyPrint, fontconfig, a template error: whatever it is, nothing is written
        log.exception("bulletin PDF failed to render: %s", bulletin.month)
        raise RefusedError(_l("月度通报 PDF 生成失败，未发布，请重试。"), status=503) from None
    stored = store_bytes(pdf, "application/pdf", files_dir)
    bulletin.state = BulletinState.PUBLISHED
    bulletin.published_on = today
    bulletin.published_at = utcnow()
    bulletin.published_by_id = by.id
    bulletin.pdf_sha256 = stored.sha256
    item = _ledger_item(month, today)
    if item is not None and item.closed_on is None:
        note = f"已发布{month.chinese}月度通报（PDF SHA-256 {stored.sha256[:16]}…）"
        close_item(item, ClosedHow.MANUAL, today, by=by, note=note)
    write_audit(
        "bulletin.publish",
        "bulletin",
        bulletin.id,
        {
            "state": [BulletinState.DRAFT.value, BulletinState.PUBLISHED.value],
            "published_on": [None, today.isoformat()],
            "pdf_sha256": [None, stored.sha256],
            "ledger_item_id": [None, item.id if item is not None else None],
        },
        by=by,
    )
    db.session.flush()


def _ledger_item(month: Month, today: date) -> LedgerItem | None:
    """The month's 月度通报 item. The daily job opens the current month's; published before the job has run this
    month, it is opened here with what the job would give it, so that the job finds it closed."""
    item = db.session.scalar(select(LedgerItem).where(LedgerItem.key == ledger_key(month)))
    if item is None and month == Month.of(today):
        item = LedgerItem(
            key=ledger_key(month),
            rule=LedgerRule.MONTHLY_BULLETIN,
            agency_id=None,
            responsible_unit="",
            subject=f"{month.year}年{month.month}月月度通报",
            subject_type="month",
            subject_id=None,
            opened_on=month.first_day,
            due_on=bulletin_due(month.year, month.month, work_calendar(today)),
        )
        db.session.add(item)
        db.session.flush()
    return item


def add_erratum(bulletin: Bulletin, text: str, today: date, *, by: User) -> BulletinErratum:
    """A dated correction (勘误) under a published bulletin, which itself stays as published. NotAllowedError (409)
    for a draft (edit it instead); RefusedError beside `text` when empty or too long."""
    if not bulletin.is_published:
        raise NotAllowedError(_l("草稿不需要勘误，请直接修改草稿。"))
    text = text.strip()
    if not text:
        raise RefusedError(_l("请填写勘误内容：更正什么，正确的内容是什么。"), field="text")
    if len(text) > ERRATUM_MAX:
        raise RefusedError(_l("太长了：最多 %(max)d 个字符。", max=ERRATUM_MAX), field="text")
    erratum = BulletinErratum(bulletin_id=bulletin.id, dated_on=today, text=text, actor_id=by.id)
    db.session.add(erratum)
    bulletin.updated_at = utcnow()  # the feeds' entry is updated by an erratum
    db.session.flush()
    write_audit(
        "bulletin.erratum",
        "bulletin",
        bulletin.id,
        {"erratum_id": [None, erratum.id], "dated_on": [None, today.isoformat()], "text": [None, text]},
        by=by,
    )
    db.session.flush()
    return erratum
