"""The 工作台账's items: derived from the cases by the rules (rules.py), and closed by letters, meetings, staff's
notes or the cases themselves.

`refresh_ledger(today)` is the daily job (`flask --app portal supervision run`): it derives every item the rules
ask for and writes only what changed, so a second run changes nothing. `refresh_subject(...)` derives the items of
one case, record, meeting, letter or campaign at once, for the operations that change it (a case registered shows
its 提醒函 due at once, not tomorrow). `close_item` closes one item (a letter sent, a meeting held, staff's note).

How an item is derived and kept:
- each has a `key` naming the rule and what it comes from ("suit_reminder:case:12"); a suggested 约谈 also names the
  day it fired ("interview_suggested:record:5:2026-11-03"), so that after a 约谈 held and more idle days a new
  suggestion is a new item;
- an item the case has already finished is never created (the ledger starts from open work);
- an open item whose case finished is closed 已随案件办结 (ClosedHow.DONE) on the day the case says, or on `today`;
- an open item that the rules no longer ask for (a record repaired or revoked, progress that lifts a suggestion) is
  closed 情况变化，无需办理 (ClosedHow.LAPSED) — unless a 约谈 or 现场督办 is already scheduled for it;
- a closed item is never reopened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, select, true

from portal.agencies.models import Agency
from portal.clock import local_time
from portal.commitments.models import Commitment
from portal.commitments.rules import DraftState, Fulfilment
from portal.complaints.models import Complaint
from portal.complaints.rules import OFFICER_STATUSES
from portal.core.workdays import WorkCalendar
from portal.db_types import utcnow
from portal.extensions import db
from portal.objections.models import Objection
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.models import PlanStep, ProgressEntry, Rectification
from portal.repairs.models import RepairApplication
from portal.supervision.models import (
    Campaign,
    CourtCase,
    LedgerItem,
    Letter,
    MediationSession,
    Meeting,
    SupervisionRun,
    Undertaking,
)
from portal.supervision.operations import work_calendar
from portal.supervision.queries.campaigns import answered_agency_ids
from portal.supervision.rules import (
    CaseStage,
    ClosedHow,
    LedgerRule,
    bulletin_due,
    due_after,
    interview_suggested_on,
)

# Records that are no longer published ask for nothing more: their open items lapse.
_STOPPED = (RecordStatus.REPAIRED, RecordStatus.EXPIRED, RecordStatus.REVOKED)


@dataclass(frozen=True)
class Due:
    """One item the rules ask for today (or, with `done_on`, one the case has finished)."""

    key: str
    rule: LedgerRule
    agency_id: int | None
    responsible_unit: str
    subject: str
    subject_type: str
    subject_id: int | None
    opened_on: date
    due_on: date
    done_on: date | None = None
    done_how: ClosedHow = ClosedHow.DONE
    done_note: str = ""


@dataclass
class LedgerChanges:
    opened: int = 0
    changed: int = 0
    closed: int = 0


@dataclass(frozen=True)
class _Context:
    today: date
    calendar: WorkCalendar
    days: Mapping[str, int]
    existing: Mapping[str, LedgerItem]
    only: int | None  # one subject's id, or None for all

    def rule_due(self, rule: LedgerRule, start: date) -> date:
        return due_after(rule, start, self.calendar, self.days)

    def is_open(self, key: str) -> bool:
        item = self.existing.get(key)
        return item is not None and item.closed_on is None

    def closed_on(self, key: str) -> date | None:
        item = self.existing.get(key)
        return item.closed_on if item is not None else None


def _where_only(column: Any, only: int | None) -> ColumnElement[bool]:
    return column == only if only is not None else true()


def _agency_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted))).all())


def _latest(key: Any, day: Any, condition: ColumnElement[bool]) -> dict[Any, Any]:
    """key → its latest day (a case's last mediation or meeting, a plan's last progress), for the keys that have one."""
    query = select(key, func.max(day)).where(key.is_not(None), day.is_not(None), condition).group_by(key)
    return dict(db.session.execute(query).all())


def _iso(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _suggestion(
    ctx: _Context, kind: str, subject_id: int, overdue_since: date | None, last_activity: date | None, **fields: Any
) -> Iterator[Due]:
    """The suggested 约谈 of a case overdue with no progress (泰信用办〔2022〕12号 二(五); 如东县办法 三(二))."""
    fired = interview_suggested_on(overdue_since, last_activity, ctx.calendar, ctx.days["interview_idle"])
    if fired is not None and fired <= ctx.today:
        rule = LedgerRule.INTERVIEW_SUGGESTED
        key = f"{rule}:{kind}:{subject_id}:{fired.isoformat()}"
        yield Due(
            key,
            rule,
            subject_type=kind,
            subject_id=subject_id,
            opened_on=fired,
            due_on=ctx.rule_due(rule, fired),
            **fields,
        )


# --- the sources: each yields the items of one kind of subject ------------------------------------------------------


def _cases(ctx: _Context) -> Iterator[Due]:
    """新信用发〔2018〕6号 二(一), 二(二): the 提醒函 on a suit, the 督办函 and the 履行期限 on a lost case."""
    cases = list(db.session.scalars(select(CourtCase).where(_where_only(CourtCase.id, ctx.only))))
    names = _agency_names(c.agency_id for c in cases)
    last_mediation = _latest(
        MediationSession.case_id, MediationSession.held_on, _where_only(MediationSession.case_id, ctx.only)
    )
    last_meeting = _latest(Meeting.case_id, Meeting.held_on, _where_only(Meeting.case_id, ctx.only))
    for case in cases:
        unit = names.get(case.agency_id, "")
        subject = f"{case.case_number} {case.cause}"
        common: dict[str, Any] = {"agency_id": case.agency_id, "responsible_unit": unit, "subject": subject}
        rule = LedgerRule.SUIT_REMINDER
        ended = case.judged_on if case.stage is not CaseStage.PENDING else None
        yield Due(
            f"{rule}:case:{case.id}",
            rule,
            subject_type="case",
            subject_id=case.id,
            opened_on=case.notified_on,
            due_on=ctx.rule_due(rule, case.notified_on),
            done_on=ended,
            done_note=str(case.stage.label) if ended else "",
            **common,
        )
        if case.stage is not CaseStage.LOST or case.judged_on is None or case.performance_due is None:
            continue
        done = case.fulfilled_on
        rule = LedgerRule.LOST_CASE_URGING
        yield Due(
            f"{rule}:case:{case.id}",
            rule,
            subject_type="case",
            subject_id=case.id,
            opened_on=case.judged_on,
            due_on=ctx.rule_due(rule, case.judged_on),
            done_on=done,
            **common,
        )
        rule = LedgerRule.PERFORMANCE
        yield Due(
            f"{rule}:case:{case.id}",
            rule,
            subject_type="case",
            subject_id=case.id,
            opened_on=case.judged_on,
            due_on=case.performance_due,
            done_on=done,
            **common,
        )
        if done is None and case.performance_due < ctx.today:
            activity = [d for d in (last_mediation.get(case.id), last_meeting.get(case.id)) if d is not None]
            yield from _suggestion(
                ctx, "case", case.id, case.performance_due + timedelta(days=1), max(activity, default=None), **common
            )


def _records(ctx: _Context) -> Iterator[Due]:
    """泰信用办〔2022〕12号 二(四) 执行立案, 二(五) 失信被执行人, 二(二) 行政处罚到期;
    新信用发〔2018〕6号 二(五) 整改期限."""
    supervised = (Kind.ENFORCED_PARTY, Kind.JUDGMENT_DEFAULTER, Kind.ADMINISTRATIVE_PENALTY)
    rows = db.session.execute(
        select(
            Record.id,
            Record.kind,
            Record.agency_id,
            Record.title,
            Record.status,
            Record.details,
            Record.publication_start,
            Record.publication_min_end,
        ).where(Record.kind.in_(supervised), _where_only(Record.id, ctx.only))
    ).all()
    rect_rows = db.session.execute(
        select(
            Rectification.id,
            Rectification.record_id,
            Rectification.responsible_unit,
            Rectification.deadline,
            Rectification.finished_on,
            Rectification.outcome,
            Rectification.created_at,
            Record.agency_id,
            Record.title,
            Record.status,
        )
        .join(Record, Record.id == Rectification.record_id)
        .where(_where_only(Rectification.record_id, ctx.only))
    ).all()
    names = _agency_names([r.agency_id for r in rows] + [r.agency_id for r in rect_rows])
    for row in rows:
        if row.status in _STOPPED:
            continue  # no longer published: its open items lapse
        common: dict[str, Any] = {
            "agency_id": row.agency_id,
            "responsible_unit": names.get(row.agency_id, ""),
            "subject": row.title,
            "subject_type": "record",
            "subject_id": row.id,
        }
        # A body that has fulfilled needs no notice, report or visit any more (the repair reminder still applies).
        fulfilled = ctx.today if row.status is RecordStatus.FULFILLED else None
        if fulfilled is not None:
            common |= {"done_on": fulfilled, "done_note": str(RecordStatus.FULFILLED.label)}
        details = row.details or {}
        if row.kind is Kind.ENFORCED_PARTY:
            filed = _iso(details.get("filed_on")) or row.publication_start
            rule = LedgerRule.EXECUTION_NOTICE
            notice_key = f"{rule}:record:{row.id}"
            yield Due(notice_key, rule, opened_on=filed, due_on=ctx.rule_due(rule, filed), **common)
            noticed = ctx.closed_on(notice_key)
            if noticed is not None:  # then the body is reminded to fulfil or settle
                rule = LedgerRule.EXECUTION_REMINDER
                yield Due(
                    f"{rule}:record:{row.id}",
                    rule,
                    opened_on=noticed,
                    due_on=ctx.rule_due(rule, noticed),
                    **common,
                )
        elif row.kind is Kind.JUDGMENT_DEFAULTER:
            listed = _iso(details.get("published_on")) or row.publication_start
            for rule in (LedgerRule.DEFAULTER_NOTIFICATION, LedgerRule.SITE_VISIT):
                yield Due(
                    f"{rule}:record:{row.id}", rule, opened_on=listed, due_on=ctx.rule_due(rule, listed), **common
                )
        elif row.kind is Kind.ADMINISTRATIVE_PENALTY and row.publication_min_end <= ctx.today:
            rule = LedgerRule.PENALTY_REPAIR_REMINDER
            start = row.publication_min_end
            common.pop("done_on", None)
            common.pop("done_note", None)
            yield Due(f"{rule}:record:{row.id}", rule, opened_on=start, due_on=ctx.rule_due(rule, start), **common)
    yield from _rectifications(ctx, rect_rows, names)


def _rectifications(ctx: _Context, rows: Sequence[Any], names: Mapping[int, str]) -> Iterator[Due]:
    """新信用发〔2018〕6号 二(五): the plan's 整改期限 and each measure's; overdue and idle: a suggested 约谈."""
    ids = [r.id for r in rows]
    steps: dict[int, list[Any]] = {}
    last_progress: dict[int, date] = {}
    last_meeting: dict[Any, Any] = {}
    if ids:
        only = PlanStep.rectification_id.in_(ids) if ctx.only is not None else true()
        for step in db.session.execute(
            select(PlanStep.id, PlanStep.rectification_id, PlanStep.text, PlanStep.deadline, PlanStep.done_on).where(
                only
            )
        ):
            steps.setdefault(step.rectification_id, []).append(step)
        progress_only = ProgressEntry.rectification_id.in_(ids) if ctx.only is not None else true()
        last_progress = _latest(ProgressEntry.rectification_id, ProgressEntry.entry_date, progress_only)
        last_meeting = _latest(Meeting.record_id, Meeting.held_on, _where_only(Meeting.record_id, ctx.only))
    for row in rows:
        if row.status in _STOPPED:
            continue
        unit = row.responsible_unit or names.get(row.agency_id, "")
        common: dict[str, Any] = {
            "agency_id": row.agency_id,
            "responsible_unit": unit,
            "subject_type": "record",
            "subject_id": row.record_id,
        }
        finished = row.finished_on
        # the day the plan was made, as the job sees it (never after the day it runs for)
        opened = (
            min(local_time(row.created_at).date(), ctx.today) if isinstance(row.created_at, datetime) else ctx.today
        )
        outcome = str(row.outcome.label) if row.outcome is not None else ""
        rule = LedgerRule.RECTIFICATION_DEADLINE
        yield Due(
            f"{rule}:record:{row.record_id}",
            rule,
            subject=row.title,
            opened_on=min(opened, row.deadline),
            due_on=row.deadline,
            done_on=finished,
            done_note=outcome,
            **common,
        )
        open_deadlines = [] if finished is not None else [row.deadline]
        activity = [d for d in (last_progress.get(row.id), last_meeting.get(row.record_id)) if d is not None]
        rule = LedgerRule.PLAN_STEP_DEADLINE
        for step in steps.get(row.id, []):
            done = step.done_on or finished
            activity += [step.done_on] if step.done_on else []
            if done is None:
                open_deadlines.append(step.deadline)
            yield Due(
                f"{rule}:step:{step.id}",
                rule,
                subject=f"{row.title}：{step.text}"[:300],
                opened_on=min(opened, step.deadline),
                due_on=step.deadline,
                done_on=done,
                **common,
            )
        passed = [d for d in open_deadlines if d < ctx.today]
        if passed:
            since = min(passed) + timedelta(days=1)
            yield from _suggestion(
                ctx,
                "record",
                row.record_id,
                since,
                max(activity, default=None),
                **{k: v for k, v in common.items() if k.startswith(("agency", "resp"))},
                subject=row.title,
            )


def _meetings(ctx: _Context) -> Iterator[Due]:
    """如东县办法 三(二): each undertaking given at a 约谈 or 现场督办, by its date."""
    rows = db.session.execute(
        select(Undertaking, Meeting.agency_id, Meeting.held_on)
        .join(Meeting, Meeting.id == Undertaking.meeting_id)
        .where(_where_only(Meeting.id, ctx.only), Meeting.held_on.is_not(None))
    ).all()
    names = _agency_names(r.agency_id for r in rows)
    rule = LedgerRule.UNDERTAKING
    for undertaking, agency_id, held_on in rows:
        assert held_on is not None  # only held meetings are selected
        yield Due(
            f"{rule}:undertaking:{undertaking.id}",
            rule,
            agency_id,
            names.get(agency_id, ""),
            undertaking.text[:300],
            "meeting",
            undertaking.meeting_id,
            held_on,
            undertaking.due_on,
            done_on=undertaking.done_on,
            done_note=undertaking.done_note,
        )


def _letters(ctx: _Context) -> Iterator[Due]:
    """A letter that asks for a reply: the reply is due on its date (新信用发〔2018〕6号 二(五): 发函督促)."""
    rows = db.session.scalars(
        select(Letter).where(Letter.reply_due.is_not(None), _where_only(Letter.id, ctx.only))
    ).all()
    names = _agency_names(letter.agency_id for letter in rows)
    rule = LedgerRule.LETTER_REPLY
    for letter in rows:
        assert letter.reply_due is not None
        yield Due(
            f"{rule}:letter:{letter.id}",
            rule,
            letter.agency_id,
            names.get(letter.agency_id, ""),
            f"{letter.number} {letter.title}"[:300],
            "letter",
            letter.id,
            letter.issued_on,
            letter.reply_due,
            done_on=letter.replied_on,
            done_how=ClosedHow.REPLIED,
        )


def _commitments(ctx: _Context) -> Iterator[Due]:
    """泰信用办〔2022〕12号 二(一): a published commitment past its valid-until date needs a fulfilment
    determination."""
    rows = db.session.execute(
        select(
            Commitment.id, Commitment.agency_id, Commitment.title, Commitment.valid_until, Commitment.fulfilment
        ).where(
            Commitment.state == DraftState.PUBLISHED,
            Commitment.valid_until < ctx.today,
            _where_only(Commitment.id, ctx.only),
        )
    ).all()
    names = _agency_names(r.agency_id for r in rows)
    rule = LedgerRule.COMMITMENT_DETERMINATION
    for row in rows:
        key = f"{rule}:commitment:{row.id}"
        determined = row.fulfilment is not Fulfilment.IN_PROGRESS
        if determined and key not in ctx.existing:
            continue  # cheap: most past commitments were determined long ago
        yield Due(
            key,
            rule,
            row.agency_id,
            names.get(row.agency_id, ""),
            row.title,
            "commitment",
            row.id,
            row.valid_until + timedelta(days=1),
            ctx.rule_due(rule, row.valid_until),
            done_on=ctx.today if determined else None,
            done_note=str(row.fulfilment.label),
        )


def _campaigns(ctx: _Context) -> Iterator[Due]:
    """泰信用办〔2022〕12号 二(一); 泗政秘〔2018〕145号 (十四): each agency of a campaign until it has answered."""
    rule = LedgerRule.CAMPAIGN_SUBMISSION
    for campaign in db.session.scalars(select(Campaign).where(_where_only(Campaign.id, ctx.only))):
        answered = answered_agency_ids(campaign)
        for agency in campaign.agencies:
            yield Due(
                f"{rule}:campaign:{campaign.id}:{agency.id}",
                rule,
                agency.id,
                agency.name,
                campaign.title,
                "campaign",
                campaign.id,
                campaign.opened_on,
                campaign.due_on,
                done_on=ctx.today if agency.id in answered else None,
            )


def _filings(ctx: _Context) -> Iterator[Due]:
    """The complaint, objection and repair deadlines (core.deadlines), on the same ledger."""
    filings: tuple[tuple[Any, LedgerRule, str], ...] = (
        (Complaint, LedgerRule.COMPLAINT, "complaint"),
        (Objection, LedgerRule.OBJECTION, "objection"),
        (RepairApplication, LedgerRule.REPAIR, "repair"),
    )
    for model, rule, kind in filings:
        for filing in db.session.scalars(select(model).where(_where_only(model.id, ctx.only))):
            key = f"{rule}:{kind}:{filing.id}"
            if getattr(filing, "returned_on", None) is not None:  # a complaint back with its agency: a new item
                key += ":returned"
            due = filing.due
            if due is None and key not in ctx.existing:
                continue
            agency_id = filing.agency_id if hasattr(filing, "agency_id") else filing.record.agency_id
            if model is Complaint and filing.status not in OFFICER_STATUSES:
                agency_id = None  # the agency's officers have a complaint only once it is transferred to them
            submitted = filing.filed_on
            yield Due(
                key,
                rule,
                agency_id,
                "",
                getattr(filing, "number", "") or f"#{filing.id}",
                kind,
                filing.id,
                submitted,
                due or ctx.today,
                done_on=ctx.today if due is None else None,
                done_note=str(filing.status.label),
            )


def _months(ctx: _Context) -> Iterator[Due]:
    """新信用发〔2018〕6号 二(八): the month's 通报, due the working day before the month's end."""
    rule = LedgerRule.MONTHLY_BULLETIN
    months = {(ctx.today.year, ctx.today.month)}
    months |= {
        (int(key.split(":")[2][:4]), int(key.split(":")[2][5:7]))
        for key, item in ctx.existing.items()
        if item.rule is rule and item.closed_on is None
    }
    for year, month in sorted(months):
        yield Due(
            f"{rule}:month:{year:04d}-{month:02d}",
            rule,
            None,
            "",
            f"{year}年{month}月月度通报",
            "month",
            None,
            date(year, month, 1),
            bulletin_due(year, month, ctx.calendar),
        )


SOURCES: dict[str, Callable[[_Context], Iterator[Due]]] = {
    "case": _cases,
    "record": _records,
    "meeting": _meetings,
    "letter": _letters,
    "commitment": _commitments,
    "campaign": _campaigns,
    "complaint": _filings,
    "month": _months,
}
# One source answers for several subject types: the filings.
_SUBJECT_TYPES = {"complaint": ("complaint", "objection", "repair")}


# --- writing what changed ---------------------------------------------------------------------------------------------


def _sync(dues: Iterable[Due], existing: Mapping[str, LedgerItem], today: date) -> LedgerChanges:
    changes = LedgerChanges()
    seen: set[str] = set()
    for due in dues:
        if due.key in seen:
            continue
        seen.add(due.key)
        item = existing.get(due.key)
        if item is None:
            if due.done_on is None:
                db.session.add(
                    LedgerItem(
                        key=due.key,
                        rule=due.rule,
                        agency_id=due.agency_id,
                        responsible_unit=due.responsible_unit,
                        subject=due.subject[:300],
                        subject_type=due.subject_type,
                        subject_id=due.subject_id,
                        opened_on=due.opened_on,
                        due_on=due.due_on,
                    )
                )
                changes.opened += 1
        elif item.closed_on is None:
            if due.done_on is not None:
                close_item(
                    item, due.done_how, min(max(due.done_on, item.opened_on), today), by=None, note=due.done_note
                )
                changes.closed += 1
            elif (item.due_on, item.responsible_unit, item.subject, item.agency_id) != (
                due.due_on,
                due.responsible_unit,
                due.subject[:300],
                due.agency_id,
            ):
                item.due_on, item.responsible_unit = due.due_on, due.responsible_unit
                item.subject, item.agency_id = due.subject[:300], due.agency_id
                changes.changed += 1
    for key, item in existing.items():
        if key not in seen and item.closed_on is None and item.meeting_id is None:
            close_item(item, ClosedHow.LAPSED, today, by=None)
            changes.closed += 1
    return changes


def _existing(condition: ColumnElement[bool]) -> dict[str, LedgerItem]:
    return {item.key: item for item in db.session.scalars(select(LedgerItem).where(condition))}


def _context(today: date, existing: Mapping[str, LedgerItem], only: int | None) -> _Context:
    days = current_app.config["PORTAL_SETTINGS"].deadline_days
    return _Context(today, work_calendar(today), days, existing, only)


def refresh_subject(subject_type: str, subject_id: int, today: date) -> LedgerChanges:
    """Derive the items of one case ("case"), record ("record"), meeting ("meeting"), letter ("letter"), commitment
    ("commitment"), campaign ("campaign") or filing ("complaint", "objection", "repair") now, and flush."""
    source_name = next((name for name, types in _SUBJECT_TYPES.items() if subject_type in types), subject_type)
    existing = _existing((LedgerItem.subject_type == subject_type) & (LedgerItem.subject_id == subject_id))
    ctx = _context(today, existing, subject_id)
    dues = SOURCES[source_name](ctx)
    if source_name == "complaint":
        dues = (due for due in dues if due.subject_type == subject_type)
    changes = _sync(dues, existing, today)
    db.session.flush()
    return changes


def refresh_ledger(today: date) -> LedgerChanges:
    """The daily job: derive every item the rules ask for on `today`, write what changed, and note the run (the
    caller commits). Run twice, the second run changes nothing."""
    run = SupervisionRun(run_for=today, started_at=utcnow())
    existing = _existing(true())
    ctx = _context(today, existing, None)
    changes = _sync((due for source in SOURCES.values() for due in source(ctx)), existing, today)
    run.opened, run.changed, run.closed = changes.opened, changes.changed, changes.closed
    run.finished_at = utcnow()
    db.session.add(run)
    db.session.flush()
    return changes


def close_item(
    item: LedgerItem,
    how: ClosedHow,
    on: date,
    *,
    by: Any | None,
    note: str = "",
    letter: Letter | None = None,
    meeting: Meeting | None = None,
) -> None:
    """Close `item` on `on`, saying how (and by whom, with the letter or meeting that closed it)."""
    item.closed_on = on
    item.closed_how = how
    item.closed_note = note
    item.closed_by_id = by.id if by is not None else None
    if letter is not None:
        item.letter_id = letter.id
    if meeting is not None:
        item.meeting_id = meeting.id
