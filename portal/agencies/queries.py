"""Read-only queries for the agency pages and their feeds."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.core.uscc import is_valid_uscc, normalise
from portal.extensions import db


def agency_or_404(uscc: str) -> Agency:
    """The agency with this 统一社会信用代码; anything that is not a valid code is 404 before any query."""
    code = normalise(uscc)
    agency = db.session.scalar(select(Agency).where(Agency.uscc == code)) if is_valid_uscc(code) else None
    if agency is None:
        abort(404)
    return agency
