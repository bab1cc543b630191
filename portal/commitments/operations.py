"""Use cases that change commitments: rules checked, state changed, audit written, flushed; the caller commits."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.operations import write_audit
from portal.commitments.models import Commitment, FulfilmentEntry
from portal.commitments.rules import FULFILMENT_TRANSITIONS, DraftState, Fulfilment, commitment_code
from portal.core.transitions import check_transition
from portal.core.uploads import CheckedFile
from portal.db_types import utcnow
from portal.errors import NotAllowedError
from portal.extensions import db
from portal.files.operations import store_bytes
from portal.outbox import ItemType, changed, item_key
from portal.review.models import Submission
from portal.review.operations import on_decision
from portal.review.queries import pending
from portal.review.rules import SubmissionKind, SubmissionStatus
from portal.users.models import User

DRAFT_FIELDS = (
    "title",
    "type",
    "subject",
    "reason",
    "content",
    "liability",
    "made_on",
    "valid_until",
    "accepting_unit",
    "scope",
)


def determine_fulfilment(
    commitment: Commitment, new: Fulfilment, on: date, *, determined_by: str, note: str = "", actor: str
) -> FulfilmentEntry:
    """Record that `determined_by` found the commitment `new` on `on` (core.transitions.TransitionError if the
    table forbids it)."""
    old = Fulfilment(commitment.fulfilment)
    check_transition(FULFILMENT_TRANSITIONS, old, new)
    if not determined_by.strip():
        raise ValueError("the unit that determined the fulfilment must be named")
    entry = FulfilmentEntry(fulfilment=new.value, determined_on=on, determined_by=determined_by, note=note)
    commitment.fulfilment_history.append(entry)
    commitment.fulfilment = new
    write_audit(
        "commitment.fulfilment",
        "commitment",
        commitment.code,
        {"fulfilment": [old.value, new.value], "determined_on": [None, on.isoformat()]},
        actor=actor,
        reason=note or None,
    )
    changed(item_key(ItemType.COMMITMENT, commitment.code))
    db.session.flush()
    return entry


def save_draft(
    commitment: Commitment | None, values: dict[str, Any], letter: CheckedFile | None, files_dir: Path, *, by: User
) -> Commitment:
    """Create the officer's draft for their agency, or change one that is still editable (draft or returned)."""
    if by.agency_id is None:
        raise NotAllowedError(_l("只有机构填报员可以起草承诺书。"))
    if commitment is None:
        commitment = Commitment(
            agency_id=by.agency_id,
            state=DraftState.DRAFT.value,
            fulfilment=Fulfilment.IN_PROGRESS.value,
            created_by_id=by.id,
        )
        db.session.add(commitment)
        old: dict[str, Any] = {}
    elif not commitment.is_editable:
        raise NotAllowedError(_l("已提交或已发布的承诺书不能再修改。"))
    else:
        old = {name: getattr(commitment, name) for name in DRAFT_FIELDS} | {"letter": commitment.letter_sha256}
    for name in DRAFT_FIELDS:
        setattr(commitment, name, values[name])
    if letter is not None:
        commitment.letter_sha256 = store_bytes(letter.data, letter.kind.value, files_dir).sha256
    db.session.flush()
    new = {name: getattr(commitment, name) for name in DRAFT_FIELDS} | {"letter": commitment.letter_sha256}
    changes = {k: [_plain(old.get(k)), _plain(v)] for k, v in new.items() if old.get(k) != v}
    write_audit("commitment.draft", "commitment_draft", commitment.id, changes, by=by)
    return commitment


def submit_for_review(commitment: Commitment, *, by: User) -> Submission:
    """Lock the draft and put it in the review queue. It needs its signed letter."""
    if not commitment.is_editable:
        raise NotAllowedError(_l("该承诺书已经提交过了。"))
    if commitment.letter_sha256 is None:
        raise NotAllowedError(_l("提交审核前请先上传签章承诺书（PDF）。"))
    commitment.state = DraftState.SUBMITTED
    submission = Submission(
        kind=SubmissionKind.COMMITMENT.value,
        agency_id=commitment.agency_id,
        commitment_id=commitment.id,
        submitted_by_id=by.id,
        payload={"title": commitment.title, "letter": commitment.letter_sha256},
    )
    db.session.add(submission)
    db.session.flush()
    write_audit("commitment.submit", "commitment_draft", commitment.id, {"state": ["draft", "submitted"]}, by=by)
    return submission


def publish(commitment: Commitment, *, by: User) -> None:
    """Approved: give it its code (region + date made + serial) and publish it."""
    region = commitment.agency.region_code[:6]
    prefix = f"{region}{commitment.made_on:%Y%m%d}"
    last = db.session.scalar(select(func.max(Commitment.code)).where(Commitment.code.like(f"{prefix}%")))
    commitment.code = commitment_code(region, commitment.made_on, int(last[-6:]) + 1 if last else 1)
    commitment.state = DraftState.PUBLISHED
    commitment.published_at = utcnow()
    db.session.flush()
    write_audit(
        "commitment.publish",
        "commitment",
        commitment.code,
        {"state": ["submitted", "published"], "code": [None, commitment.code], "draft": [None, commitment.id]},
        by=by,
    )
    changed(item_key(ItemType.COMMITMENT, commitment.code))


def propose_fulfilment(
    commitment: Commitment, new: Fulfilment, on: date, determined_by: str, note: str, today: date, *, by: User
) -> Submission:
    """The officer reports how a published commitment was fulfilled; staff review it before it is shown."""
    if commitment.state != DraftState.PUBLISHED.value:
        raise NotAllowedError(_l("只有已发布的承诺才能报告履行情况。"))
    check_transition(FULFILMENT_TRANSITIONS, Fulfilment(commitment.fulfilment), new)
    if on > today:
        raise NotAllowedError(_l("认定日期不能晚于今天。"))
    if pending(SubmissionKind.FULFILMENT, commitment_id=commitment.id) is not None:
        raise NotAllowedError(_l("该承诺的履行情况报告正在等待审核，请勿重复提交。"))
    submission = Submission(
        kind=SubmissionKind.FULFILMENT.value,
        agency_id=commitment.agency_id,
        commitment_id=commitment.id,
        submitted_by_id=by.id,
        payload={
            "fulfilment": new.value,
            "determined_on": on.isoformat(),
            "determined_by": determined_by,
            "note": note,
        },
    )
    db.session.add(submission)
    db.session.flush()
    write_audit(
        "commitment.fulfilment_reported", "commitment", commitment.code, {"fulfilment": [None, new.value]}, by=by
    )
    return submission


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@on_decision(SubmissionKind.COMMITMENT)
def _decide_letter(submission: Submission, decision: SubmissionStatus, today: date, by: User) -> None:
    """Approved: the letter is published; returned or rejected: the draft says so."""
    commitment = submission.commitment
    assert commitment is not None
    if decision is SubmissionStatus.APPROVED:
        publish(commitment, by=by)
    else:
        commitment.state = DraftState.RETURNED if decision is SubmissionStatus.RETURNED else DraftState.REJECTED


@on_decision(SubmissionKind.FULFILMENT)
def _decide_fulfilment(submission: Submission, decision: SubmissionStatus, today: date, by: User) -> None:
    """Approved: the reported fulfilment is determined (a returned or rejected report changes nothing)."""
    if decision is not SubmissionStatus.APPROVED:
        return
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
