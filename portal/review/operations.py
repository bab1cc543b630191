"""Deciding a submission: approve (publish what it carries), return it to the officer, or reject it. One decision,
its audit entry and any search outbox row go into the same transaction; the view commits once."""

from __future__ import annotations

from datetime import date

from portal.audit.operations import write_audit
from portal.commitments.operations import determine_fulfilment, publish
from portal.commitments.rules import DraftState, Fulfilment
from portal.db_types import utcnow
from portal.extensions import db
from portal.rectifications.operations import add_progress
from portal.review.models import Submission
from portal.review.rules import SubmissionKind, SubmissionStatus, check_decision
from portal.users.models import User

APPROVE, RETURN, REJECT = SubmissionStatus.APPROVED, SubmissionStatus.RETURNED, SubmissionStatus.REJECTED


def decide(submission: Submission, decision: SubmissionStatus, reason: str, today: date, *, by: User) -> None:
    check_decision(submission.status, decision, reason)
    kind = submission.kind
    if kind is SubmissionKind.COMMITMENT:
        _decide_commitment(submission, decision, by)
    elif decision is APPROVE and kind is SubmissionKind.PROGRESS:
        assert submission.record is not None
        payload = submission.payload
        evidence = "、".join(f["name"] for f in submission.files)
        add_progress(submission.record, date.fromisoformat(payload["entry_date"]), payload["text"], evidence, by=by)
    elif decision is APPROVE and kind is SubmissionKind.FULFILMENT:
        assert submission.commitment is not None
        payload = submission.payload
        determine_fulfilment(
            submission.commitment,
            Fulfilment(payload["fulfilment"]),
            date.fromisoformat(payload["determined_on"]),
            determined_by=payload["determined_by"],
            note=payload.get("note", ""),
            actor=by.username,
        )
    submission.status = decision
    submission.decided_by_id = by.id
    submission.decided_at = utcnow()
    submission.decision_reason = reason.strip() or None
    write_audit(
        f"submission.{decision.value}",
        "submission",
        submission.id,
        {"status": [SubmissionStatus.PENDING.value, decision.value], "kind": [None, kind.value]},
        reason=reason.strip() or None,
        by=by,
    )
    db.session.flush()


def _decide_commitment(submission: Submission, decision: SubmissionStatus, by: User) -> None:
    commitment = submission.commitment
    assert commitment is not None
    if decision is APPROVE:
        publish(commitment, by=by)
    else:
        commitment.state = DraftState.RETURNED if decision is RETURN else DraftState.REJECTED
