"""The clock the receipts' code reads (portal/receipts/operations.py `utcnow`), moved on in a test."""

from __future__ import annotations

from datetime import timedelta

import pytest

import portal.receipts.operations
from portal.db_types import utcnow


def later(monkeypatch: pytest.MonkeyPatch, minutes: int) -> None:
    """The receipts' clock, `minutes` ahead of now (for the rest of the test)."""
    start = utcnow()
    monkeypatch.setattr(portal.receipts.operations, "utcnow", lambda: start + timedelta(minutes=minutes))
