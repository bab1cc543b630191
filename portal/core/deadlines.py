"""The working-day deadlines of the public's filings and their configuration (PORTAL_DEADLINE_DAYS). Pure."""

from __future__ import annotations

from collections.abc import Mapping

# Default deadlines in working days, counted from the day of filing (PORTAL_DEADLINE_DAYS overrides them).
DEFAULT_DAYS: Mapping[str, int] = {
    "complaint_accept": 2,
    "complaint_answer": 10,
    "complaint_close": 15,
    "objection_accept": 2,
    "objection_verify": 10,
    "repair_decide": 10,
}


def parse_days(text: str) -> dict[str, int]:
    """PORTAL_DEADLINE_DAYS, e.g. "complaint_accept=3,objection_verify=15"; unnamed ones keep their defaults."""
    days = dict(DEFAULT_DAYS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in DEFAULT_DAYS or not value.strip().isdigit() or not 1 <= int(value) <= 60:
            raise ValueError(
                f"PORTAL_DEADLINE_DAYS: {part!r} is not NAME=DAYS (1–60) with NAME one of {', '.join(DEFAULT_DAYS)}"
            )
        days[name] = int(value)
    return days
