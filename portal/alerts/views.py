"""E-mail alerts, the public side (issue 18): /alerts/new?to=<a feed's address> asks for an address and how often;
the confirmation link of the message sent there (/alerts/confirm/<token>) shows a button that confirms; every
alert's unsubscribe link (/alerts/unsubscribe/<token>) shows a button, and a POST to it — the button, or a mail
client's RFC 8058 one click, which carries no CSRF token — deletes the subscription.

No page says whether an address follows anything: asking to follow answers the same page (and sends the same kind
of message) either way, and no page shows an address."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import clock
from portal.alerts.forms import (
    ADDRESS_LIMIT,
    CONFIRM_LIMIT,
    SUBSCRIBE_LIMIT,
    AlertForm,
    ConfirmForm,
    subscribed_address,
)
from portal.alerts.operations import confirm_alert, look_at, request_alert, unsubscribe_alert
from portal.alerts.queries import named_subscription
from portal.alerts.rules import CONFIRM_DAYS, AlertFrequency, AlertLinkError, read_confirmation, read_unsubscribe
from portal.db import commit
from portal.db_types import utcnow
from portal.extensions import csrf, limiter
from portal.feeds.views import Feed, NotAFeedError, resolve_feed
from portal.web import select_locale

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

# A page opened from a link that carries a token: never kept by a cache, never sent on as a referrer, not indexed.
TOKEN_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _new_page(form: AlertForm | None, feed: Feed | None, problem: str | None = None) -> str:
    return render_template("alerts/new.html", form=form, feed=feed, problem=problem, days=CONFIRM_DAYS)


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(SUBSCRIBE_LIMIT, methods=["POST"])
@limiter.limit(ADDRESS_LIMIT, key_func=subscribed_address, methods=["POST"])
def new() -> Response | tuple[str, int]:
    """The address and how often, for the feed named by `to` (the subscribe link beside every feed gives it)."""
    form = AlertForm()
    if not form.is_submitted():
        form.to.data = request.args.get("to", "")
    try:
        feed = resolve_feed(form.to.data or "")
    except NotAFeedError as problem:
        return _new_page(None, None, str(problem)), 400
    if not form.is_submitted():
        return _new_page(form, feed), 200
    done = form.already_done()
    if done is not None:  # the same form posted again: where the first went
        return done
    if not form.validate():
        return _new_page(form, feed), 400
    request_alert(feed, form.email.data or "", AlertFrequency(form.frequency.data), select_locale(), clock.today())
    form.spend(url_for(".sent"))
    commit()
    return redirect(url_for(".sent"), code=303)


@bp.get("/sent")
def sent() -> str:
    """The one answer to a request to follow, whatever the address follows already."""
    return render_template("alerts/sent.html", days=CONFIRM_DAYS)


def _link_refused(error: AlertLinkError, template: str) -> tuple[str, int, dict[str, str]]:
    problem = (
        _("该链接已过期。请重新订阅，我们会再发一封确认邮件。")
        if error.expired
        else _("该链接无效。请检查邮件中的链接是否完整。")
    )
    return render_template(template, problem=problem), 410 if error.expired else 400, TOKEN_HEADERS


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(CONFIRM_LIMIT, methods=["POST"])
def confirm(token: str) -> tuple[str, int, dict[str, str]]:
    """GET: what is being confirmed, and the button (a link opened by a mail scanner confirms nothing); POST: the
    subscription is confirmed, at the frequency and in the language the link asks."""
    try:
        asked = read_confirmation(current_app.config["SECRET_KEY"], token, clock.today())
    except AlertLinkError as error:
        return _link_refused(error, "alerts/confirm.html")
    subscription = named_subscription(asked.subscription_id, asked.nonce)
    if subscription is None:
        problem = _("该订阅已不存在（可能已经退订，或超过 %(days)d 天未确认）。请重新订阅。", days=CONFIRM_DAYS)
        return render_template("alerts/confirm.html", problem=problem), 404, TOKEN_HEADERS
    form = ConfirmForm()
    shown = {"subscription": subscription, "frequency": asked.frequency, "form": form}
    if not form.is_submitted():
        return render_template("alerts/confirm.html", **shown), 200, TOKEN_HEADERS
    if not form.validate():
        return render_template("alerts/confirm.html", **shown), 400, TOKEN_HEADERS
    followed = look_at(subscription.feed, asked.language)
    if followed is None:
        problem = _("暂时无法确认订阅，请过几分钟再打开邮件中的链接。")
        return render_template("alerts/confirm.html", problem=problem, **shown), 503, TOKEN_HEADERS
    confirm_alert(subscription, asked, followed.entries, utcnow())
    commit()
    return render_template("alerts/confirm.html", done=True, page=followed.page, **shown), 200, TOKEN_HEADERS


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: a mail client's one-click unsubscribe posts without a CSRF token (the token is the link)
def unsubscribe(token: str) -> tuple[str, int, dict[str, str]]:
    """GET: what is being unsubscribed, and the button (a mail scanner that opens the link unsubscribes nobody);
    POST (the button, or a mail client's one click): the subscription and its address are deleted."""
    try:
        subscription_id, nonce = read_unsubscribe(current_app.config["SECRET_KEY"], token)
    except AlertLinkError as error:
        return _link_refused(error, "alerts/unsubscribe.html")
    subscription = named_subscription(subscription_id, nonce)
    if request.method == "GET":
        return render_template("alerts/unsubscribe.html", subscription=subscription), 200, TOKEN_HEADERS
    title = subscription.title if subscription else None
    if subscription is not None:
        unsubscribe_alert(subscription)
        commit()
    return render_template("alerts/unsubscribe.html", done=True, title=title), 200, TOKEN_HEADERS
