"""Use cases that change commitments: rules checked, state changed, audit written, flushed; the caller commits."""

from __future__ import annotations

from datetime import date

from portal.audit.operations import write_audit
from portal.commitments.models import Commitment, FulfilmentEntry
from portal.commitments.rules import Fulfilment, check_fulfilment
from portal.extensions import db
from portal.search.operations import enqueue


def determine_fulfilment(
    commitment: Commitment, new: Fulfilment, on: date, *, determined_by: str, note: str = "", actor: str
) -> FulfilmentEntry:
    """Record that `determined_by` found the commitment `new` on `on` (InvalidFulfilment if the table forbids)."""
    old = Fulfilment(commitment.fulfilment)
    check_fulfilment(old, new)
    if not determined_by.strip():
        raise ValueError("the unit that determined the fulfilment must be named")
    entry = FulfilmentEntry(fulfilment=new.value, determined_on=on, determined_by=determined_by, note=note)
    commitment.fulfilment_history.append(entry)
    commitment.fulfilment = new.value
    write_audit(
        "commitment.fulfilment",
        "commitment",
        commitment.code,
        {"fulfilment": [old.value, new.value], "determined_on": [None, on.isoformat()]},
        actor=actor,
        reason=note or None,
    )
    enqueue(f"commitment:{commitment.code}")
    db.session.flush()
    return entry
