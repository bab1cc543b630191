"""The TOTP second factor: asked after the password for staff who have it, a code works once, required for staff and
admins when PORTAL_REQUIRE_2FA is on (set up at /login/code or on /workspace/account), never asked of officers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.users.models import User
from portal.users.operations import create_user
from portal.users.rules import PENDING_LOGIN_SECONDS, Role
from tests.factories import PASSWORD, make_agency, make_user
from tests.forms import csrf_token, hidden_fields, post_form, sign_in, sign_out
from tests.html import find, text_of, title_of
from tests.users.test_login import fresh_app, login, signed_in_as

WRONG_CODE = "验证码不正确或已使用过"


def enter_code(client: FlaskClient, code: str) -> TestResponse:
    page = client.get("/login/code")
    assert page.status_code == 200, page.status_code
    return client.post("/login/code", data={**hidden_fields(page.get_data(as_text=True)), "code": code})


def wrong_code(secret: str) -> str:
    """A six-digit code that none of the steps around now accepts."""
    now = time.time()
    valid = {pyotp.TOTP(secret).at(now + d) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid)


def shown_secret(body: str) -> str:
    shown = find(body, "span", class_="secret")
    assert shown is not None, "the page shows no secret to set up"
    secret = text_of(shown)
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    return secret


@pytest.fixture
def staff_with_totp(app: Flask) -> tuple[User, pyotp.TOTP]:
    secret = pyotp.random_base32()
    return make_user(Role.STAFF, totp_secret=secret), pyotp.TOTP(secret)


def test_staff_with_totp_enter_a_code_after_the_password(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]
) -> None:
    user, totp = staff_with_totp
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/code"
    assert signed_in_as(client) is None
    assert client.get("/workspace/").status_code == 302  # the password alone opens nothing

    page = client.get("/login/code")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert title_of(body).startswith("动态验证码")
    assert 'autocomplete="one-time-code"' in body
    assert totp.secret not in body  # the secret is shown only while setting up

    response = enter_code(client, totp.now())
    assert response.status_code == 303
    assert response.headers["Location"] == "/workspace/"
    assert signed_in_as(client) == user.get_id()
    assert client.get("/workspace/").status_code == 200


def test_the_code_step_keeps_where_the_login_was_going(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]
) -> None:
    user, totp = staff_with_totp
    assert login(client, user.username, PASSWORD, next_url="/workspace/account").status_code == 303
    assert enter_code(client, totp.now()).headers["Location"] == "/workspace/account"


def test_a_wrong_password_never_reaches_the_code(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]
) -> None:
    user, _totp = staff_with_totp
    assert login(client, user.username, "wrong password, right user").status_code == 401
    assert client.get("/login/code").headers["Location"] == "/login"


@pytest.mark.parametrize("bad", ["wrong", "12345", "1234567", "abcdef"])
def test_a_wrong_code_is_refused(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP], bad: str
) -> None:
    user, totp = staff_with_totp
    login(client, user.username, PASSWORD)
    code = wrong_code(totp.secret) if bad == "wrong" else bad
    response = enter_code(client, code)
    body = response.get_data(as_text=True)
    if bad == "wrong":
        assert response.status_code == 401
        assert WRONG_CODE in body
    else:
        assert response.status_code == 400
        assert "验证码是 6 位数字" in body
    assert 'aria-invalid="true"' in body
    assert signed_in_as(client) is None
    assert enter_code(client, totp.now()).status_code == 303  # the right one still works afterwards


def test_a_code_works_only_once(app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]) -> None:
    user, totp = staff_with_totp
    code = totp.now()
    login(client, user.username, PASSWORD)
    assert enter_code(client, code).status_code == 303
    sign_out(client)

    login(client, user.username, PASSWORD)
    response = enter_code(client, code)  # replayed, e.g. read over a shoulder
    assert response.status_code == 401
    assert WRONG_CODE in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_code_guesses_are_throttled(app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]) -> None:
    user, totp = staff_with_totp
    login(client, user.username, PASSWORD)
    for _ in range(5):
        assert enter_code(client, wrong_code(totp.secret)).status_code == 401
    assert enter_code(client, totp.now()).status_code == 429
    assert signed_in_as(client) is None


def test_the_pending_login_expires(app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]) -> None:
    user, totp = staff_with_totp
    login(client, user.username, PASSWORD)
    page = client.get("/login/code")
    assert page.status_code == 200
    with client.session_transaction() as session:
        session["pending_login"]["at"] = time.time() - PENDING_LOGIN_SECONDS - 1
        session.modified = True

    response = client.post("/login/code", data={**hidden_fields(page.get_data(as_text=True)), "code": totp.now()})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert signed_in_as(client) is None
    assert "请重新输入用户名和密码。" in client.get("/login").get_data(as_text=True)
    assert client.get("/login/code").headers["Location"] == "/login"  # and it is gone
    assert user.totp_last_step is None  # the code was not spent


def test_a_user_disabled_between_password_and_code_is_stopped(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]
) -> None:
    user, totp = staff_with_totp
    login(client, user.username, PASSWORD)
    page = client.get("/login/code")
    user.active = False
    db.session.flush()
    response = client.post("/login/code", data={**hidden_fields(page.get_data(as_text=True)), "code": totp.now()})
    assert response.headers["Location"] == "/login"
    assert signed_in_as(client) is None


def test_the_code_page_without_a_password_first_goes_back_to_login(app: Flask, client: FlaskClient) -> None:
    response = client.get("/login/code")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.STAFF, Role.ADMIN])
def test_without_totp_and_without_the_requirement_nobody_is_asked(app: Flask, client: FlaskClient, role: Role) -> None:
    user = make_user(role)
    assert login(client, user.username, PASSWORD).headers["Location"] == "/workspace/"


def test_an_officer_is_never_asked_for_a_code(app: Flask, client: FlaskClient) -> None:
    officer = make_user(Role.OFFICER, totp_secret=pyotp.random_base32())  # left over from an earlier staff role
    assert login(client, officer.username, PASSWORD).headers["Location"] == "/workspace/"


# --- setting up the second factor on the account page ---------------------------------------------------------------


def test_staff_set_up_totp_on_their_account_page(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    sign_in(client, user)
    page = client.get("/workspace/account")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "启用动态验证码" in body
    secret = shown_secret(body)
    assert f"secret={secret}" in body.replace("&amp;", "&")  # the otpauth:// address for apps that take it
    assert shown_secret(client.get("/workspace/account").get_data(as_text=True)) == secret  # stable while set up
    assert "本站要求" not in body  # not required here

    response = post_form(client, "/workspace/account", {"code": wrong_code(secret)})
    assert response.status_code == 400
    assert "验证码不正确" in response.get_data(as_text=True)
    assert user.totp_secret is None

    response = post_form(client, "/workspace/account", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    assert response.headers["Location"] == "/workspace/account"
    assert user.totp_secret == secret
    page_after = client.get("/workspace/account").get_data(as_text=True)
    assert "动态验证码已启用" in page_after
    assert "动态验证码：已启用。" in page_after
    assert secret not in page_after
    assert db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
    ).all() == ["user.totp_on"]

    sign_out(client)
    assert login(client, user.username, PASSWORD).headers["Location"] == "/login/code"  # from now on


def test_an_officer_account_page_offers_no_second_factor(app: Flask, client: FlaskClient) -> None:
    officer = make_user(Role.OFFICER)
    sign_in(client, officer)
    body = client.get("/workspace/account").get_data(as_text=True)
    assert officer.username in body
    assert officer.agency is not None
    assert officer.agency.name in body
    assert "启用动态验证码" not in body
    assert 'class="secret"' not in body


def test_the_account_page_needs_a_signed_in_user(app: Flask, client: FlaskClient) -> None:
    response = client.get("/workspace/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fworkspace%2Faccount"


# --- PORTAL_REQUIRE_2FA --------------------------------------------------------------------------------------------


@pytest.fixture
def required_app(tmp_path: Path) -> Iterator[Flask]:
    with fresh_app(tmp_path, PORTAL_REQUIRE_2FA="on") as app:
        assert app.config["PORTAL_SETTINGS"].require_2fa
        with app.app_context():
            create_user("must.staff", PASSWORD, Role.STAFF)
            create_user("must.admin", PASSWORD, Role.ADMIN)
            create_user("field.officer", PASSWORD, Role.OFFICER, agency=make_agency())
            db.session.commit()
        yield app


def user_in(app: Flask, username: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("username", ["must.staff", "must.admin"])
def test_required_2fa_takes_staff_through_setup_before_the_workspace(required_app: Flask, username: str) -> None:
    client = required_app.test_client()
    response = login(client, username, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/code"

    page = client.get("/login/code")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "必须启用动态验证码" in body
    secret = shown_secret(body)
    assert client.get("/workspace/").status_code == 302  # not signed in until the setup is done
    assert signed_in_as(client) is None

    response = enter_code(client, wrong_code(secret))
    assert response.status_code == 401
    assert user_in(required_app, username).totp_secret is None
    assert shown_secret(response.get_data(as_text=True)) == secret  # the same secret to try again

    response = enter_code(client, pyotp.TOTP(secret).now())
    assert response.status_code == 303
    assert response.headers["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    assert user_in(required_app, username).totp_secret == secret

    # next time: the code only, no new secret; and the code used for the setup is spent
    client = required_app.test_client()
    login(client, username, PASSWORD)
    assert 'class="secret"' not in client.get("/login/code").get_data(as_text=True)
    assert enter_code(client, pyotp.TOTP(secret).now()).status_code == 401


def test_required_2fa_never_asks_an_officer(required_app: Flask) -> None:
    client = required_app.test_client()
    response = login(client, "field.officer", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200


def test_required_2fa_sends_a_session_without_it_to_the_account_page(required_app: Flask) -> None:
    """A staff member signed in before the requirement was switched on must set it up before anything else."""
    client = required_app.test_client()
    sign_in(client, user_in(required_app, "must.staff"))
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace/account"

    page = client.get("/workspace/account")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "启用之前，其他工作页面不可用" in body
    secret = shown_secret(body)
    response = client.post("/workspace/account", data={**hidden_fields(body), "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    assert client.get("/workspace/").status_code == 200


# --- an admin removes a lost second factor --------------------------------------------------------------------------


def test_an_admin_resets_a_lost_second_factor_with_a_reason(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP]
) -> None:
    user, totp = staff_with_totp
    admin = make_user(Role.ADMIN, username="totp.admin")
    theirs = app.test_client()
    sign_in(theirs, user)
    sign_in(client, admin)
    show = f"/workspace/users/{user.id}"
    page = client.get(show).get_data(as_text=True)
    assert find(page, "h2", id="totp-heading") is not None

    no_reason = post_form(client, show, {"totp-reason": "  "}, to=f"{show}/totp")
    assert no_reason.status_code == 400
    body = no_reason.get_data(as_text=True)
    error = find(body, "p", id="totp-reason-error")
    assert error is not None
    assert text_of(error) == "请说明原因"
    db.session.refresh(user)
    assert user.totp_secret == totp.secret

    done = post_form(client, show, {"totp-reason": "手机丢失"}, to=f"{show}/totp")
    assert done.status_code == 303
    assert done.headers["Location"] == show
    db.session.refresh(user)
    assert user.totp_secret is None
    assert "已停用" in client.get(show).get_data(as_text=True)
    assert theirs.get("/workspace/").status_code == 302  # their sessions have ended
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_reset")).one()
    assert (entry.actor, entry.reason, entry.entity_id) == ("totp.admin", "手机丢失", str(user.id))
    assert totp.secret not in str(entry.changes)

    # they sign in with the password alone and set a new second factor up on their account page
    fresh = app.test_client()
    assert login(fresh, user.username, PASSWORD).headers["Location"] == "/workspace/"
    assert "启用动态验证码" in fresh.get("/workspace/account").get_data(as_text=True)


def test_with_2fa_required_a_reset_user_sets_it_up_at_the_next_login(required_app: Flask) -> None:
    with required_app.app_context():
        admin = create_user("reset.admin", PASSWORD, Role.ADMIN)
        admin.totp_secret = pyotp.random_base32()
        user = db.session.scalars(select(User).where(User.username == "must.staff")).one()
        user.totp_secret = old_secret = pyotp.random_base32()
        db.session.commit()
        user_id = user.id
    client = required_app.test_client()
    sign_in(client, user_in(required_app, "reset.admin"))
    show = f"/workspace/users/{user_id}"
    assert post_form(client, show, {"totp-reason": "换了手机"}, to=f"{show}/totp").status_code == 303
    assert user_in(required_app, "must.staff").totp_secret is None

    theirs = required_app.test_client()
    assert login(theirs, "must.staff", PASSWORD).headers["Location"] == "/login/code"
    secret = shown_secret(theirs.get("/login/code").get_data(as_text=True))
    assert secret != old_secret
    assert enter_code(theirs, pyotp.TOTP(secret).now()).status_code == 303
    assert user_in(required_app, "must.staff").totp_secret == secret


def test_an_admin_cannot_reset_their_own_second_factor_here(app: Flask, client: FlaskClient) -> None:
    admin = make_user(Role.ADMIN, totp_secret=pyotp.random_base32())
    sign_in(client, admin)
    show = f"/workspace/users/{admin.id}"
    page = client.get(show).get_data(as_text=True)
    assert f'action="{show}/totp"' not in page
    response = client.post(f"{show}/totp", data={"csrf_token": csrf_token(page), "totp-reason": "测试"})
    assert response.status_code == 400
    assert "不能在这里重置自己的动态验证码" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.totp_secret is not None
    assert client.get("/workspace/").status_code == 200  # still signed in


def test_a_user_without_a_second_factor_has_none_to_reset(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    sign_in(client, make_user(Role.ADMIN))
    show = f"/workspace/users/{user.id}"
    assert f'action="{show}/totp"' not in client.get(show).get_data(as_text=True)
    response = post_form(client, show, {"totp-reason": "测试"}, to=f"{show}/totp")
    assert response.status_code == 400
    assert "此账号没有启用动态验证码" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.session_version == 0


@pytest.mark.parametrize("role", [Role.OFFICER, Role.STAFF])
def test_only_admins_reset_a_second_factor(
    app: Flask, client: FlaskClient, staff_with_totp: tuple[User, pyotp.TOTP], role: Role
) -> None:
    user, totp = staff_with_totp
    sign_in(client, make_user(role))
    token = hidden_fields(client.get("/workspace/account").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/workspace/users/{user.id}/totp", data={"csrf_token": token, "totp-reason": "x"})
    assert response.status_code == 403
    db.session.refresh(user)
    assert user.totp_secret == totp.secret
