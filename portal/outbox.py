"""Public items, named by one key each, and the outbox of their changes (the transactional outbox).

Every public item has a key `<type>:<ident>` (`record:17`, `commitment:<code>`, `outcome:<rectification id>`,
`agency:<统一社会信用代码>`, `page:<slug>`), built only by `item_key`. An operation that changes something the public
sees calls `changed(...)` in its transaction; after the commit, whatever follows public changes (the search index,
registered as the "outbox" after-commit hook) drains the outbox. Nothing is lost if a process dies in between: the
rows are there for the next drain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import run_after_commit
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db

_OUTBOX_LOCK = 7_245_001  # pg_advisory_xact_lock key: outbox writers commit one after another, so ids commit in order


class ItemType(StrEnum):
    RECORD = "record"
    COMMITMENT = "commitment"
    OUTCOME = "outcome"
    AGENCY = "agency"
    PAGE = "page"
    COMPLAINT = "complaint"
    NEWS = "news"  # content/news/<slug>.md (portal/news): files, indexed by rebuild and by sync's content check


def item_key(item_type: ItemType, ident: object) -> str:
    return f"{item_type.value}:{ident}"


def split_key(key: str) -> tuple[ItemType | None, str]:
    """(type, ident) of a key; the type is None for a key of no known type."""
    name, _, ident = key.partition(":")
    return (ItemType(name) if name in ItemType.__members__.values() else None), ident


class OutboxEntry(db.Model):  # type: ignore[name-defined]
    """One change to a public item, written in the same transaction as the change. Each index remembers the last
    entry it applied; entries are never updated. Ids grow in commit order: writers serialise on an advisory lock
    (PostgreSQL) or the database's single writer (SQLite)."""

    __tablename__ = "search_outbox"
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def changed(*keys: str) -> None:
    """Note in the current transaction that these public items changed (the caller commits, with portal.db.commit,
    which then runs the "outbox" hook)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _OUTBOX_LOCK})
    db.session.add_all(OutboxEntry(item_key=key) for key in keys)
    run_after_commit("outbox")
