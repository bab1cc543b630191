"""The roll-up of a government's 诚信档案: for the agency and every body under it (all descendants by parent), the
public records, open rectifications, public commitments and money owed on arrears records — never one query per
body.

Summing a county's whole tree reads most of the records table (every public record and its rectification), some
hundreds of milliseconds at 100,000 records. So the figures are kept per process, for the agency, the bodies under
it and the day, until anything they count changes: the version is the latest write to records, commitments and
rectifications and the latest search-outbox entry (which every operation on a public item, an agency's parent
included, writes) — one statement of index look-ups, as the feeds' Last-Modified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from portal.agencies.models import Agency
from portal.agencies.queries import descendant_ids
from portal.commitments.models import Commitment
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.records.queries import amount_owed_by_agencies
from portal.rectifications.models import Rectification


@dataclass(frozen=True)
class BodyFigures:
    agency: Agency
    records: int
    open_rectifications: int
    commitments: int
    owed: int  # fen


@dataclass(frozen=True)
class Rollup:
    own: BodyFigures
    bodies: list[BodyFigures]  # the bodies under the agency, by region, kind and name

    @property
    def rows(self) -> list[BodyFigures]:
        return [self.own, *self.bodies]

    @property
    def records(self) -> int:
        return sum(b.records for b in self.rows)

    @property
    def open_rectifications(self) -> int:
        return sum(b.open_rectifications for b in self.rows)

    @property
    def commitments(self) -> int:
        return sum(b.commitments for b in self.rows)

    @property
    def owed(self) -> int:
        return sum(b.owed for b in self.rows)


Counts = dict[int, tuple[int, int, int, int]]  # agency id -> (records, open rectifications, commitments, owed fen)
Version = tuple[Any, ...]

_VERSION = select(
    select(func.max(Record.updated_at)).scalar_subquery(),
    select(func.max(Commitment.updated_at)).scalar_subquery(),
    select(func.max(Rectification.updated_at)).scalar_subquery(),
    select(func.max(OutboxEntry.id)).scalar_subquery(),
)
# (database, agency id, bodies' ids, day) -> (version, counts); bounded: dropped whole when it grows past _MOST
_CACHE: dict[tuple[str, int, tuple[int, ...], date], tuple[Version, Counts]] = {}
_MOST = 1000


def _counts(ids: list[int], today: date) -> Counts:
    """Every body's figures: one statement of correlated counts (each walks an index by agency), one of money."""
    records = (
        select(func.count())
        .where(Record.agency_id == Agency.id, Record.public_clause(today))
        .correlate(Agency)
        .scalar_subquery()
    )
    open_rectifications = (
        select(func.count())
        .select_from(Rectification)
        .join(Rectification.record)
        .where(Record.agency_id == Agency.id, Record.public_clause(today), Rectification.outcome.is_(None))
        .correlate(Agency)
        .scalar_subquery()
    )
    commitments = (
        select(func.count())
        .where(Commitment.agency_id == Agency.id, Commitment.public_clause())
        .correlate(Agency)
        .scalar_subquery()
    )
    rows = db.session.execute(select(Agency.id, records, open_rectifications, commitments).where(Agency.id.in_(ids)))
    owed = amount_owed_by_agencies(ids, today)
    return {agency_id: (int(n), int(o), int(c), owed.get(agency_id, 0)) for agency_id, n, o, c in rows}


def _version() -> Version:
    return tuple(_plain(value) for value in db.session.execute(_VERSION).one())


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def rollup(agency: Agency, today: date) -> Rollup | None:
    """The agency's figures and those of every body under it; None when no body is under it."""
    bodies = db.session.scalars(
        select(Agency)
        .where(or_(Agency.id == agency.id, Agency.id.in_(descendant_ids(agency.id))))
        .order_by(Agency.region_code, Agency.kind, Agency.name)
    ).all()
    if len(bodies) < 2:
        return None
    ids = sorted(b.id for b in bodies)
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], agency.id, tuple(ids), today)
    version = _version()
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        counts = cached[1]
    else:
        counts = _counts(ids, today)
        if len(_CACHE) >= _MOST:
            _CACHE.clear()
        _CACHE[key] = (version, counts)
    figures = [BodyFigures(body, *counts.get(body.id, (0, 0, 0, 0))) for body in bodies]
    own = next(f for f in figures if f.agency.id == agency.id)
    return Rollup(own=own, bodies=[f for f in figures if f is not own])
