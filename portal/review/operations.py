"""Deciding a submission: approve (publish what it carries), return it to the officer, or reject it. One decision,
its audit entry and any search outbox row go into the same transaction; the view commits once.

What a decision does to the item a submission carries is the item's feature's business: each feature registers
its decider for its kind of submission with `@on_decision(kind)` (commitments: letters and fulfilment;
rectifications: progress), so review imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from portal.audit.operations import write_audit
from portal.db_types import utcnow
from portal.extensions import db
from portal.review.models import Submission
from portal.review.rules import SubmissionKind, SubmissionStatus, check_decision
from portal.users.models import User

Decider = Callable[[Submission, SubmissionStatus, date, User], None]
_DECIDERS: dict[SubmissionKind, Decider] = {}


def on_decision(kind: SubmissionKind) -> Callable[[Decider], Decider]:
    """Decorator: `decider(submission, decision, today, by)` carries out decisions on submissions of `kind`."""

    def register(decider: Decider) -> Decider:
        _DECIDERS[kind] = decider
        return decider

    return register


def decide(submission: Submission, decision: SubmissionStatus, reason: str, today: date, *, by: User) -> None:
    check_decision(submission.status, decision, reason)
    kind = submission.kind
    _DECIDERS[kind](submission, decision, today, by)
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
