"""E-mail alerts, one function per use case: asking to follow a feed (a confirmation is sent), confirming,
unsubscribing, and sending a subscription what is new in its feed. The address is in no audit entry and no log line.

What a feed shows is computed by the feeds' own code (`resolve_feed`, in-process): the same entries as the feed's
Atom and RSS, in the subscriber's language."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from portal import clock
from portal.alerts import queries
from portal.alerts.models import AlertSubscription
from portal.alerts.rules import (
    CONFIRM_DAYS,
    AlertFrequency,
    Confirmation,
    entry_key,
    feed_key,
    marked,
    new_keys,
    sign_confirmation,
    sign_unsubscribe,
)
from portal.audit.operations import write_audit
from portal.db_types import utcnow
from portal.extensions import db
from portal.feeds.builders import FeedEntry
from portal.feeds.views import Feed, NotAFeedError, resolve_feed
from portal.mail.operations import queue_mail
from portal.web import public_path, site_root

ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058: the body a mail client posts to the List-Unsubscribe address


@dataclass(frozen=True)
class Followed:
    """A followed feed as it is now, in one language: its title, its page and its first page of entries."""

    title: str
    page: str  # the absolute address of the page the feed is the twin of, in that language
    entries: list[FeedEntry]


def look_at(address: str, language: str) -> Followed | None:
    """The feed at `address` now, in `language`; None when it cannot be computed now (its agency is gone, its
    filters are no longer valid, the search index is being rebuilt): its subscriptions wait for a later run."""
    with force_locale(language):
        try:
            feed = resolve_feed(address)
            entries, _has_next = feed.page()
            title = feed.title()
        except (NotAFeedError, HTTPException):
            current_app.logger.warning("alerts: the feed %s cannot be looked at now", address)
            return None
    return Followed(title, _page_url(feed, language), entries)


def _page_url(feed: Feed, language: str) -> str:
    return site_root() + public_path(feed.html_endpoint, **feed.view_args, **feed.canonical, lang=language)


def _link(endpoint: str, token: str, language: str) -> str:
    return site_root() + public_path(endpoint, token=token, lang=language)


def unsubscribe_link(subscription: AlertSubscription) -> str:
    """The absolute address that unsubscribes (a GET shows a button; a POST, as RFC 8058's one click, deletes)."""
    token = sign_unsubscribe(current_app.config["SECRET_KEY"], subscription.id, subscription.nonce)
    return _link("alerts.unsubscribe", token, subscription.language)


def request_alert(feed: Feed, email: str, frequency: AlertFrequency, language: str, today: date) -> None:
    """Someone asked that `email` follow `feed`: a confirmation is sent there, with a link that works for
    CONFIRM_DAYS. It is the same whether or not the address already follows the feed (a confirmed subscription
    stays as it is until the new link is opened), so nothing tells anyone who follows what."""
    address = feed.address
    title = feed.title()[:300]
    subscription = queries.subscription_of(feed_key(address), email)
    if subscription is None:
        subscription = AlertSubscription(
            feed=address,
            feed_key=feed_key(address),
            title=title,
            email=email,
            language=language,
            frequency=frequency,
            nonce=secrets.token_hex(16),
            seen=[],
        )
        db.session.add(subscription)
    elif not subscription.confirmed:
        subscription.title, subscription.language, subscription.frequency = title, language, frequency
    subscription.requested_at = utcnow()
    db.session.flush()
    write_audit(
        "alert.subscribe",
        "alert_subscription",
        subscription.id,
        {"feed": address, "frequency": frequency.value},
        actor="public",
    )
    asked = Confirmation(subscription.id, subscription.nonce, frequency, language)
    token = sign_confirmation(current_app.config["SECRET_KEY"], asked, today)
    queue_mail(
        email,
        _l("请确认订阅邮件提醒：%(title)s", title=title),
        "alert_confirm",
        kind="alert.confirm",
        about=f"alert:{subscription.id}",
        language=language,
        title=title,
        page=_page_url(feed, language),
        frequency=frequency,
        confirm_link=_link("alerts.confirm", token, language),
        days=CONFIRM_DAYS,
    )


def confirm_alert(subscription: AlertSubscription, asked: Confirmation, shown: list[FeedEntry], now: datetime) -> bool:
    """The address's owner opened the confirmation link and pressed the button: the subscription gets alerts at the
    frequency asked, in the language asked. The first confirmation marks what the feed shows now as sent (`shown`),
    so that the first alert brings only what is new after it. True when it was pending."""
    first = not subscription.confirmed
    subscription.frequency, subscription.language = asked.frequency, asked.language
    if first:
        subscription.confirmed_at = now
        subscription.checked_at = now
        subscription.seen = marked([], [entry_key(entry.id) for entry in shown])
    write_audit(
        "alert.confirm",
        "alert_subscription",
        subscription.id,
        {"feed": subscription.feed, "frequency": asked.frequency.value, "first": first},
        actor="public",
    )
    db.session.flush()
    return first


def unsubscribe_alert(subscription: AlertSubscription) -> None:
    """The one-click unsubscribe: the subscription, and with it the address, is deleted."""
    write_audit("alert.unsubscribe", "alert_subscription", subscription.id, {"feed": subscription.feed}, actor="public")
    db.session.delete(subscription)
    db.session.flush()


def send_alert(subscription: AlertSubscription, followed: Followed, now: datetime) -> bool:
    """One message with the entries of `followed` not yet sent to the subscription (title, link, date; nothing when
    there are none), then the mark moves to what the feed shows now: running again sends nothing new. The message
    is sent by the next `mail send` (the command that calls this sends at its end). True when one was queued."""
    shown = [entry_key(entry.id) for entry in followed.entries]
    fresh = set(new_keys(shown, subscription.seen or []))
    entries = [entry for entry in followed.entries if entry_key(entry.id) in fresh]
    if entries:
        unsubscribe_url = unsubscribe_link(subscription)
        queue_mail(
            subscription.email,
            _l("%(title)s：%(count)d 条新内容", title=followed.title, count=len(entries)),
            "alert_digest",
            kind=f"alert.{subscription.frequency.value}",
            about=f"alert:{subscription.id}",
            language=subscription.language,
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK},
            send_now=False,
            title=followed.title,
            page=followed.page,
            frequency=subscription.frequency,
            entries=[_shown(entry) for entry in entries],
            unsubscribe=unsubscribe_url,
        )
    subscription.seen = marked(subscription.seen or [], shown)
    subscription.checked_at = now
    db.session.flush()
    return bool(entries)


def _shown(entry: FeedEntry) -> dict[str, object]:
    """What a message says of an entry: its title, its link, its day (in China) and its kind."""
    return {
        "title": entry.title,
        "link": entry.link,
        "day": clock.local_time(entry.published).date(),
        "category": entry.category,
    }


def forget_never_confirmed(now: datetime) -> int:
    """Delete the subscriptions not confirmed within CONFIRM_DAYS (and a day): the address of someone who never
    confirmed is not kept. Returns how many."""
    found = queries.never_confirmed(now - timedelta(days=CONFIRM_DAYS + 1))
    for subscription in found:
        write_audit("alert.expire", "alert_subscription", subscription.id, {"feed": subscription.feed})
        db.session.delete(subscription)
    db.session.flush()
    return len(found)
