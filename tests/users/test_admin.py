"""User management in the web UI: admins only; creating an account (refusals beside their fields, one account per
form, CSRF), changing a role, disabling and enabling (a disabled user's session ends), all in the audit log."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.users.models import User
from portal.users.operations import find_user
from tests.factories import PASSWORD, make_agency, make_user
from tests.forms import csrf_token, hidden_fields, post_form, sign_in, sign_out
from tests.html import (
    attr,
    find,
    find_all,
    links,
    one,
    parse_strict,
    startswith,
    text_of,
    title_of,
    visible_text,
)

NEW = "/workspace/users/new"
NEW_PASSWORD = "a-long-admin-passphrase-2026"
VALID = {"username": "new.staff", "display_name": "新同事", "role": "staff", "agency": "", "password": NEW_PASSWORD}


def csrf(client: FlaskClient) -> str:
    """The session's CSRF token, from the header's sign-out form (or the login form when signed out)."""
    body = client.get("/login" if "退出登录" not in client.get("/").get_data(as_text=True) else "/").get_data(
        as_text=True
    )
    return csrf_token(body)


def error_beside(body: str, field: str) -> str:
    """The message shown beside a form field (the input is marked invalid and points at it)."""
    message = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert message is not None, f"no error beside {field}"
    assert find_all(body, id=field, aria_invalid="true")
    return text_of(message)


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def audit_rows(client: FlaskClient, query: str) -> list[str]:
    body = client.get(f"/workspace/audit/?{query}").get_data(as_text=True)
    return [visible_text(row) for row in find_all(body, "tr", id=startswith("entry-"))]


def every_page(client: FlaskClient) -> list[str]:
    """The bodies of every page of the account list (the demo data alone has 41 accounts)."""
    bodies = [client.get("/workspace/users/?page=1").get_data(as_text=True)]
    while 'rel="next"' in bodies[-1] and len(bodies) < 50:
        bodies.append(client.get(f"/workspace/users/?page={len(bodies) + 1}").get_data(as_text=True))
    return bodies


def user_rows(body: str) -> dict[str, Element]:
    """The list's rows, by user id (<tr id="user-12">)."""
    return {attr(row, "id").removeprefix("user-"): row for row in find_all(body, "tr", id=startswith("user-"))}


def test_every_route_is_for_admins_only(app: Flask, client: FlaskClient) -> None:
    target = make_user("staff")
    pages = ["/workspace/users/", NEW, f"/workspace/users/{target.id}"]
    posts = [NEW, f"/workspace/users/{target.id}/role", f"/workspace/users/{target.id}/active"]
    token = csrf(client)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302
        assert unquote(response.headers["Location"]) == f"/login?next={url}"
    for url in posts:
        response = client.post(url, data={"csrf_token": token, "role": "admin", "reason": "x"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    for role in ("officer", "staff"):
        sign_in(client, make_user(role))
        token = csrf(client)
        for url in pages:
            assert client.get(url).status_code == 403
        for url in posts:
            assert client.post(url, data={"csrf_token": token, "role": "admin", "reason": "x"}).status_code == 403
    db.session.refresh(target)
    assert target.role == "staff"
    assert target.active
    sign_in(client, make_user("admin"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        parse_strict(body)
        assert title_of(body)
    token = csrf(client)
    assert client.get("/workspace/users/999999999").status_code == 404
    assert client.get("/workspace/users/99999999999").status_code == 404  # beyond any id: no database error
    for action in ("role", "active"):
        response = client.post(f"/workspace/users/999999999/{action}", data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 404
    assert client.get("/workspace/users/?page=0").status_code == 400


def test_the_list_shows_every_account(app: Flask, client: FlaskClient) -> None:
    agency = make_agency(name="演示测试局")
    officer = make_user("officer", agency, display_name="王 <b>填报</b>")
    disabled = make_user("staff", active=False, totp_secret="JBSWY3DPEHPK3PXP")
    sign_in(client, make_user("admin"))
    bodies = every_page(client)
    body, page = bodies[0], "".join(bodies[1:])
    rows = {key: row for listed in bodies for key, row in user_rows(listed).items()}
    # the demo accounts (user names "demo-...") come first, then ours ("user<n>"), sorted by name
    assert "demo-admin" in body
    assert "demo-staff" in body + page
    officer_row = visible_text(rows[str(officer.id)])
    assert "机构填报员" in officer_row
    assert "演示测试局" in officer_row
    assert "可用" in officer_row
    assert "王 <b>填报</b>" in officer_row  # shown as text...
    assert find_all(rows[str(officer.id)], "b") == []  # ...not as markup
    assert "<b>填报" not in body + page
    disabled_row = visible_text(rows[str(disabled.id)])
    assert "已停用" in disabled_row
    assert "已启用" in disabled_row
    demo_row = next(text for text in map(visible_text, rows.values()) if "demo-admin" in text)
    assert " 是 " in demo_row
    assert "未启用" in demo_row
    assert f"/workspace/users/{officer.id}" in links(rows[str(officer.id)])


def test_an_admin_creates_an_account_that_can_sign_in(app: Flask, client: FlaskClient) -> None:
    admin = make_user("admin")
    agency = make_agency(name="新建账号测试局")
    sign_in(client, admin)
    form = client.get(NEW).get_data(as_text=True)
    assert f'<option value="{agency.id}">新建账号测试局</option>' in form
    agency_select = one(form, "select", name="agency")
    assert find_all(agency_select, "option", value="")  # empty first: only officers need one
    data = VALID | {"username": "New.Officer", "role": "officer", "agency": str(agency.id)}
    response = post_form(client, NEW, data)
    assert response.status_code == 303
    user = find_user("new.officer")
    assert user is not None
    assert user.agency_id == agency.id
    assert user.role == "officer"
    assert user.active
    assert response.headers["Location"] == f"/workspace/users/{user.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "账号 new.officer 已创建。" in page
    assert "新建账号测试局" in visible_text(page)
    assert "new.officer" in "".join(every_page(client))

    sign_out(client)
    login = post_form(client, "/login", {"username": "new.officer", "password": NEW_PASSWORD})
    assert login.status_code == 303
    assert login.headers["Location"] == "/workspace/"
    assert "新同事" in client.get("/workspace/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "x"}, "username", "用户名为 3–80 个字符"),
        ({"username": "bad name!"}, "username", "用户名为 3–80 个字符"),
        ({"username": "demo-staff"}, "username", "该用户名已被使用"),
        ({"username": " DEMO-Staff "}, "username", "该用户名已被使用"),
        ({"username": "n" * 81}, "username", "最多 80 个字符"),
        ({"username": ""}, "username", "请输入用户名"),
        ({"username": "ab\x00cd"}, "username", "不能包含换行或控制字符"),
        ({"display_name": "  "}, "display_name", "请输入姓名"),
        ({"display_name": "王\x00五"}, "display_name", "不能包含换行或控制字符"),
        ({"display_name": "王五\n"}, "display_name", ""),  # stripped: a trailing line break is harmless
        ({"password": "short-pw"}, "password", "密码应为 12 到 256 个字符"),
        ({"password": "p" * 257}, "password", "密码应为 12 到 256 个字符"),
        ({"password": ""}, "password", "请输入密码"),
        ({"password": "my-new.staff-password"}, "password", "密码不能包含用户名"),
        ({"role": "officer"}, "agency", "机构填报员必须选择所属机构"),
        ({"role": "staff", "agency": "{agency}"}, "agency", "只有机构填报员才有所属机构"),
        ({"role": "officer", "agency": "abc"}, "agency", "请从列表中选择机构"),
        ({"role": "officer", "agency": "999999999"}, "agency", "请从列表中选择机构"),
        ({"role": "officer", "agency": "9" * 30}, "agency", "请从列表中选择机构"),
        ({"role": "root"}, "role", None),
    ],
)
def test_refusals_stand_beside_their_field_and_create_nothing(
    app: Flask, client: FlaskClient, changes: dict[str, str], field: str, message: str | None
) -> None:
    agency = make_agency()
    sign_in(client, make_user("admin"))
    before = user_count()
    data: dict[str, Any] = VALID | {k: v.replace("{agency}", str(agency.id)) for k, v in changes.items()}
    response = post_form(client, NEW, data)
    if message == "":  # the control case: accepted
        assert response.status_code == 303
        return
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    shown = error_beside(body, field)
    if message is not None:
        assert message in shown
    assert "请更正以下问题" in body
    assert f'href="#{field}"' in body
    assert user_count() == before
    assert NEW_PASSWORD not in body  # a password is never sent back
    assert "\x00" not in body


def test_every_problem_shows_at_once(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user("admin"))
    data = {"username": "X!", "display_name": "", "role": "officer", "agency": "", "password": "short"}
    response = post_form(client, NEW, data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "用户名为 3–80 个字符" in error_beside(body, "username")
    assert "请输入姓名" in error_beside(body, "display_name")
    assert "机构填报员必须选择所属机构" in error_beside(body, "agency")
    assert "密码应为 12 到 256 个字符" in error_beside(body, "password")
    assert body.count('<li><a href="#') == 4


def test_a_form_posted_twice_creates_one_account(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user("admin"))
    hidden = hidden_fields(client.get(NEW).get_data(as_text=True))
    first = client.post(NEW, data={**hidden, **VALID})
    second = client.post(NEW, data={**hidden, **VALID})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "new.staff")) == 1
    creations = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).all()
    assert sum(1 for entry in creations if entry.changes["username"][1] == "new.staff") == 1
    # another form (a fresh page) with the same name is refused as taken, not made twice
    again = post_form(client, NEW, VALID)
    assert again.status_code == 400
    assert "该用户名已被使用" in error_beside(again.get_data(as_text=True), "username")


def test_a_post_without_csrf_token_creates_nothing(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user("admin"))
    before = user_count()
    hidden = hidden_fields(client.get(NEW).get_data(as_text=True))
    del hidden["csrf_token"]
    assert client.post(NEW, data={**hidden, **VALID}).status_code == 400
    wrong = {**hidden, "csrf_token": "not-the-token"}
    assert client.post(NEW, data={**wrong, **VALID}).status_code == 400
    without_form_token = {"csrf_token": csrf(client), **VALID}
    response = client.post(NEW, data=without_form_token)
    assert response.status_code == 400
    assert "一次性令牌" in response.get_data(as_text=True)
    assert user_count() == before
    assert find_user("new.staff") is None


def test_an_admin_changes_a_role(app: Flask, client: FlaskClient) -> None:
    admin = make_user("admin")
    target = make_user("staff", totp_secret="JBSWY3DPEHPK3PXP")
    agency = make_agency(name="改角色测试局")
    show = f"/workspace/users/{target.id}"
    sign_in(client, admin)
    page = client.get(show).get_data(as_text=True)
    assert find_all(page, "option", value="staff", selected=True)
    response = post_form(client, show, {"role": "officer", "agency": str(agency.id)}, to=f"{show}/role")
    assert response.status_code == 303
    assert response.headers["Location"] == show
    db.session.refresh(target)
    assert target.role == "officer"
    assert target.agency_id == agency.id
    assert target.totp_secret is None
    page = client.get(show).get_data(as_text=True)
    assert "已更改" in page
    assert "改角色测试局" in visible_text(page)
    # the same form again changes nothing and writes nothing
    again = post_form(client, show, {"role": "officer", "agency": str(agency.id)}, to=f"{show}/role")
    assert again.status_code == 303
    assert "没有变化" in client.get(show).get_data(as_text=True)
    changes = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.role", AuditEntry.entity_id == str(target.id))
    ).all()
    assert len(changes) == 1
    # back to staff: an agency left selected is refused beside the field
    refused = post_form(client, show, {"role": "staff", "agency": str(agency.id)}, to=f"{show}/role")
    assert refused.status_code == 400
    assert "只有机构填报员才有所属机构" in error_beside(refused.get_data(as_text=True), "agency")
    assert post_form(client, show, {"role": "admin", "agency": ""}, to=f"{show}/role").status_code == 303
    db.session.refresh(target)
    assert target.role == "admin"
    assert target.agency_id is None


def test_a_role_change_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    target = make_user("staff")
    sign_in(client, make_user("admin"))
    assert client.post(f"/workspace/users/{target.id}/role", data={"role": "admin"}).status_code == 400
    assert client.post(f"/workspace/users/{target.id}/active", data={"reason": "x"}).status_code == 400
    db.session.refresh(target)
    assert target.role == "staff"
    assert target.active


def test_disabling_ends_the_users_session_and_enabling_restores_the_login(app: Flask, client: FlaskClient) -> None:
    admin = make_user("admin")
    victim = make_user("officer")
    show = f"/workspace/users/{victim.id}"
    theirs = app.test_client()
    sign_in(theirs, victim)
    assert theirs.get("/workspace/").status_code == 200

    sign_in(client, admin)
    missing_reason = post_form(client, show, {"reason": "  "}, to=f"{show}/active")
    assert missing_reason.status_code == 400
    assert "请说明原因" in error_beside(missing_reason.get_data(as_text=True), "reason")
    db.session.refresh(victim)
    assert victim.active

    response = post_form(client, show, {"reason": "已调离本单位"}, to=f"{show}/active")
    assert response.status_code == 303
    db.session.refresh(victim)
    assert not victim.active
    page = client.get(show).get_data(as_text=True)
    assert "已停用" in page
    assert "恢复账号" in page

    kicked = theirs.get("/workspace/")
    assert kicked.status_code == 302
    assert kicked.headers["Location"].startswith("/login?next=")
    refused = post_form(theirs, "/login", {"username": victim.username, "password": PASSWORD})
    assert refused.status_code == 401

    assert post_form(client, show, {"active": "y", "reason": "误停用"}, to=f"{show}/active").status_code == 303
    db.session.refresh(victim)
    assert victim.active
    fresh = app.test_client()
    again = post_form(fresh, "/login", {"username": victim.username, "password": PASSWORD})
    assert again.status_code == 303


def test_admins_cannot_disable_themselves_or_drop_their_admin_role(app: Flask, client: FlaskClient) -> None:
    admin = make_user("admin")
    show = f"/workspace/users/{admin.id}"
    sign_in(client, admin)
    page = client.get(show).get_data(as_text=True)
    assert "这是您自己的账号" in page
    assert f'action="{show}/active"' not in page
    token = csrf(client)
    response = client.post(f"{show}/active", data={"csrf_token": token, "reason": "测试"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "管理员不能停用自己的账号" in body
    assert 'role="alert"' in body
    response = client.post(f"{show}/role", data={"csrf_token": token, "role": "staff", "agency": ""})
    assert response.status_code == 400
    assert "管理员不能取消自己的管理员角色" in error_beside(response.get_data(as_text=True), "role")
    db.session.refresh(admin)
    assert admin.active
    assert admin.role == "admin"
    assert client.get("/workspace/").status_code == 200  # still signed in, still an admin


def test_every_change_appears_in_the_audit_log_with_its_actor(app: Flask, client: FlaskClient) -> None:
    admin = make_user("admin", username="chief.admin")
    agency = make_agency()
    sign_in(client, admin)
    created = post_form(client, NEW, VALID | {"username": "audited.user"})
    user = find_user("audited.user")
    assert created.status_code == 303
    assert user is not None
    show = f"/workspace/users/{user.id}"
    assert post_form(client, show, {"role": "officer", "agency": str(agency.id)}, to=f"{show}/role").status_code == 303
    assert post_form(client, show, {"reason": "离职 <script>alert(1)</script>"}, to=f"{show}/active").status_code == 303
    assert post_form(client, show, {"active": "y", "reason": "返聘"}, to=f"{show}/active").status_code == 303

    rows = audit_rows(client, f"entity_type=user&entity_id={user.id}")
    assert [next(a for a in ("user.enable", "user.disable", "user.role", "user.create") if a in r) for r in rows] == [
        "user.enable",
        "user.disable",
        "user.role",
        "user.create",
    ]
    assert all("chief.admin" in row for row in rows)
    compact = [re.sub(r"\s+", "", row) for row in rows]
    assert "role：staff→officer" in compact[2]
    assert f"agency：—→{agency.name}" in compact[2]
    assert "active：true→false" in compact[1]
    assert "离职<script>alert(1)</script>" in compact[1]  # shown as text, not run:
    log = client.get(f"/workspace/audit/?entity_type=user&entity_id={user.id}").get_data(as_text=True)
    assert [s for row in find_all(log, "tr", id=startswith("entry-")) for s in find_all(row, "script")] == []
    assert "active：false→true" in compact[0]
    assert "返聘" in compact[0]
    assert "username：—→audited.user" in compact[3]
    # the account page links to that view
    assert f"/workspace/audit/?entity_type=user&amp;entity_id={user.id}" in client.get(show).get_data(as_text=True)
