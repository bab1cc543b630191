"""The pure rules of e-mail alerts: the signed links and what is new in a feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.alerts.rules import (
    CONFIRM_DAYS,
    SEEN_MOST,
    AlertFrequency,
    AlertLinkError,
    Confirmation,
    entry_key,
    feed_key,
    marked,
    new_keys,
    read_confirmation,
    read_unsubscribe,
    sign_confirmation,
    sign_unsubscribe,
)

KEY = "k" * 40
TODAY = date(2026, 11, 20)
ASKED = Confirmation(17, "ab" * 16, AlertFrequency.DAILY, "en")


def test_a_confirmation_link_says_what_was_asked_until_its_last_day() -> None:
    token = sign_confirmation(KEY, ASKED, TODAY)
    assert read_confirmation(KEY, token, TODAY) == ASKED
    assert read_confirmation(KEY, token, TODAY + timedelta(days=CONFIRM_DAYS)) == ASKED
    with pytest.raises(AlertLinkError) as late:
        read_confirmation(KEY, token, TODAY + timedelta(days=CONFIRM_DAYS + 1))
    assert late.value.expired


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x" * 401,
        "WzE3LCJhYiJd.garbage",
        sign_confirmation("another-key" * 4, ASKED, TODAY),  # signed by someone else
        sign_unsubscribe(KEY, 17, "ab" * 16),  # an unsubscribe link is no confirmation
    ],
)
def test_a_confirmation_link_the_portal_did_not_make_is_invalid(token: str) -> None:
    with pytest.raises(AlertLinkError) as refused:
        read_confirmation(KEY, token, TODAY)
    assert not refused.value.expired


def test_an_unsubscribe_link_never_expires_and_names_its_subscription() -> None:
    token = sign_unsubscribe(KEY, 17, "ab" * 16)
    assert read_unsubscribe(KEY, token) == (17, "ab" * 16)
    for bad in ("", "nonsense", sign_confirmation(KEY, ASKED, TODAY), sign_unsubscribe("other" * 8, 17, "ab")):
        with pytest.raises(AlertLinkError):
            read_unsubscribe(KEY, bad)


@pytest.mark.parametrize(
    ("entry_id", "key"),
    [
        ("tag:credit.example.gov.cn,2026:records/17", "records/17"),
        ("tag:credit.yanshixian.example,2026:complaints/TS-2026-000123", "complaints/TS-2026-000123"),
        ("records/17", "records/17"),
    ],
)
def test_an_entry_is_remembered_without_the_tags_authority(entry_id: str, key: str) -> None:
    assert entry_key(entry_id) == key


@pytest.mark.parametrize(
    ("shown", "seen", "new"),
    [
        (["a", "b", "c"], [], ["a", "b", "c"]),
        (["d", "a", "b"], ["a", "b", "c"], ["d"]),
        (["a", "b"], ["a", "b", "c"], []),
        (["c", "x", "a"], ["a", "b", "c"], ["x"]),  # feed order kept
    ],
)
def test_new_entries_are_those_not_yet_sent(shown: list[str], seen: list[str], new: list[str]) -> None:
    assert new_keys(shown, seen) == new


def test_the_mark_keeps_what_dropped_off_the_page_up_to_a_bound() -> None:
    assert marked(["a", "b"], ["c", "a"]) == ["c", "a", "b"]
    many = [f"records/{n}" for n in range(SEEN_MOST + 50)]
    kept = marked(many, ["records/new"])
    assert len(kept) == SEEN_MOST
    assert kept[0] == "records/new"
    assert kept[1:] == many[: SEEN_MOST - 1]


def test_a_feed_is_keyed_by_its_address() -> None:
    assert feed_key("/records/feed.atom?kind=arrears") == feed_key("/records/feed.atom?kind=arrears")
    assert feed_key("/records/feed.atom?kind=arrears") != feed_key("/records/feed.atom")
    assert len(feed_key("/x" * 1000)) == 64
