"""Today's date in China's calendar. PORTAL_TODAY (YYYY-MM-DD) pins it, for demonstrations and tests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.today is not None:
        return settings.today
    return datetime.now(ZoneInfo(settings.timezone)).date()


def local_time(instant: datetime) -> datetime:
    """An instant (stored in UTC) shown in the portal's time zone (Asia/Shanghai)."""
    return instant.astimezone(ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone))
