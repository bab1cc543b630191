"""Handing out public numbers."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.receipts.models import NumberSequence
from portal.receipts.rules import format_number


def next_number(prefix: str, year: int) -> str:
    """The next number for prefix and year, in the caller's transaction (the row stays locked until it commits)."""
    name = f"{prefix}-{year}"
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(NumberSequence).values(name=name, last=0).on_conflict_do_nothing())
    serial = db.session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(last=NumberSequence.last + 1)
        .returning(NumberSequence.last)
    ).scalar_one()
    return format_number(prefix, year, serial)
