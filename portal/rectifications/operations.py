"""Use cases for rectifications: the plan (staff set it up, or the officer drafts it for review; staff adjust it,
kept as 调整记录), progress (the officer reports, review approves), and the result (staff record it, or confirm the
officer's report of 履行完毕); the record then becomes 已履行. Every public change moves the record's and the
outcome's `updated` time and writes outbox rows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from portal.audit.operations import write_audit
from portal.core.uploads import CheckedFile
from portal.db_types import utcnow
from portal.errors import InputRefusedError, NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import keep_upload
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from portal.rectifications.models import PlanRevision, PlanStep, ProgressEntry, Rectification
from portal.rectifications.rules import (
    Outcome,
    OutcomeProblem,
    Plan,
    outcome_problem,
    plan_changes,
    plan_problems,
    steps_text,
)
from portal.review.models import Submission
from portal.review.operations import on_decision
from portal.review.queries import pending
from portal.review.rules import SubmissionKind, SubmissionStatus
from portal.users.models import User


def report_progress(
    record: Record, on: date, text: str, evidence: list[CheckedFile], files_dir: Path, today: date, *, by: User
) -> Submission:
    """The officer's dated progress entry with its evidence files, waiting for review. The files are stored only
    once the report is allowed."""
    rectification = record.rectification
    if rectification is None:
        raise NotAllowedError(_l("该记录尚未建立整改台账，请联系信用办。"))
    if rectification.outcome is not None:
        raise NotAllowedError(_l("该记录的整改已经办结，不能再报告进展。"))
    if not record.is_public(today):
        raise NotAllowedError(_l("该记录已停止公示。"))
    if on > today:
        raise NotAllowedError(_l("进展日期不能晚于今天。"))
    submission = Submission(
        kind=SubmissionKind.PROGRESS.value,
        agency_id=record.agency_id,
        record_id=record.id,
        submitted_by_id=by.id,
        payload={"entry_date": on.isoformat(), "text": text, "files": [keep_upload(f, files_dir) for f in evidence]},
    )
    db.session.add(submission)
    db.session.flush()
    write_audit("rectification.progress_reported", "record", record.id, {"entry_date": [None, on.isoformat()]}, by=by)
    return submission


def add_progress(record: Record, on: date, text: str, evidence: str, *, by: User) -> ProgressEntry:
    """Approved progress becomes a public entry; a record still 公示中 is now 整改中."""
    rectification = record.rectification
    assert rectification is not None
    entry = ProgressEntry(rectification_id=rectification.id, entry_date=on, text=text, evidence=evidence)
    db.session.add(entry)
    rectification.progress.append(entry)
    if record.status is RecordStatus.PUBLIC:
        change_status(record, RecordStatus.RECTIFYING, on, reason="", actor=by.username)
    _touch(record, rectification)
    db.session.flush()
    write_audit(
        "rectification.progress", "rectification", rectification.id, {"entry_date": [None, on.isoformat()]}, by=by
    )
    return entry


@on_decision(SubmissionKind.PROGRESS)
def _decide_progress(submission: Submission, decision: SubmissionStatus, today: date, by: User) -> None:
    """Approved: the reported progress becomes a public entry (a returned or rejected report changes nothing)."""
    if decision is not SubmissionStatus.APPROVED:
        return
    assert submission.record is not None
    payload = submission.payload
    evidence = "、".join(f["name"] for f in submission.files)
    add_progress(submission.record, date.fromisoformat(payload["entry_date"]), payload["text"], evidence, by=by)


# --- the plan (整改方案) ---------------------------------------------------------------------------------------------


class PlanRefusedError(InputRefusedError):
    """A plan the rules refuse; `problems` maps a field (`deadline`, `steps`, `steps-<n>-deadline`, n counting the
    measures entered) to its message."""


def _check_plan(record: Record, plan: Plan) -> None:
    problems = plan_problems(plan, record.decision_date)
    if problems:
        raise PlanRefusedError({name: problem.label for name, problem in problems.items()})


def _touch(record: Record, rectification: Rectification) -> None:
    """A public change to the case: both items' `updated` time moves (every feed reads one of them) and the search
    outbox hears of both."""
    now = utcnow()
    record.updated_at = now
    rectification.updated_at = now
    changed(item_key(ItemType.RECORD, record.id), item_key(ItemType.OUTCOME, rectification.id))


def _check_plan_allowed(record: Record, today: date) -> None:
    if record.rectification is not None:
        raise NotAllowedError(_l("该记录已经有整改方案，请在原方案上调整。"))
    if not record.is_public(today):
        raise NotAllowedError(_l("该记录已停止公示。"))


def create_plan(record: Record, plan: Plan, today: date, *, by: User) -> Rectification:
    """Staff set up the record's plan (一案一策, 沈政办发〔2018〕117号 二(三)): published at once, audited."""
    _check_plan_allowed(record, today)
    _check_plan(record, plan)
    rectification = Rectification(
        record=record,
        responsible_unit=plan.responsible_unit,
        responsible_post=plan.responsible_post,
        deadline=plan.deadline,
        steps=[PlanStep(position=n, text=s.text, deadline=s.deadline) for n, s in enumerate(plan.steps)],
    )
    db.session.add(rectification)
    db.session.flush()
    _touch(record, rectification)
    write_audit(
        "rectification.plan_created",
        "rectification",
        rectification.id,
        {name: [None, value] for name, value in _plan_values(plan).items()},
        by=by,
    )
    db.session.flush()
    return rectification


def _plan_values(plan: Plan) -> dict[str, str]:
    return {
        "responsible_unit": plan.responsible_unit,
        "responsible_post": plan.responsible_post,
        "steps": steps_text(plan.steps),
        "deadline": plan.deadline.isoformat(),
    }


def submit_plan(record: Record, plan: Plan, today: date, *, by: User) -> Submission:
    """The agency's officer drafts the plan and sends it to review; approved, it is published as staff would."""
    _check_plan_allowed(record, today)
    _check_plan(record, plan)
    if pending(SubmissionKind.PLAN, record_id=record.id) is not None:
        raise NotAllowedError(_l("该记录已有一份整改方案在等待审核。"))
    submission = Submission(
        kind=SubmissionKind.PLAN.value,
        agency_id=record.agency_id,
        record_id=record.id,
        submitted_by_id=by.id,
        payload=plan.as_payload(),
    )
    db.session.add(submission)
    db.session.flush()
    write_audit("rectification.plan_submitted", "record", record.id, {"submission": [None, str(submission.id)]}, by=by)
    return submission


@on_decision(SubmissionKind.PLAN)
def _decide_plan(submission: Submission, decision: SubmissionStatus, today: date, by: User) -> None:
    """Approved: the drafted plan is published (refused if the record got a plan or stopped meanwhile)."""
    if decision is not SubmissionStatus.APPROVED:
        return
    assert submission.record is not None
    create_plan(submission.record, Plan.from_payload(submission.payload), today, by=by)


def revise_plan(rectification: Rectification, plan: Plan, reason: str, today: date, *, by: User) -> PlanRevision:
    """Staff adjust a published plan: the change is kept and shown publicly as 调整记录 (old → new, date, reason).
    Measures keep their dates done where their text stays the same."""
    record = rectification.record
    if rectification.outcome is not None:
        raise NotAllowedError(_l("该记录的整改已经办结，不能再调整方案。"))
    if not reason.strip():
        raise RefusedError(_l("请说明调整理由。"), field="reason")
    _check_plan(record, plan)
    changes = plan_changes(rectification.as_plan(), plan)
    if not changes:
        raise RefusedError(_l("方案没有任何改动。"))
    done = {s.text: s.done_on for s in rectification.steps}
    rectification.responsible_unit = plan.responsible_unit
    rectification.responsible_post = plan.responsible_post
    rectification.deadline = plan.deadline
    rectification.steps = [
        PlanStep(position=n, text=s.text, deadline=s.deadline, done_on=done.get(s.text))
        for n, s in enumerate(plan.steps)
    ]
    revision = PlanRevision(
        rectification_id=rectification.id, revised_on=today, changes=changes, reason=reason.strip(), actor_id=by.id
    )
    db.session.add(revision)
    rectification.revisions.append(revision)
    _touch(record, rectification)
    db.session.flush()
    write_audit("rectification.plan_revised", "rectification", rectification.id, changes, reason=reason.strip(), by=by)
    return revision


def mark_step_done(rectification: Rectification, step_id: int, on: date, today: date, *, by: User) -> PlanStep:
    """Staff mark one measure 已完成 on the day it was done."""
    step = next((s for s in rectification.steps if s.id == step_id), None)
    if step is None:
        raise RefusedError(_l("请选择方案中的一项措施。"), field="step")
    if step.done_on is not None:
        raise NotAllowedError(_l("这项措施已经完成。"))
    if on > today:
        raise RefusedError(_l("完成日期不能晚于今天。"), field="done_on")
    if on < rectification.record.decision_date:
        raise RefusedError(_l("完成日期不能早于决定日期。"), field="done_on")
    step.done_on = on
    _touch(rectification.record, rectification)
    db.session.flush()
    write_audit(
        "rectification.step_done", "rectification", rectification.id, {f"step:{step.id}": [None, on.isoformat()]}, by=by
    )
    return step


# --- the result ----------------------------------------------------------------------------------------------------


def _check_outcome(record: Record, finished_on: date, today: date) -> Rectification:
    rectification = record.rectification
    if rectification is None:
        raise NotAllowedError(_l("该记录尚未建立整改方案，请先建立整改方案。"))
    if not record.is_public(today):
        raise NotAllowedError(_l("该记录已停止公示。"))
    problem = outcome_problem(rectification.outcome, finished_on, record.decision_date, today)
    if problem is OutcomeProblem.FINISHED:
        raise NotAllowedError(problem.label)
    if problem is not None:
        raise RefusedError(problem.label, field="finished_on")
    return rectification


def record_outcome(
    record: Record,
    outcome: Outcome,
    finished_on: date,
    basis: str,
    summary: str,
    today: date,
    *,
    reason: str | None,
    by: User,
) -> Rectification:
    """The case ends in a result (履行完毕, 达成和解 or 销案, 沈政办发〔2018〕117号 二(三)) with its date and basis; the
    record becomes 已履行. Staff doing it directly give a reason (kept in the audit log); a confirmed officer's report
    carries none."""
    rectification = _check_outcome(record, finished_on, today)
    if reason is not None and not reason.strip():
        raise RefusedError(_l("请说明直接登记整改结果的理由。"), field="reason")
    if not basis.strip():
        raise RefusedError(_l("请填写认定依据。"), field="basis")
    rectification.outcome = outcome
    rectification.finished_on = finished_on
    rectification.outcome_basis = basis.strip()
    rectification.outcome_summary = summary.strip()
    if record.status is not RecordStatus.FULFILLED:
        change_status(record, RecordStatus.FULFILLED, finished_on, reason=basis.strip(), by=by)
    _touch(record, rectification)
    db.session.flush()
    write_audit(
        "rectification.outcome",
        "rectification",
        rectification.id,
        {"outcome": [None, outcome.value], "finished_on": [None, finished_on.isoformat()], "basis": [None, basis]},
        reason=reason.strip() if reason else None,
        by=by,
    )
    return rectification


def report_completion(
    record: Record,
    finished_on: date,
    basis: str,
    summary: str,
    evidence: list[CheckedFile],
    files_dir: Path,
    today: date,
    *,
    by: User,
) -> Submission:
    """The officer reports 履行完毕 with its evidence; staff confirm it in the review queue."""
    _check_outcome(record, finished_on, today)
    if not evidence:
        raise RefusedError(_l("请上传履行完毕的佐证材料。"), field="evidence")
    if pending(SubmissionKind.COMPLETION, record_id=record.id) is not None:
        raise NotAllowedError(_l("该记录已有一份履行完毕的报告在等待确认。"))
    submission = Submission(
        kind=SubmissionKind.COMPLETION.value,
        agency_id=record.agency_id,
        record_id=record.id,
        submitted_by_id=by.id,
        payload={
            "finished_on": finished_on.isoformat(),
            "basis": basis.strip(),
            "summary": summary.strip(),
            "files": [keep_upload(f, files_dir) for f in evidence],
        },
    )
    db.session.add(submission)
    db.session.flush()
    write_audit(
        "rectification.completion_reported",
        "record",
        record.id,
        {"finished_on": [None, finished_on.isoformat()]},
        by=by,
    )
    return submission


@on_decision(SubmissionKind.COMPLETION)
def _decide_completion(submission: Submission, decision: SubmissionStatus, today: date, by: User) -> None:
    """Confirmed: the case ends 履行完毕 and the record becomes 已履行, dated as reported."""
    if decision is not SubmissionStatus.APPROVED:
        return
    assert submission.record is not None
    payload = submission.payload
    record_outcome(
        submission.record,
        Outcome.PERFORMED,
        date.fromisoformat(payload["finished_on"]),
        payload["basis"],
        payload["summary"],
        today,
        reason=None,
        by=by,
    )


OVERDUE_LOOKBACK_DAYS = 7  # a daily job that missed a few days still catches up


def note_newly_overdue(today: date) -> int:
    """Tell search about the cases that became 逾期未整改 in the last week (their deadline or an open measure's passed,
    新信用发〔2018〕6号 (五)): nothing else changes on that day, yet the record's search text now says 逾期未整改
    (search/documents.py state_words). Run daily by `records expire`; noting a case twice is harmless. Returns how
    many records were noted."""
    since = today - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    late_step = exists().where(
        PlanStep.rectification_id == Rectification.id,
        PlanStep.done_on.is_(None),
        PlanStep.deadline >= since,
        PlanStep.deadline < today,
    )
    late = (Rectification.deadline >= since) & (Rectification.deadline < today)
    records = db.session.scalars(
        select(Rectification.record_id).where(Rectification.outcome.is_(None), late | late_step)
    ).all()
    if records:
        changed(*(item_key(ItemType.RECORD, record_id) for record_id in records))
    return len(records)
