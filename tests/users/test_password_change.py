"""Changing one's own password on the account page (issue 19): every role, only with the current password, the new
one twice and by the password rules; the change is audited (never the password), every other session of the user
ends and this one goes on with its clocks; staff replace their own second factor there too."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import PASSWORD, make_user
from tests.forms import sign_in
from tests.html import find, form_fields, one, parse_strict, text_of, title_of
from tests.users.test_login import login, signed_in_as

ACCOUNT = "/workspace/account"
NEW_PASSWORD = "a-brand-new-passphrase-2026"


def post_account_form(client: FlaskClient, action: str, data: dict[str, str]) -> TestResponse:
    """Open the account page and post the form whose action is `action`, as a browser does."""
    body = client.get(ACCOUNT).get_data(as_text=True)
    form = find(body, "form", action=action)
    assert form is not None, f"the account page has no form posting to {action}"
    return client.post(action, data={**form_fields(form, hidden_only=True), **data})


def change(client: FlaskClient, current: str, new: str, repeat: str | None = None) -> TestResponse:
    data = {"current_password": current, "password": new, "password_repeat": new if repeat is None else repeat}
    return post_account_form(client, "/workspace/account/password", data)


def error_beside(body: str, field: str) -> str:
    message = one(body, "p", class_="field-error-message", id=f"{field}-error")
    assert one(body, "input", id=field).get("aria-invalid") == "true"
    return text_of(message)


def session_value(client: FlaskClient, key: str) -> Any:
    with client.session_transaction() as session:
        return session.get(key)


def audit_of(user: User) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


@pytest.mark.parametrize("role", [Role.OFFICER, Role.STAFF, Role.ADMIN])
def test_every_user_changes_their_password_and_only_this_session_stays(
    app: Flask, client: FlaskClient, role: Role
) -> None:
    user = make_user(role)
    sign_in(client, user)
    page = client.get(ACCOUNT)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    parse_strict(body)
    assert text_of(one(body, "h2", id="password-heading")) == "修改密码"
    assert one(body, "input", id="current_password").get("autocomplete") == "current-password"
    assert one(body, "input", id="password").get("autocomplete") == "new-password"
    assert one(body, "label", for_="password_repeat") is not None
    signed_in_at = session_value(client, "signed_in_at")
    assert signed_in_at is not None
    elsewhere = app.test_client()  # the same user on another machine
    sign_in(elsewhere, user)
    assert elsewhere.get("/workspace/").status_code == 200

    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == ACCOUNT
    # this session goes on, under the new session version, with the clocks it had
    assert signed_in_as(client) == user.get_id()
    assert user.session_version == 1
    assert session_value(client, "signed_in_at") == signed_in_at
    after = client.get(ACCOUNT).get_data(as_text=True)
    assert "密码已修改" in after
    assert client.get("/workspace/").status_code == 200
    # the other one has ended
    kicked = elsewhere.get("/workspace/")
    assert kicked.status_code == 302
    assert kicked.headers["Location"].startswith("/login")
    # audited, without the password
    [entry] = [e for e in audit_of(user) if e.action == "user.password"]
    assert entry.actor_id == user.id
    assert entry.changes == {}
    assert NEW_PASSWORD not in json.dumps(entry.changes) + (entry.reason or "")
    # the new password signs in, the old one no longer
    assert login(app.test_client(), user.username, PASSWORD).status_code == 401
    assert login(app.test_client(), user.username, NEW_PASSWORD).status_code == 303


def test_a_wrong_current_password_is_refused_beside_the_field_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    user = make_user(Role.STAFF)
    hash_before = user.password_hash
    sign_in(client, user)
    elsewhere = app.test_client()
    sign_in(elsewhere, user)

    response = change(client, "not-my-password-at-all", NEW_PASSWORD)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    parse_strict(body)
    assert error_beside(body, "current_password") == "当前密码不正确"
    assert 'href="#current_password"' in body
    assert NEW_PASSWORD not in body
    assert "not-my-password-at-all" not in body
    db.session.refresh(user)
    assert user.password_hash == hash_before
    assert user.session_version == 0
    assert elsewhere.get("/workspace/").status_code == 200
    assert [e.action for e in audit_of(user)] == []


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("", NEW_PASSWORD, NEW_PASSWORD, "current_password", "请输入当前密码"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "password_repeat", "两次输入的新密码不一致"),
        (PASSWORD, NEW_PASSWORD, "", "password_repeat", "请再次输入新密码"),
        (PASSWORD, "short-pw", "short-pw", "password", "密码应为 12 到 256 个字符"),
        (PASSWORD, "p" * 257, "p" * 257, "password", "密码应为 12 到 256 个字符"),
        (PASSWORD, "", "", "password", "请输入新密码"),
        (PASSWORD, "my-{username}-password", "my-{username}-password", "password", "密码不能包含用户名"),
    ],
)
def test_a_new_password_follows_the_rules(
    app: Flask, client: FlaskClient, current: str, new: str, repeat: str, field: str, message: str
) -> None:
    user = make_user(Role.OFFICER)
    hash_before = user.password_hash
    sign_in(client, user)
    new, repeat = new.replace("{username}", user.username), repeat.replace("{username}", user.username)
    response = change(client, current, new, repeat)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_beside(body, field)
    db.session.refresh(user)
    assert user.password_hash == hash_before
    assert user.session_version == 0


def test_a_password_change_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.OFFICER)
    sign_in(client, user)
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    assert client.post("/workspace/account/password", data=data).status_code == 400
    db.session.refresh(user)
    assert user.session_version == 0


def test_the_account_page_in_english(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user(Role.STAFF))
    page = client.get(ACCOUNT + "?lang=en")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert one(body, "html").get("lang") == "en"
    assert title_of(body)


# --- replacing one's own second factor ------------------------------------------------------------------------------


def test_staff_replace_their_own_second_factor_with_their_password(app: Flask, client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    user = make_user(Role.STAFF, totp_secret=secret)
    sign_in(client, user)
    body = client.get(ACCOUNT).get_data(as_text=True)
    assert "动态验证码：已启用。" in body
    assert 'class="secret"' not in body

    refused = post_account_form(client, "/workspace/account/totp", {"totp-current_password": "wrong-password-here"})
    assert refused.status_code == 400
    assert error_beside(refused.get_data(as_text=True), "totp-current_password") == "当前密码不正确"
    db.session.refresh(user)
    assert user.totp_secret == secret

    done = post_account_form(client, "/workspace/account/totp", {"totp-current_password": PASSWORD})
    assert done.status_code == 303
    db.session.refresh(user)
    assert user.totp_secret is None
    page = client.get(ACCOUNT).get_data(as_text=True)
    assert "启用动态验证码" in page  # set it up again, with the new phone
    assert text_of(one(page, "span", class_="secret")) != secret
    assert [e.action for e in audit_of(user)] == ["user.totp_reset"]


def test_the_current_password_cannot_be_guessed_without_end(app: Flask, client: FlaskClient) -> None:
    """A stolen session guessing the current password on the account page: ten tries in 15 minutes, then 429, and
    the password is unchanged."""
    user = make_user(Role.STAFF)
    sign_in(client, user)
    for attempt in range(10):
        assert change(client, f"guess-number-{attempt}", "a-brand-new-password-1").status_code == 400
    assert change(client, PASSWORD, "a-brand-new-password-1").status_code == 429
    sign_in(client, user)
    assert login(app.test_client(), user.username, PASSWORD).status_code == 303
