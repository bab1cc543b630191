"""E-mail alerts for followers (issue 18), through a real SMTP server: anyone follows a list, a search or an agency
from the link beside its feeds; a confirmation goes to the address and only a confirmed subscription gets alerts;
each alert brings what is new since the last one (nothing at all at first), immediately or daily; every alert
unsubscribes in one click (a POST, RFC 8058), which deletes the address; no page and no message shows anyone
else's address, and the audit log keeps none."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.agencies.models import Agency
from portal.alerts.models import AlertSubscription
from portal.alerts.rules import AlertFrequency, Confirmation, sign_confirmation
from portal.audit.models import AuditEntry
from portal.db_types import utcnow
from portal.extensions import db
from portal.records.models import Record
from tests.factories import make_agency, make_record
from tests.forms import hidden_fields
from tests.html import attr, css, find, one, text_of, visible_text
from tests.mail.conftest import BASE_URL, Inbox

TODAY = date(2026, 11, 20)
ARREARS = "/records/feed.atom?kind=arrears"
READER = "reader@example.com"
OTHER = "someone.else@example.org"


# --- helpers ------------------------------------------------------------------------------------------------------


def ask(client: FlaskClient, to: str, email: str, frequency: str = "immediate", lang: str = "") -> TestResponse:
    """Open the subscribe page for `to` and post the form as a browser would."""
    query = f"?to={quote(to, safe='')}" + (f"&lang={lang}" if lang else "")
    page = client.get(f"/alerts/new{query}")
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {**hidden_fields(page.get_data(as_text=True)), "email": email, "frequency": frequency}
    return client.post("/alerts/new", data=data)


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def path_of(link: str) -> str:
    assert link.startswith(BASE_URL + "/"), link
    split = urlsplit(link)
    return f"{split.path}?{split.query}" if split.query else split.path


def confirmation_link(inbox: Inbox, email: str) -> str:
    message = inbox.to(email)[-1]
    [link] = [link for link in links(parts(message)[0]) if "/alerts/confirm/" in link]
    return path_of(link)


def confirm(client: FlaskClient, inbox: Inbox, email: str) -> TestResponse:
    """Open the confirmation link of the last message to `email` and press its button."""
    path = confirmation_link(inbox, email)
    page = client.get(path)
    assert page.status_code == 200
    token = one(page.get_data(as_text=True), "input", name="csrf_token")
    return client.post(path, data={"csrf_token": attr(token, "value")})


def subscribed(client: FlaskClient, inbox: Inbox, email: str, to: str = ARREARS, frequency: str = "immediate") -> None:
    assert ask(client, to, email, frequency).status_code == 303
    assert confirm(client, inbox, email).status_code == 200


def send(app: Flask, frequency: str) -> str:
    result = app.test_cli_runner().invoke(args=["alerts", "send", "--frequency", frequency])
    assert result.exit_code == 0, result.output
    return str(result.output)


def subscription(email: str) -> AlertSubscription | None:
    db.session.expire_all()
    return db.session.scalar(select(AlertSubscription).where(AlertSubscription.email == email))


def new_arrears(title: str, agency: Agency | None = None) -> Record:
    """A record that goes to the top of the arrears list (decided today)."""
    return make_record(agency, kind="arrears", title=title, decision_date=TODAY, details={"contract_number": "YSX-9"})


def alerts_to(inbox: Inbox, email: str) -> list[EmailMessage]:
    return [m for m in inbox.to(email) if m["List-Unsubscribe"]]


# --- every page that offers feeds offers e-mail alerts ----------------------------------------------------------


def test_every_page_with_feeds_offers_email_alerts_for_the_same_address(client: FlaskClient) -> None:
    agency = db.session.scalars(select(Agency).order_by(Agency.id)).first()
    assert agency is not None
    pages = {
        "/records/?kind=arrears&page=2": ARREARS,
        "/commitments/": "/commitments/feed.atom",
        "/outcomes/?result=performed": "/outcomes/feed.atom?result=performed",
        "/complaints/": "/complaints/feed.atom",
        f"/agencies/{agency.uscc}": f"/agencies/{agency.uscc}/feed.atom",
        "/search?q=拖欠": "/search/feed.atom?q=%E6%8B%96%E6%AC%A0",
    }
    for page, feed in pages.items():
        body = client.get(page).get_data(as_text=True)
        [alert] = [a for a in css(body, "p.subscribe a") if text_of(a) == "订阅邮件提醒"]
        href = attr(alert, "href")
        assert parse_qs(urlsplit(href).query)["to"] == [feed], page
        followed = client.get(href)
        assert followed.status_code == 200, page
        assert find(followed.get_data(as_text=True), "form", method="post") is not None
    # news and bulletins have feeds too, but cannot be followed by e-mail (yet): no link that would fail
    assert "订阅邮件提醒" not in client.get("/news/").get_data(as_text=True)


# --- double opt-in ------------------------------------------------------------------------------------------------


def test_double_opt_in_only_a_confirmed_subscription_gets_alerts(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    answer = ask(client, ARREARS, READER)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/alerts/sent"
    assert "请查收确认邮件" in visible_text(client.get("/alerts/sent").get_data(as_text=True))
    [message] = inbox.to(READER)
    assert message["Subject"].startswith("请确认订阅邮件提醒：拖欠账款")
    assert message["List-Unsubscribe"] is None  # nothing to unsubscribe from yet
    text, html = parts(message)
    assert "确认订阅" in text
    assert "确认订阅" in html
    assert READER not in text
    assert READER not in html
    pending = subscription(READER)
    assert pending is not None
    assert pending.confirmed_at is None
    assert pending.feed == ARREARS

    new_arrears("未确认时公示的拖欠记录")
    send(app, "immediate")
    assert len(inbox.to(READER)) == 1  # unconfirmed: nothing

    path = confirmation_link(inbox, READER)
    shown = client.get(path)  # a mail scanner opening the link confirms nothing
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert subscription(READER).confirmed_at is None  # type: ignore[union-attr]
    done = confirm(client, inbox, READER)
    assert done.status_code == 200
    assert "订阅成功" in visible_text(done.get_data(as_text=True))
    confirmed = subscription(READER)
    assert confirmed is not None
    assert confirmed.confirmed_at is not None
    assert confirmed.frequency is AlertFrequency.IMMEDIATE

    actions = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "alert_subscription", AuditEntry.entity_id == str(confirmed.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [a.action for a in actions] == ["alert.subscribe", "alert.confirm"]
    for entry in actions:
        assert READER not in repr(entry.changes)
        assert READER not in (entry.actor or "")
        assert entry.changes["feed"] == ARREARS


def test_a_confirmed_subscription_gets_new_items_only_and_running_again_sends_nothing(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    old = new_arrears("确认前已公示的拖欠记录")
    subscribed(client, inbox, READER)
    before = len(inbox.to(READER))
    assert "queued 0 alert(s)" in send(app, "immediate")  # the first run after confirming floods nothing
    assert len(inbox.to(READER)) == before

    first = new_arrears("确认后公示的拖欠记录一")
    make_record(kind="administrative_penalty", title="别的类别的记录", decision_date=TODAY)  # not in this feed
    assert "queued 1 alert(s)" in send(app, "immediate")
    [alert] = alerts_to(inbox, READER)
    assert alert["To"] == READER
    assert "1 条新内容" in alert["Subject"]
    text, html = parts(alert)
    assert first.title in text
    assert first.title in html
    assert f"{BASE_URL}/records/{first.id}" in text
    assert "2026年11月20日" in text  # the entry's date
    assert old.title not in text
    assert "别的类别的记录" not in text

    assert "queued 0 alert(s)" in send(app, "immediate")  # idempotent
    assert len(alerts_to(inbox, READER)) == 1

    second = new_arrears("确认后公示的拖欠记录二")
    send(app, "immediate")
    latest = parts(alerts_to(inbox, READER)[-1])[0]
    assert second.title in latest
    assert first.title not in latest


def test_immediate_and_daily_subscriptions_are_sent_by_their_own_runs(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    subscribed(client, inbox, READER, frequency="immediate")
    subscribed(client, inbox, OTHER, frequency="daily")
    record = new_arrears("今天公示的拖欠记录")
    send(app, "daily")
    assert alerts_to(inbox, READER) == []
    [daily] = alerts_to(inbox, OTHER)
    assert record.title in parts(daily)[0]
    assert "每日汇总一次" in parts(daily)[0]
    send(app, "immediate")
    [immediate] = alerts_to(inbox, READER)
    assert record.title in parts(immediate)[0]
    assert len(alerts_to(inbox, OTHER)) == 1


def test_no_message_carries_another_subscribers_address(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    subscribed(client, inbox, READER)
    subscribed(client, inbox, OTHER)
    new_arrears("两人都订阅的新记录")
    send(app, "immediate")
    for me, them in ((READER, OTHER), (OTHER, READER)):
        for message in inbox.to(me):
            assert message["To"] == me
            assert them not in message.as_string()
            assert me not in "".join(parts(message))  # nor one's own, in the body


# --- unsubscribe --------------------------------------------------------------------------------------------------


def test_one_click_unsubscribe_by_post_deletes_the_row_and_a_get_does_not(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    subscribed(client, inbox, READER)
    new_arrears("退订前的新记录")
    send(app, "immediate")
    [alert] = alerts_to(inbox, READER)
    header = alert["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(BASE_URL)}/alerts/unsubscribe/[^>\s]+>", header)
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header[1:-1]
    assert link in parts(alert)[0]  # and in the body, for a person
    row = subscription(READER)
    assert row is not None

    page = client.get(path_of(link))  # a scanner, or the person: a button, nothing deleted
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert find(page.get_data(as_text=True), "form", method="post") is not None
    assert READER not in page.get_data(as_text=True)
    assert subscription(READER) is not None

    # the mail client's one click: a POST with RFC 8058's body and no CSRF token
    clicked = client.post(path_of(link), data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    assert "已退订" in visible_text(clicked.get_data(as_text=True))
    assert subscription(READER) is None
    assert client.post(path_of(link), data={"List-Unsubscribe": "One-Click"}).status_code == 200  # again: same
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "alert.unsubscribe", AuditEntry.entity_id == str(row.id))
    )
    assert entry is not None
    assert READER not in repr(entry.changes)

    new_arrears("退订后的新记录")
    send(app, "immediate")
    assert len(alerts_to(inbox, READER)) == 1


# --- the same answer either way -----------------------------------------------------------------------------------


def test_asking_again_answers_the_same_and_changes_nothing_until_confirmed(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    subscribed(client, inbox, READER, frequency="immediate")
    again = ask(client, ARREARS, READER, frequency="daily")
    fresh = ask(client, ARREARS, OTHER, frequency="daily")
    assert (again.status_code, again.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert again.get_data() == fresh.get_data()
    assert inbox.to(READER)[-1]["Subject"] == inbox.to(OTHER)[-1]["Subject"]  # the same message either way
    kept = subscription(READER)
    assert kept is not None
    assert kept.frequency is AlertFrequency.IMMEDIATE
    assert confirm(client, inbox, READER).status_code == 200
    assert subscription(READER).frequency is AlertFrequency.DAILY  # type: ignore[union-attr]
    assert db.session.scalar(select(AlertSubscription.id).where(AlertSubscription.email == READER)) is not None
    assert len(db.session.scalars(select(AlertSubscription).where(AlertSubscription.email == READER)).all()) == 1


def test_the_same_form_posted_twice_asks_once(client: FlaskClient, inbox: Inbox) -> None:
    page = client.get(f"/alerts/new?to={quote(ARREARS, safe='')}")
    data = {**hidden_fields(page.get_data(as_text=True)), "email": READER, "frequency": "daily"}
    assert client.post("/alerts/new", data=data).status_code == 303
    second = client.post("/alerts/new", data=data)
    assert (second.status_code, second.headers["Location"]) == (303, "/alerts/sent")
    assert len(inbox.to(READER)) == 1


# --- bad input ----------------------------------------------------------------------------------------------------


def test_bad_links_are_refused_with_4xx(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    assert ask(client, ARREARS, READER).status_code == 303
    row = subscription(READER)
    assert row is not None
    key = app.config["SECRET_KEY"]
    expired = sign_confirmation(
        key, Confirmation(row.id, row.nonce, AlertFrequency.DAILY, "zh_CN"), TODAY - timedelta(8)
    )
    wrong_nonce = sign_confirmation(key, Confirmation(row.id, "0" * 32, AlertFrequency.DAILY, "zh_CN"), TODAY)
    for path, status in [
        ("/alerts/confirm/not-a-token", 400),
        (f"/alerts/confirm/{expired}", 410),
        (f"/alerts/confirm/{wrong_nonce}", 404),
        (f"/alerts/confirm/{'x' * 500}", 400),
        ("/alerts/unsubscribe/not-a-token", 400),
        (f"/alerts/unsubscribe/{expired}", 400),  # a confirmation is no unsubscribe link
    ]:
        for method in ("get", "post") if "unsubscribe" in path else ("get",):  # (a confirmation posts its CSRF token)
            response = getattr(client, method)(path)
            assert response.status_code == status, (path, method)
            assert find(response.get_data(as_text=True), "div", role="alert") is not None
    assert subscription(READER).confirmed_at is None  # type: ignore[union-attr]
    assert subscription(READER) is not None


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("", "只能订阅本站列表、搜索或主体档案的更新"),
        ("/records/", "只能订阅本站列表、搜索或主体档案的更新"),  # the page, not its feed
        ("/news/feed.atom", "只能订阅本站列表、搜索或主体档案的更新"),  # a feed that cannot be followed (yet)
        ("/workspace/", "只能订阅本站列表、搜索或主体档案的更新"),
        ("https://evil.example/records/feed.atom", "只能订阅本站列表、搜索或主体档案的更新"),
        ("//evil.example/records/feed.atom", "只能订阅本站列表、搜索或主体档案的更新"),
        ("/records/feed.atom?kind=nonsense", "kind: 不是可选的值"),
        ("/records/feed.atom?year=20x6", "year: 应为四位年份"),
        ("/records/feed.atom?kind=%00", "控制字符"),
        ("/agencies/91350100M000100Y43/feed.atom", "要订阅的页面不存在"),
        ("/search/feed.atom", "请先输入搜索词或选择筛选条件"),
        ("/search/feed.atom?q=", "请先输入搜索词或选择筛选条件"),
        ("/records/feed.atom?" + "x" * 2000, "只能订阅本站列表、搜索或主体档案的更新"),
    ],
)
def test_what_cannot_be_followed_is_refused_with_400_and_a_message(
    client: FlaskClient, inbox: Inbox, to: str, message: str
) -> None:
    shown = client.get(f"/alerts/new?to={quote(to, safe='')}")
    assert shown.status_code == 400
    body = shown.get_data(as_text=True)
    assert message in text_of(one(body, "div", role="alert"))
    assert find(body, "form", method="post") is None
    # the same address posted in place of a good one (a changed hidden field): refused, nothing stored or sent
    page = client.get(f"/alerts/new?to={quote(ARREARS, safe='')}")
    data = {**hidden_fields(page.get_data(as_text=True)), "email": READER, "frequency": "daily", "to": to}
    posted = client.post("/alerts/new", data=data)
    assert posted.status_code == 400
    assert message in text_of(one(posted.get_data(as_text=True), "div", role="alert"))
    assert db.session.scalar(select(AlertSubscription.id)) is None
    assert inbox.messages == []


def test_a_bad_address_or_frequency_is_shown_beside_its_field_and_nothing_is_stored(
    client: FlaskClient, inbox: Inbox
) -> None:
    for email, frequency, field in [
        ("not-an-address", "daily", "email"),
        ("", "daily", "email"),
        (READER, "hourly", "frequency"),
    ]:
        response = ask(client, ARREARS, email, frequency)
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        error = one(body, "p", id=f"{field}-error")
        assert text_of(error)
        assert find(body, "input", value=ARREARS) is not None  # the followed feed is kept
    assert db.session.scalar(select(AlertSubscription.id)) is None
    assert inbox.messages == []


def test_no_csrf_token_changes_nothing(client: FlaskClient, inbox: Inbox) -> None:
    page = client.get(f"/alerts/new?to={quote(ARREARS, safe='')}")
    data = {**hidden_fields(page.get_data(as_text=True)), "email": READER, "frequency": "daily"}
    del data["csrf_token"]
    assert client.post("/alerts/new", data=data).status_code == 400
    assert db.session.scalar(select(AlertSubscription.id)) is None


def test_requests_for_one_address_are_limited(client: FlaskClient, inbox: Inbox) -> None:
    for n in range(5):
        assert ask(client, f"/records/feed.atom?year={2020 + n}", READER).status_code == 303
    assert ask(client, "/records/feed.atom?year=2026", READER).status_code == 429
    assert len(inbox.to(READER)) == 5


# --- languages ----------------------------------------------------------------------------------------------------


def test_a_subscriber_who_asked_in_english_is_written_to_in_english(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    assert ask(client, ARREARS, READER, lang="en").status_code == 303
    [message] = inbox.to(READER)
    assert message["Content-Language"] == "en"
    text, html = parts(message)
    assert '<html lang="en">' in html
    link = confirmation_link(inbox, READER)
    assert parse_qs(urlsplit(link).query)["lang"] == ["en"]
    assert "Arrears" in message["Subject"]  # the feed's title, in English
    page = client.get(link)
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert confirm(client, inbox, READER).status_code == 200
    assert subscription(READER).language == "en"  # type: ignore[union-attr]

    chinese = app.test_client()  # staff, or anyone, reading in Chinese changes nothing
    chinese.get("/?lang=zh_CN")
    record = new_arrears("英文订阅者的新记录")
    send(app, "immediate")
    [alert] = alerts_to(inbox, READER)
    assert alert["Content-Language"] == "en"
    text, html = parts(alert)
    assert '<html lang="en">' in html
    assert record.title in text
    assert "2026-11-20" in text  # dates as English pages show them
    assert parse_qs(urlsplit(alert["List-Unsubscribe"][1:-1]).query)["lang"] == ["en"]


# --- what is kept -------------------------------------------------------------------------------------------------


def test_an_address_never_confirmed_is_forgotten(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    assert ask(client, ARREARS, READER).status_code == 303
    row = subscription(READER)
    assert row is not None
    assert "forgot 0" in send(app, "daily")
    row.requested_at = utcnow() - timedelta(days=9)
    db.session.flush()
    assert "forgot 1" in send(app, "daily")
    assert subscription(READER) is None


def test_a_search_and_an_agency_can_be_followed_and_the_status_shows_counts_only(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    agency = make_agency(name="演示县订阅测试局")
    subscribed(client, inbox, READER, to="/search/feed.atom?q=拖欠&lang=en&utm_source=x")
    subscribed(client, inbox, READER, to=f"/agencies/{agency.uscc.lower()}/feed.rss", frequency="daily")
    feeds = sorted(s.feed for s in db.session.scalars(select(AlertSubscription)))
    assert feeds == [f"/agencies/{agency.uscc}/feed.atom", "/search/feed.atom?q=%E6%8B%96%E6%AC%A0"]
    assert "queued 0 alert(s)" in send(app, "immediate")
    make_record(agency, title="订阅测试局的新记录", decision_date=TODAY)
    send(app, "daily")
    [alert] = alerts_to(inbox, READER)
    assert "演示县订阅测试局" in alert["Subject"]
    assert "订阅测试局的新记录" in parts(alert)[0]
    status = app.test_cli_runner().invoke(args=["alerts", "status"]).output
    assert "immediate 1, daily 1" in status
    assert READER not in status
    assert "@" not in status
