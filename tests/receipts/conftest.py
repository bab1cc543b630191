"""The receipts' tests use the mail tests' real SMTP server (aiosmtpd) and a short answer time."""

from __future__ import annotations

import pytest

import portal.receipts.views
from tests.mail.conftest import inbox  # noqa: F401 - the fixture, for these tests too


@pytest.fixture(autouse=True)
def quick_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recovery answers no sooner than RESPONSE_FLOOR after a post: shortened here (one test measures the real one)."""
    monkeypatch.setattr(portal.receipts.views, "RESPONSE_FLOOR", 0.01)
