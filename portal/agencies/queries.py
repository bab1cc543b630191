"""Read-only queries for the agency pages and their feeds."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort
from sqlalchemy import Select, select

from portal.agencies.models import Agency, PositiveItem
from portal.agencies.rules import AgencyKind, AgencyStatus
from portal.core.uscc import is_valid_uscc, normalise
from portal.extensions import db


def active_agencies(kinds: Iterable[AgencyKind] | None = None) -> list[Agency]:
    """The agencies neither closed nor merged (of `kinds`, if given), by region, kind and name: the choices of every
    form that names a body a new case, letter, meeting or campaign concerns."""
    query = select(Agency).where(Agency.status == AgencyStatus.ACTIVE)
    if kinds is not None:
        query = query.where(Agency.kind.in_(list(kinds)))
    return list(db.session.scalars(query.order_by(Agency.region_code, Agency.kind, Agency.name)))


def agency_or_404(uscc: str) -> Agency:
    """The agency with this 统一社会信用代码; anything that is not a valid code is 404 before any query."""
    code = normalise(uscc)
    agency = db.session.scalar(select(Agency).where(Agency.uscc == code)) if is_valid_uscc(code) else None
    if agency is None:
        abort(404)
    return agency


def parent_map() -> dict[int, int | None]:
    """Every agency's parent (one query): what the loop check walks."""
    return {agency_id: parent_id for agency_id, parent_id in db.session.execute(select(Agency.id, Agency.parent_id))}


def descendant_ids(agency_id: int) -> Select[tuple[int]]:
    """The ids of every body under the agency (children, their children, ...) as one recursive query to use inside
    another; the agency itself is not among them. A loop (which the registry refuses) would end the walk, not hang
    it: UNION drops the rows already found."""
    tree = select(Agency.id).where(Agency.parent_id == agency_id).cte("tree", recursive=True)
    tree = tree.union(select(Agency.id).join(tree, Agency.parent_id == tree.c.id))
    return select(tree.c.id)


def uscc_taken(uscc: str) -> bool:
    return db.session.scalar(select(Agency.id).where(Agency.uscc == uscc)) is not None


def shown_positive_items(agency_id: int) -> Select[tuple[PositiveItem]]:
    """The agency's positive information as the public sees it: not removed, newest first."""
    return (
        select(PositiveItem)
        .where(PositiveItem.agency_id == agency_id, PositiveItem.removed_at.is_(None))
        .order_by(PositiveItem.awarded_on.desc(), PositiveItem.id.desc())
    )
