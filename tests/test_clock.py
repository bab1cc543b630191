from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal import clock, create_app


@pytest.mark.parametrize(
    ("utc", "shanghai_day"),
    [
        (datetime(2026, 12, 31, 15, 59, tzinfo=UTC), date(2026, 12, 31)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), date(2027, 1, 1)),  # already New Year's Day in Shanghai
    ],
)
def test_instants_are_shown_in_shanghai(tmp_path: Path, utc: datetime, shanghai_day: date) -> None:
    app = create_app({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        local = clock.local_time(utc)
        assert local.date() == shanghai_day
        offset = local.utcoffset()
        assert offset is not None
        assert offset.total_seconds() == 8 * 3600


def test_today_can_be_pinned(tmp_path: Path) -> None:
    app = create_app({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_TODAY": "2026-02-16"})
    with app.app_context():
        assert clock.today() == date(2026, 2, 16)
