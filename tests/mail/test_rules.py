"""The pure rules of mail: when a failed message is tried again, and the signed status link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.mail.rules import (
    MAX_ATTEMPTS,
    RETRY_CAP,
    STATUS_LINK_DAYS,
    StatusLinkError,
    after_failure,
    is_permanent,
    read_status_link,
    retry_delay,
    sign_status_link,
)

KEY = "k" * 40
DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (7, 64), (8, 120), (29, 120), (200, 120)]
)
def test_retries_back_off_exponentially_up_to_the_cap(attempts: int, minutes: int) -> None:
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_retries_last_about_two_days_then_give_up() -> None:
    assert timedelta(hours=2) == RETRY_CAP
    total = sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(days=1, hours=12) < total < timedelta(days=3)  # a day-long outage loses nothing
    assert after_failure(MAX_ATTEMPTS - 1, NOW, permanent=False) == NOW + RETRY_CAP
    assert after_failure(MAX_ATTEMPTS, NOW, permanent=False) is None
    assert after_failure(1, NOW, permanent=True) is None
    with pytest.raises(ValueError, match="attempts start at 1"):
        retry_delay(0)


@pytest.mark.parametrize(("code", "permanent"), [(550, True), (554, True), (421, False), (451, False), (None, False)])
def test_only_a_5xx_refuses_for_good(code: int | None, permanent: bool) -> None:
    assert is_permanent(code) is permanent


def test_a_status_link_names_its_case_until_its_last_day() -> None:
    token = sign_status_link(KEY, "complaint:TS-2026-000001", DAY)
    assert read_status_link(KEY, token, DAY) == "complaint:TS-2026-000001"
    last_day = DAY + timedelta(days=STATUS_LINK_DAYS)
    assert read_status_link(KEY, token, last_day) == "complaint:TS-2026-000001"
    with pytest.raises(StatusLinkError) as expired:
        read_status_link(KEY, token, last_day + timedelta(days=1))
    assert expired.value.expired


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x" * 301,
        "nonsense",
        sign_status_link("another key " + "z" * 30, "complaint:TS-2026-000001", DAY),
        sign_status_link(KEY, "complaint:TS-2026-000001", DAY)[:-2] + "xx",  # tampered
    ],
)
def test_a_link_the_portal_did_not_sign_is_refused(token: str) -> None:
    with pytest.raises(StatusLinkError) as refused:
        read_status_link(KEY, token, DAY)
    assert not refused.value.expired
