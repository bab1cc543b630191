"""Writing to the search outbox, and applying it to the index after the commit (an after-commit hook)."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from portal import clock
from portal.db import run_after_commit
from portal.extensions import db
from portal.search.index import SearchIndex
from portal.search.models import OutboxEntry

log = logging.getLogger(__name__)
_OUTBOX_LOCK = 7_245_001  # pg_advisory_xact_lock key: outbox writers commit one after another, so ids commit in order


def enqueue(*keys: str) -> None:
    """Note in the current transaction that these items changed (the caller commits, with `commit`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _OUTBOX_LOCK})
    db.session.add_all(OutboxEntry(item_key=key) for key in keys)
    run_after_commit("search")


def search_index() -> SearchIndex:
    index: SearchIndex = current_app.extensions["search_index"]
    return index


def sync_quietly(wait: float = 10.0) -> None:
    """Bring the index up to date (the "search" after-commit hook). Best effort: what fails now is applied by the
    next change, the next search or `flask search sync`."""
    try:
        search_index().sync(db.session, clock.today(), wait=wait)
    except Exception:  # the change is committed; the outbox keeps it for the next sync
        log.exception("search index not updated now; the outbox keeps the change for the next sync")
        db.session.rollback()
