"""The admin-issued password reset (issue 19): a one-time link, shown once to the admin, good for RESET_LINK_HOURS;
refused (410) once used, once a newer one is issued, once the password changed, once expired, for a disabled
account; using it ends every session of the user; issuing and using are audited; its page's posts are throttled."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.db_types import utcnow
from portal.extensions import db
from portal.users.models import User
from portal.users.operations import issue_reset_link, reset_link_user, set_active, set_password
from portal.users.rules import RESET_LINK_HOURS, Role, reset_link_expires, reset_link_usable
from tests.factories import PASSWORD, make_user
from tests.forms import csrf_token, hidden_fields, post_form, sign_in
from tests.html import find, one, parse_strict, text_of, title_of
from tests.users.test_login import login

NEW_PASSWORD = "a-reset-passphrase-2026"
REFUSED = "此链接无效或已失效"


def issue(client: FlaskClient, user: User) -> TestResponse:
    """The admin presses 生成重置链接 on the user's page."""
    show = f"/workspace/users/{user.id}"
    return post_form(client, show, {}, to=f"{show}/reset-link")


def shown_link(response: TestResponse) -> str:
    assert response.status_code == 200, response.status_code
    return text_of(one(response.get_data(as_text=True), "code", id="reset-link"))


def issued_path(admin_client: FlaskClient, user: User) -> str:
    return urlsplit(shown_link(issue(admin_client, user))).path


def set_new_password(client: FlaskClient, path: str, password: str, repeat: str | None = None) -> TestResponse:
    data = {"password": password, "password_repeat": password if repeat is None else repeat}
    return post_form(client, path, data)


def refused(response: TestResponse) -> bool:
    return response.status_code == 410 and REFUSED in response.get_data(as_text=True)


def actions_on(user: User) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client, make_user(Role.ADMIN, username="chief.admin"))
    return client


def test_an_admin_issues_a_link_the_user_sets_a_password_with_once(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    user = make_user(Role.STAFF)
    theirs = app.test_client()  # a session the user still has somewhere
    sign_in(theirs, user)

    response = issue(admin_client, user)
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert response.headers["Cache-Control"] == "private, no-store"
    link = shown_link(response)
    scheme, host, path, _query, _fragment = urlsplit(link)
    assert scheme in ("http", "https")
    assert host
    token = path.removeprefix("/reset/")
    assert len(token) >= 40
    assert "只显示这一次" in body
    # the database and the audit log keep no usable link
    db.session.refresh(user)
    assert user.reset_token_hash is not None
    assert token not in user.reset_token_hash
    assert user.reset_expires_at is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.reset_link")).one()
    assert entry.actor == "chief.admin"
    assert token not in json.dumps(entry.changes)
    # the page shows it once: the user's page itself does not
    assert token not in admin_client.get(f"/workspace/users/{user.id}").get_data(as_text=True)

    page = client.get(path)
    page_body = page.get_data(as_text=True)
    assert page.status_code == 200
    parse_strict(page_body)
    assert title_of(page_body).startswith("设置新密码")
    assert user.username in page_body
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the link never leaves in a Referer
    assert page.headers["Cache-Control"] == "private, no-store"

    done = set_new_password(client, path, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["Location"] == "/login"
    assert "新密码已设置" in client.get("/login").get_data(as_text=True)
    assert theirs.get("/workspace/").status_code == 302  # every session of the user has ended
    assert login(app.test_client(), user.username, PASSWORD).status_code == 401
    assert login(app.test_client(), user.username, NEW_PASSWORD).status_code == 303
    assert actions_on(user)[:2] == ["user.reset_link", "user.password_reset"]
    used = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.password_reset")).one()
    assert used.actor_id == user.id
    assert NEW_PASSWORD not in json.dumps(used.changes)

    # once only
    again = app.test_client()
    assert refused(again.get(path))
    token = csrf_token(again.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "password": "another-passphrase-1", "password_repeat": "another-passphrase-1"}
    assert refused(again.post(path, data=data))


def test_a_newer_link_voids_the_older_one(app: Flask, client: FlaskClient, admin_client: FlaskClient) -> None:
    user = make_user(Role.OFFICER)
    first = issued_path(admin_client, user)
    second = issued_path(admin_client, user)
    assert first != second
    assert refused(client.get(first))
    assert client.get(second).status_code == 200


def test_a_new_password_voids_the_link(app: Flask, client: FlaskClient, admin_client: FlaskClient) -> None:
    user = make_user(Role.OFFICER)
    path = issued_path(admin_client, user)
    set_password(user, "changed-meanwhile-2026", actor=user)
    assert refused(client.get(path))


def test_a_link_expires(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.OFFICER)
    now = utcnow()
    token = issue_reset_link(user, actor=make_user(Role.ADMIN), now=now - timedelta(hours=RESET_LINK_HOURS, seconds=1))
    assert refused(client.get(f"/reset/{token}"))
    assert reset_link_user(token, now) is None
    fresh = issue_reset_link(user, actor=make_user(Role.ADMIN), now=now - timedelta(hours=RESET_LINK_HOURS - 1))
    assert reset_link_user(fresh, now) is user


def test_the_expiry_rule() -> None:
    issued = utcnow()
    expires = reset_link_expires(issued)
    assert expires - issued == timedelta(hours=24)
    assert reset_link_usable(expires, expires - timedelta(seconds=1))
    assert not reset_link_usable(expires, expires)
    assert not reset_link_usable(None, issued)


def test_a_disabled_account_gets_no_link_and_cannot_use_one(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    user = make_user(Role.OFFICER)
    path = issued_path(admin_client, user)
    set_active(user, False, reason="离职")
    assert refused(client.get(path))
    set_active(user, True, reason="返聘")
    assert refused(client.get(path))  # enabled again, the old link stays void
    set_active(user, False, reason="离职")
    response = issue(admin_client, user)
    assert response.status_code == 400
    assert "账号已停用" in response.get_data(as_text=True)
    assert find(response.get_data(as_text=True), "code", id="reset-link") is None


def test_an_admin_cannot_issue_a_link_for_themself(app: Flask, client: FlaskClient) -> None:
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    show = f"/workspace/users/{admin.id}"
    page = client.get(show).get_data(as_text=True)
    assert f'action="{show}/reset-link"' not in page
    assert "/workspace/account" in page
    response = client.post(f"{show}/reset-link", data={"csrf_token": csrf_token(page)})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    parse_strict(body)
    assert "不能在这里为自己生成重置链接" in body
    db.session.refresh(admin)
    assert admin.reset_token_hash is None


@pytest.mark.parametrize("role", [Role.OFFICER, Role.STAFF])
def test_only_admins_issue_links(app: Flask, client: FlaskClient, role: Role) -> None:
    user = make_user(Role.OFFICER)
    sign_in(client, make_user(role))
    token = csrf_token(client.get("/workspace/").get_data(as_text=True))
    assert client.post(f"/workspace/users/{user.id}/reset-link", data={"csrf_token": token}).status_code == 403
    db.session.refresh(user)
    assert user.reset_token_hash is None


@pytest.mark.parametrize(
    ("password", "repeat", "field", "message"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "!", "password_repeat", "两次输入的新密码不一致"),
        ("short", "short", "password", "密码应为 12 到 256 个字符"),
        ("{username}-as-password", "{username}-as-password", "password", "密码不能包含用户名"),
    ],
)
def test_a_bad_new_password_is_refused_and_the_link_still_works(
    app: Flask, client: FlaskClient, admin_client: FlaskClient, password: str, repeat: str, field: str, message: str
) -> None:
    user = make_user(Role.STAFF)
    path = issued_path(admin_client, user)
    name = user.username
    response = set_new_password(client, path, password.replace("{username}", name), repeat.replace("{username}", name))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text_of(one(body, "p", class_="field-error-message", id=f"{field}-error"))
    assert password.replace("{username}", name) not in body
    assert set_new_password(client, path, NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize("token", ["nonsense", "x" * 5000, "%00abc", "٢٥٢"])
def test_unknown_links_are_refused_not_errors(app: Flask, client: FlaskClient, token: str) -> None:
    assert refused(client.get(f"/reset/{token}"))
    page = client.get("/login").get_data(as_text=True)
    assert refused(client.post(f"/reset/{token}", data={"csrf_token": csrf_token(page), "password": "x"}))


def test_posts_to_a_reset_page_are_throttled(app: Flask, client: FlaskClient, admin_client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    path = issued_path(admin_client, user)
    hidden = hidden_fields(client.get(path).get_data(as_text=True))
    for _ in range(10):
        wrong = client.post(path, data={**hidden, "password": NEW_PASSWORD, "password_repeat": "different"})
        assert wrong.status_code == 400
    response = client.post(path, data={**hidden, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.status_code == 429
    db.session.refresh(user)
    assert user.reset_token_hash is not None  # not used
