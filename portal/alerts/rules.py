"""E-mail alerts: how often, the signed links of the confirmation and of the unsubscribe, and which entries of a
followed feed are new. Pure: the key, the day and the entries are arguments."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from portal.core.labelled import N_, LabelledEnum


class AlertFrequency(LabelledEnum):
    IMMEDIATE = "immediate", N_("有更新即发送")  # checked every 10 minutes (deploy/systemd/portal-alerts-immediate)
    DAILY = "daily", N_("每日汇总一次")  # at 07:30 (deploy/systemd/portal-alerts-daily)


CONFIRM_DAYS = 7  # a confirmation link works this many days; an address never confirmed is then forgotten
SEEN_MOST = 300  # entry ids a subscription remembers as sent: more than a feed page (50), so none comes back as new
TOKEN_MOST = 400  # characters of a token in a link; a longer one is not one the portal made


# --- the links ----------------------------------------------------------------------------------------------------
# Both name the subscription by its id and its nonce (a random value of the row: an id used again after a deletion
# never matches an old link), and are signed with the secret key under their own salt; a copy of the database alone
# makes no working link. The confirmation also carries what was asked (how often, in which language) and its last
# day; the unsubscribe never expires (a message read a year later still unsubscribes).

_CONFIRM_SALT = "portal.alerts.confirm"
_UNSUBSCRIBE_SALT = "portal.alerts.unsubscribe"


class AlertLinkError(ValueError):
    """The link is not one the portal made (`expired` False), or it was and its last day has passed (True)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation link asks: to confirm subscription `subscription_id` with `frequency`, in `language`."""

    subscription_id: int
    nonce: str
    frequency: AlertFrequency
    language: str


def sign_confirmation(secret_key: str, asked: Confirmation, today: date) -> str:
    """The token of a confirmation link, working until CONFIRM_DAYS after `today`."""
    until = (today + timedelta(days=CONFIRM_DAYS)).isoformat()
    payload = [asked.subscription_id, asked.nonce, asked.frequency.value, asked.language, until]
    return URLSafeSerializer(secret_key, salt=_CONFIRM_SALT).dumps(payload)


def read_confirmation(secret_key: str, token: str, today: date) -> Confirmation:
    """What a confirmation token asks, if the portal signed it and it still works on `today`."""
    if not token or len(token) > TOKEN_MOST:
        raise AlertLinkError(expired=False)
    try:
        subscription_id, nonce, frequency, language, until = URLSafeSerializer(secret_key, salt=_CONFIRM_SALT).loads(
            token
        )
        asked = Confirmation(int(subscription_id), str(nonce), AlertFrequency(frequency), str(language))
        last_day = date.fromisoformat(until)
    except (BadSignature, ValueError, TypeError):
        raise AlertLinkError(expired=False) from None
    if today > last_day:
        raise AlertLinkError(expired=True)
    return asked


def sign_unsubscribe(secret_key: str, subscription_id: int, nonce: str) -> str:
    """The token of a subscription's unsubscribe link (the same in every message to it)."""
    return URLSafeSerializer(secret_key, salt=_UNSUBSCRIBE_SALT).dumps([subscription_id, nonce])


def read_unsubscribe(secret_key: str, token: str) -> tuple[int, str]:
    """The subscription id and nonce an unsubscribe token names, if the portal signed it."""
    if not token or len(token) > TOKEN_MOST:
        raise AlertLinkError(expired=False)
    try:
        subscription_id, nonce = URLSafeSerializer(secret_key, salt=_UNSUBSCRIBE_SALT).loads(token)
        return int(subscription_id), str(nonce)
    except (BadSignature, ValueError, TypeError):
        raise AlertLinkError(expired=False) from None


# --- what is new --------------------------------------------------------------------------------------------------


def entry_key(entry_id: str) -> str:
    """What a subscription remembers of a feed entry: its id without the tag's authority and year
    (tag:credit.example.gov.cn,2026:records/17 → records/17), so that a new PORTAL_TAG_AUTHORITY sends nothing again."""
    return entry_id.rpartition(":")[2] or entry_id


def new_keys(shown: Sequence[str], seen: Sequence[str]) -> list[str]:
    """The entries of a feed (their keys, in the feed's order) not yet sent."""
    already = set(seen)
    return [key for key in shown if key not in already]


def marked(seen: Sequence[str], shown: Sequence[str]) -> list[str]:
    """The mark after a feed was looked at: what it shows now, then what was seen before (newest first), at most
    SEEN_MOST. An entry that drops off the feed's first page and comes back is not new again."""
    kept = list(dict.fromkeys([*shown, *seen]))
    return kept[:SEEN_MOST]


def feed_key(address: str) -> str:
    """What a subscription's feed is looked up by (its canonical address can be long): the address's SHA-256."""
    return hashlib.sha256(address.encode()).hexdigest()
