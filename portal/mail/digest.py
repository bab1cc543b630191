"""The daily digest of the 工作台账 (issue 18: "staff and officers: an opt-in daily digest of their ledger items (#9):
due today, due tomorrow, overdue").

`flask --app portal mail digest` (a systemd timer at 07:00, or cron) queues one message to each active user who opted
in on their account page and has an e-mail address, when they have at least one such item: staff and admins every
open item, an officer only their own agency's. The groups are the ledger's own states, from its own queries
(portal/supervision/queries/ledger.py): 已逾期, and its 今明到期 split into 今日到期 (due today) and 明日到期 (due
on the next working day, with the days off before it), counted on the same working-day calendar. Each message is
written in the user's language and links into the workspace ledger; a second run on the same day queues nothing
(`digest_about`). On a day off nothing is sent: the first working day after it carries what fell due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from portal.core.deadlines import Urgency
from portal.core.workdays import WorkCalendar
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.mail.operations import queue_mail
from portal.mail.rules import DIGEST_MOST, digest_about
from portal.supervision.models import LedgerItem
from portal.supervision.operations import work_calendar
from portal.supervision.queries.ledger import LedgerQuery, listed
from portal.users.models import User
from portal.web import public_path, site_root


@dataclass
class DigestReport:
    """What one run of `mail digest` did."""

    queued: int = 0  # messages queued
    already: int = 0  # users whose digest for the day was queued by an earlier run
    nothing_due: int = 0  # users with no item overdue, due today or due tomorrow
    day_off: bool = False  # the day is not a working day: nobody was written to


@dataclass(frozen=True)
class Group:
    """One part of a digest: the items of one state (at most DIGEST_MOST listed), how many there are, and the
    ledger's list filtered to all of them."""

    name: str  # overdue, today, tomorrow
    total: int
    items: list[LedgerItem] = field(default_factory=list)
    links: dict[int, str] = field(default_factory=dict)  # item id -> its page in the workspace
    link: str = ""  # the ledger list filtered to the group


def queue_digests(today: date) -> DigestReport:
    """Queue today's digest for every user who should have one and has not yet (the caller commits)."""
    report = DigestReport()
    calendar = work_calendar(today)
    if not calendar.is_workday(today):
        report.day_off = True
        return report
    readers = select(User).where(User.daily_digest.is_(True), User.active.is_(True), User.email != "")
    for user in db.session.scalars(readers.order_by(User.id)):
        about = digest_about(user.id, today)
        if db.session.scalar(select(MailMessage.id).where(MailMessage.about == about).limit(1)) is not None:
            report.already += 1
            continue
        if not user.is_staff and user.agency_id is None:  # an officer bound to no agency sees no item
            report.nothing_due += 1
            continue
        groups = digest_groups(user, today, calendar)
        if not any(group.total for group in groups):
            report.nothing_due += 1
            continue
        _queue_digest(user, about, today, calendar, groups)
        report.queued += 1
    return report


def digest_groups(user: User, today: date, calendar: WorkCalendar) -> list[Group]:
    """The user's items overdue, due today and due tomorrow (the next working day): the ledger's queries, narrowed to
    the officer's agency as the ledger page narrows them (staff and admins: every item)."""
    agency_id = None if user.is_staff else user.agency_id
    language = user.mail_language
    due, tomorrow = Urgency.DUE.value, today + timedelta(days=1)
    asked = {
        "overdue": (LedgerQuery(agency_id=agency_id, state=Urgency.OVERDUE.value), {}),
        "today": (LedgerQuery(agency_id=agency_id, state=due, due_to=today), {"due_to": today.isoformat()}),
        "tomorrow": (
            LedgerQuery(agency_id=agency_id, state=due, due_from=tomorrow),
            {"due_from": tomorrow.isoformat()},
        ),
    }
    groups = []
    for name, (query, narrowed) in asked.items():
        statement = listed(query, today, calendar)
        total = _count(statement)
        items = list(db.session.scalars(statement.limit(DIGEST_MOST))) if total else []
        links = {item.id: _link("ledger.show", language, ledger_item_id=item.id) for item in items}
        link = _link("ledger.index", language, state=query.state, **narrowed)
        groups.append(Group(name, total, items, links, link))
    return groups


def _count(statement: Select[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def _link(endpoint: str, language: str, **values: Any) -> str:
    """An absolute address in the workspace (on PORTAL_BASE_URL), in the reader's language."""
    return site_root() + public_path(endpoint, **values, lang=language)


def _queue_digest(user: User, about: str, today: date, calendar: WorkCalendar, groups: list[Group]) -> MailMessage:
    counts = {group.name: group.total for group in groups}
    account = _link("workspace.account", user.mail_language)
    return queue_mail(
        user.email,
        _l(
            "工作台账提醒：已逾期 %(overdue)d 项，今日到期 %(today)d 项，明日到期 %(tomorrow)d 项",
            overdue=counts["overdue"],
            today=counts["today"],
            tomorrow=counts["tomorrow"],
        ),
        "digest",
        kind="ledger.digest",
        about=about,
        language=user.mail_language,
        headers={"List-Unsubscribe": f"<{account}>"},
        groups=groups,
        today=today,
        next_workday=calendar.add_workdays(today, 1),
        ledger=_link("ledger.index", user.mail_language),
        account=account,
        most=DIGEST_MOST,
    )
