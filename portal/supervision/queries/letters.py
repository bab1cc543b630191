"""Questions about the credit office's letters: the year's next 文号, whether one is taken, the letters list (all of
them for staff, an agency's for its officers), the ledger item a letter closed, and the replies still awaited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from portal.agencies.models import Agency
from portal.extensions import db
from portal.supervision.models import LedgerItem, Letter
from portal.supervision.rules import LetterKind


def next_serial(year: int) -> int:
    """The next number of the year's sequence: one more than the highest used (1 for the year's first letter). A
    number staff chose out of order is not reused: the sequence goes on after the highest."""
    highest = db.session.scalar(select(func.max(Letter.serial)).where(Letter.year == year))
    return (highest or 0) + 1


def serial_taken(year: int, serial: int) -> Letter | None:
    """The letter that already carries this year's number `serial`, if any."""
    return db.session.scalar(select(Letter).where(Letter.year == year, Letter.serial == serial))


def listed(
    kind: LetterKind | None = None,
    agency_id: int | None = None,
    replied: bool | None = None,
) -> Select[Any]:
    """Letters, newest first (by year and number); of one kind, to one agency, replied or awaiting a reply."""
    query = select(Letter).options(joinedload(Letter.agency))
    if kind is not None:
        query = query.where(Letter.kind == kind.value)
    if agency_id is not None:
        query = query.where(Letter.agency_id == agency_id)
    if replied is True:
        query = query.where(Letter.replied_on.is_not(None))
    elif replied is False:
        query = query.where(Letter.replied_on.is_(None), Letter.reply_due.is_not(None))
    return query.order_by(Letter.year.desc(), Letter.serial.desc(), Letter.id.desc())


def agencies_written_to() -> list[Agency]:
    """The agencies that have letters (the list's agency filter)."""
    ids = select(Letter.agency_id).distinct()
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)))


def items_closed_by(letter_id: int) -> list[LedgerItem]:
    """The ledger items this letter closed (one, when it was sent for an item)."""
    return list(db.session.scalars(select(LedgerItem).where(LedgerItem.letter_id == letter_id).order_by(LedgerItem.id)))


def reply_item(letter_id: int) -> LedgerItem | None:
    """The ledger item of the reply the letter asks for (derived by the ledger from `reply_due`)."""
    return db.session.scalar(
        select(LedgerItem).where(LedgerItem.subject_type == "letter", LedgerItem.subject_id == letter_id).limit(1)
    )


def count_awaiting_reply(agency_id: int | None = None) -> int:
    """Letters that ask for a reply not given yet (to one agency, or all)."""
    query = select(func.count(Letter.id)).where(Letter.reply_due.is_not(None), Letter.replied_on.is_(None))
    if agency_id is not None:
        query = query.where(Letter.agency_id == agency_id)
    return db.session.scalar(query) or 0
