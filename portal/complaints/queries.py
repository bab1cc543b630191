"""Questions about complaints that several pages ask."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from portal.complaints.models import Complaint


def published_complaints(agency_id: int | None = None) -> Select[Any]:
    """Published complaints (closed, with consent, their public version written), newest closed first, as
    /complaints/, its feeds and the open data list them; of one agency if given."""
    query = select(Complaint).where(Complaint.published)
    if agency_id is not None:
        query = query.where(Complaint.agency_id == agency_id)
    return query.order_by(Complaint.closed_on.desc(), Complaint.id.desc())
