"""Handing out public numbers."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.receipts.models import NumberSequence
from portal.receipts.rules import format_number, normalise_number, secret_matches

M = TypeVar("M")


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


def by_receipt(model: type[M], number: str, secret: str) -> M | None:
    """The complaint or objection whose receipt this is. A wrong secret and an unknown number are the same None,
    and cost the same (the secret is compared in constant time even when the number is unknown)."""
    number = normalise_number(number)
    column: Any = model.number  # type: ignore[attr-defined]
    item = db.session.scalar(select(model).where(column == number)) if number else None
    return item if secret_matches(secret, item.secret_hash if item is not None else None) else None  # type: ignore[attr-defined]
