"""Signing in and out through the real form: cookies, a fresh session at login, where the login leads, disabled
accounts, CSRF, and throttling (per account, per address, in memory and across workers sharing Redis)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal import create_app
from portal.audit.models import AuditEntry
from portal.demo.operations import DEMO_PASSWORD
from portal.extensions import db
from portal.users import views
from portal.users.models import User
from portal.users.operations import create_user, find_user, set_active, set_password
from portal.users.rules import Role, login_delay
from tests.conftest import PRODUCTION, TEST_REDIS_URL, TODAY
from tests.factories import PASSWORD, make_user
from tests.forms import hidden_fields, sign_out
from tests.html import title_of, visible_text

WRONG = "not-the-password-at-all"
REFUSED = "用户名或密码不正确，或账号已停用。"
REDIS_URL = TEST_REDIS_URL


@contextmanager
def fresh_app(tmp_path: Path, **settings: str) -> Iterator[Flask]:
    """An app of its own (another configuration, or another gunicorn worker) on a fresh SQLite database under
    tmp_path, migrated; apps made with the same tmp_path share the database."""
    app = create_app(
        {
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_SECRET_KEY": "fresh-app-secret-key-" + "y" * 32,
            "PORTAL_TODAY": TODAY,
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "PORTAL_REDIS_URL": "",
            "PORTAL_REQUIRE_2FA": "",
            "PORTAL_PROXY_COUNT": "0",
            **settings,
        }
    )
    app.config.update(TESTING=True)
    with app.app_context():
        upgrade()
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def add_user(app: Flask, username: str, role: Role = Role.STAFF, **fields: object) -> None:
    """A committed account in a fresh app, with password PASSWORD."""
    with app.app_context():
        user = create_user(username, PASSWORD, role)
        for name, value in fields.items():
            setattr(user, name, value)
        db.session.commit()
        db.session.remove()


def login(client: FlaskClient, username: str, password: str, *, next_url: str | None = None) -> TestResponse:
    """Open the login page and post its form, as a browser does."""
    url = "/login" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(
        url, data={**hidden_fields(page.get_data(as_text=True)), "username": username, "password": password}
    )


def session_cookie_header(response: TestResponse, name: str = "session") -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def signed_in_as(client: FlaskClient) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


# --- signing in ---------------------------------------------------------------------------------------------------


def test_the_demo_staff_account_signs_in_through_the_form(app: Flask, client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert title_of(page.get_data(as_text=True)).startswith("工作人员登录")
    assert page.headers["Cache-Control"] == "private, no-store"

    response = login(client, "demo-staff", DEMO_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/workspace/"
    staff = find_user("demo-staff")
    assert staff is not None
    assert signed_in_as(client) == staff.get_id()
    dashboard = client.get("/workspace/")
    assert dashboard.status_code == 200
    assert "演示信用办工作人员" in dashboard.get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).all()[-1]
    assert entry.actor_id == staff.id


def test_the_user_name_is_not_case_sensitive(app: Flask, client: FlaskClient) -> None:
    assert login(client, " Demo-Staff ", DEMO_PASSWORD).status_code == 303


def test_the_session_cookie_is_httponly_and_lax_not_secure_in_development(app: Flask, client: FlaskClient) -> None:
    header = session_cookie_header(login(client, "demo-staff", DEMO_PASSWORD))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # development runs on plain http://127.0.0.1


def test_the_session_cookie_is_secure_in_production(tmp_path: Path) -> None:
    with fresh_app(tmp_path, **PRODUCTION) as app:
        assert app.config["PORTAL_SETTINGS"].is_production
        add_user(app, "prod.staff")
        client = app.test_client()
        response = login(client, "prod.staff", PASSWORD)
        assert response.status_code == 303
        assert response.headers["Location"] == "/workspace/"
        header = session_cookie_header(response, "__Host-session")  # issue 19: this host only, whole path
        assert "Secure" in header
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        assert "Path=/" in header
        assert "Domain=" not in header
        assert client.get("/workspace/").status_code == 200


@pytest.mark.parametrize("username", ["demo-staff", "nobody-at-all"])
def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    app: Flask, client: FlaskClient, username: str
) -> None:
    response = login(client, username, WRONG)
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert REFUSED in body
    assert "不存在" not in body
    assert "密码错误" not in body
    assert WRONG not in body  # the password is not sent back
    assert signed_in_as(client) is None
    assert client.get("/workspace/").status_code == 302


def test_a_disabled_user_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    set_active(user, False)
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_empty_fields_are_named_beside_the_form(app: Flask, client: FlaskClient) -> None:
    response = login(client, "", "")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请输入用户名" in body
    assert "请输入密码" in body


def test_the_session_is_renewed_at_login(app: Flask, client: FlaskClient) -> None:
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "from before the login"
        old_csrf = session["csrf_token"]
    assert login(client, "demo-staff", DEMO_PASSWORD).status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != old_csrf
        assert session["_user_id"]


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/workspace/account", "/workspace/account"),
        ("/records/?kind=administrative_penalty", "/records/?kind=administrative_penalty"),
        ("//evil.example", "/workspace/"),
        ("https://evil.example", "/workspace/"),
        ("https://evil.example/workspace/", "/workspace/"),
        ("/\\evil.example", "/workspace/"),
        ("javascript:alert(1)", "/workspace/"),
        ("", "/workspace/"),
    ],
)
def test_next_is_followed_only_to_a_path_on_this_site(
    app: Flask, client: FlaskClient, next_url: str, location: str
) -> None:
    response = login(client, "demo-staff", DEMO_PASSWORD, next_url=next_url)
    assert response.status_code == 303
    assert response.headers["Location"] == location


def test_a_signed_in_user_opening_the_login_page_goes_on_but_never_off_site(app: Flask, client: FlaskClient) -> None:
    assert login(client, "demo-staff", DEMO_PASSWORD).status_code == 303
    assert client.get("/login").headers["Location"] == "/workspace/"
    assert client.get("/login?next=%2F%2Fevil.example").headers["Location"] == "/workspace/"
    assert client.get("/login?next=%2Fworkspace%2Faccount").headers["Location"] == "/workspace/account"


def test_logout_ends_the_session(app: Flask, client: FlaskClient) -> None:
    assert login(client, "demo-staff", DEMO_PASSWORD).status_code == 303
    sign_out(client)  # POST /logout with the header form's CSRF token → 303
    assert signed_in_as(client) is None
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "您已退出登录。" in client.get("/").get_data(as_text=True)
    staff = find_user("demo-staff")
    assert staff is not None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == staff.id).order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["user.login", "user.logout"]


def test_logout_ends_copies_of_the_session_too(app: Flask, client: FlaskClient) -> None:
    """A copied cookie (another tab, another machine, a thief) stops working at sign-out."""
    assert login(client, "demo-staff", DEMO_PASSWORD).status_code == 303
    with client.session_transaction() as session:
        copied = dict(session)
    sign_out(client)
    with client.session_transaction() as session:
        session.update(copied)
    assert client.get("/workspace/").status_code == 302


def test_a_new_password_and_re_enabling_do_not_revive_old_sessions(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    assert login(client, user.username, PASSWORD).status_code == 303
    set_active(user, False)
    set_active(user, True)
    db.session.commit()
    assert client.get("/workspace/").status_code == 302
    assert login(client, user.username, PASSWORD).status_code == 303
    set_password(user, "a-brand-new-password-2026")
    db.session.commit()
    assert client.get("/workspace/").status_code == 302


def test_logout_needs_a_post_with_its_csrf_token(app: Flask, client: FlaskClient) -> None:
    assert login(client, "demo-staff", DEMO_PASSWORD).status_code == 303
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token: a link on another site cannot sign you out
    assert client.get("/workspace/").status_code == 200


def test_a_disabled_users_session_stops_at_its_next_request(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    assert login(client, user.username, PASSWORD).status_code == 303
    assert client.get("/workspace/").status_code == 200

    set_active(user, False)  # e.g. `flask users disable` from another process
    db.session.commit()
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fworkspace%2F"
    assert client.get("/workspace/account").status_code == 302
    assert "退出登录" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_login_without_a_valid_csrf_token_is_refused(app: Flask, client: FlaskClient, token: str | None) -> None:
    client.get("/login")
    data = {"username": "demo-staff", "password": DEMO_PASSWORD} | ({"csrf_token": token} if token is not None else {})
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "缺少安全令牌" in visible_text(response.get_data(as_text=True))
    assert signed_in_as(client) is None


# --- throttling ---------------------------------------------------------------------------------------------------


def fail(client: FlaskClient, username: str, times: int) -> None:
    for attempt in range(times):
        response = login(client, username, WRONG)
        assert response.status_code == 401, f"failed attempt {attempt + 1} for {username}: {response.status_code}"


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The slow-down of a much-guessed account, recorded instead of waited for."""
    waited: list[float] = []
    monkeypatch.setattr(views, "pause", waited.append)
    return waited


def test_guessing_from_one_address_refuses_that_address_never_the_owner(
    app: Flask, client: FlaskClient, pauses: list[float]
) -> None:
    """Issue 19: ten wrong passwords from one address stop that address for that account; the owner, elsewhere,
    still signs in (slowed down a little), and is told of the attempts."""
    target = make_user(Role.STAFF)
    other = make_user(Role.STAFF)
    fail(client, target.username, 5)
    fail(client, target.username.upper(), 5)  # the same account, however it is typed
    assert pauses == [0.5, 1.0, 1.5, 2.0, 2.5]  # from the sixth attempt on, growing

    response = login(client, target.username, PASSWORD)
    assert response.status_code == 429
    assert title_of(response.get_data(as_text=True)).startswith("尝试次数过多")
    assert int(response.headers["Retry-After"]) > 0
    assert signed_in_as(client) is None
    assert login(client, other.username, PASSWORD).status_code == 303  # another account from the same address
    sign_out(client)

    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    pauses.clear()
    signed_in = login(owner, target.username, PASSWORD)
    assert signed_in.status_code == 303
    assert pauses == [3.0]  # slowed, at most LOGIN_DELAY_MAX, never refused
    told = visible_text(owner.get(signed_in.headers["Location"]).get_data(as_text=True))
    assert "有人用错误的密码尝试登录您的账号 10 次" in told
    assert "来自 127.0.0.1" in told
    sign_out(owner)
    assert login(owner, target.username, PASSWORD).status_code == 303  # told once: nothing new since
    assert "有人用错误的密码" not in visible_text(owner.get("/workspace/").get_data(as_text=True))


@pytest.mark.parametrize(
    ("failures", "delay"), [(0, 0.0), (4, 0.0), (5, 0.5), (6, 1.0), (9, 2.5), (10, 3.0), (1000, 3.0)]
)
def test_the_delay_grows_with_recent_failures_and_stays_short(failures: int, delay: float) -> None:
    assert login_delay(failures) == delay


def test_an_unknown_name_is_slowed_like_a_known_one_and_not_audited(
    app: Flask, client: FlaskClient, pauses: list[float]
) -> None:
    """The slow-down tells nothing about which names exist (it is counted per typed name), and a guessed name that
    is no account fills no audit log."""
    before = db.session.scalar(select(func.count(AuditEntry.id))) or 0
    fail(client, "nobody-by-this-name", 6)
    unknown = list(pauses)
    pauses.clear()
    fail(client, make_user(Role.STAFF).username, 6)
    assert unknown == pauses == [0.5]  # the sixth attempt, after five failures
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before + 6  # the known account's six only


def test_a_slowed_login_lets_other_writers_go_while_it_waits(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: a post holds the write lock from its first statement; a login that waits must give it up first, or
    anyone could stop every decision on the site with a few wrong passwords."""
    user = make_user(Role.STAFF)
    fail(client, user.username, 5)
    in_transaction: list[bool] = []
    monkeypatch.setattr(views, "pause", lambda _seconds: in_transaction.append(db.session().in_transaction()))
    fail(client, user.username, 1)
    assert in_transaction == [False]


def test_a_successful_login_does_not_count_as_an_attempt(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.STAFF)
    fail(client, user.username, 9)
    assert login(client, user.username, PASSWORD).status_code == 303
    sign_out(client)
    fail(client, user.username, 1)  # the tenth failure from this address: still allowed
    assert login(client, user.username, PASSWORD).status_code == 429


def test_the_address_limit_stops_attempts_spread_over_many_accounts(app: Flask, client: FlaskClient) -> None:
    accounts = [make_user(Role.STAFF) for _ in range(4)]
    for user in accounts[:3]:
        fail(client, user.username, 10)  # 30 failures from 127.0.0.1

    last = accounts[3]  # no failure of its own, yet its address is spent
    assert login(client, last.username, PASSWORD).status_code == 429
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"  # someone else
    assert login(client, last.username, PASSWORD).status_code == 303


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(app: Flask, client: FlaskClient) -> None:
    """PORTAL_PROXY_COUNT=0: a forged X-Forwarded-For must not buy a fresh address for every attempt."""
    accounts = [make_user(Role.STAFF) for _ in range(4)]
    for n, user in enumerate(accounts[:3]):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        fail(client, user.username, 10)
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
    assert login(client, accounts[3].username, PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_limit_is_per_client_address(tmp_path: Path, restore_limiter: None) -> None:
    with fresh_app(tmp_path, PORTAL_PROXY_COUNT="1") as app:
        names = [f"proxied{n}" for n in range(4)]
        for name in names:
            add_user(app, name)
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.1"  # the proxy
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
        for name in names[:3]:
            fail(client, name, 10)
        assert login(client, names[3], PASSWORD).status_code == 429
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.1"  # the same proxy, another client behind it
        other.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.6"
        assert login(other, names[3], PASSWORD).status_code == 303


def test_memory_limits_are_per_process(tmp_path: Path, restore_limiter: None) -> None:
    """Without Redis, each worker counts alone: a second worker has not seen the first one's attempts (this is
    what the Redis test below must do better)."""
    with fresh_app(tmp_path) as worker1:
        add_user(worker1, "memory.staff")
        fail(worker1.test_client(), "memory.staff", 10)
        assert login(worker1.test_client(), "memory.staff", PASSWORD).status_code == 429
        with fresh_app(tmp_path) as worker2:
            assert login(worker2.test_client(), "memory.staff", PASSWORD).status_code == 303


def test_with_redis_the_limit_holds_across_two_workers(tmp_path: Path, restore_limiter: None) -> None:
    redis = Redis.from_url(REDIS_URL)
    redis.ping()  # Redis runs beside the suite (.ci/run starts it): if it is down, this test fails
    tag = uuid.uuid4().hex[:12]
    username = f"redis-{tag}"
    address = f"10.{int(tag[:2], 16)}.{int(tag[2:4], 16)}.{int(tag[4:6], 16)}"
    try:
        with fresh_app(tmp_path, PORTAL_REDIS_URL=REDIS_URL) as worker1:
            add_user(worker1, username)
            client1 = worker1.test_client()
            client1.environ_base["REMOTE_ADDR"] = address
            fail(client1, username, 10)
            assert redis.keys(f"*{username}*"), "the attempts were not counted in Redis"

            with fresh_app(tmp_path, PORTAL_REDIS_URL=REDIS_URL) as worker2:  # a new limiter storage, same Redis
                client2 = worker2.test_client()
                client2.environ_base["REMOTE_ADDR"] = address
                assert login(client2, username, PASSWORD).status_code == 429
                with worker2.app_context():
                    assert db.session.scalar(select(User.id).where(User.username == username)) is not None
    finally:
        for pattern in (f"*{username}*", f"*{address}*"):
            for key in redis.scan_iter(match=pattern):
                redis.delete(key)
        assert not redis.keys(f"*{tag}*")
        assert not redis.keys(f"*{address}*")
        redis.close()
