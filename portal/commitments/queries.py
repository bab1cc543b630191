"""Read-only queries for the public commitment pages, the list and its feeds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment
from portal.listing import choice, uscc_param

FILTERS = {
    "type": choice(t.value for t in CommitmentType),
    "subject": choice(s.value for s in CommitmentSubject),
    "fulfilment": choice(f.value for f in Fulfilment),
    "agency": uscc_param,
}


def public_commitments(filters: dict[str, Any]) -> Select[Any]:
    """Public commitments, newest first, narrowed by the list filters (the list and its feeds)."""
    query = (
        select(Commitment)
        .where(Commitment.public_clause())
        .options(joinedload(Commitment.agency), joinedload(Commitment.letter))
        .order_by(Commitment.made_on.desc(), Commitment.id.desc())
    )
    for name in ("type", "subject", "fulfilment"):
        if name in filters:
            query = query.where(getattr(Commitment, name) == filters[name])
    if "agency" in filters:
        query = query.where(
            Commitment.agency_id == select(Agency.id).where(Agency.uscc == filters["agency"]).scalar_subquery()
        )
    return query
