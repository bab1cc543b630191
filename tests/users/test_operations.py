"""Account use cases: each writes its audit entry; passwords are kept as argon2 hashes only; authenticate and the
TOTP check."""

from __future__ import annotations

import time

import pyotp
import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.users.models import User, load_user
from portal.users.operations import (
    authenticate,
    check_totp,
    create_user,
    enable_totp,
    find_user,
    set_active,
    set_password,
    set_role,
)
from portal.users.rules import InvalidUserError, Role
from tests.factories import PASSWORD, make_agency, make_user

NEW_PASSWORD = "a-long-new-passphrase-2026"


def audit_of(user: User) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
            .order_by(AuditEntry.id)
        )
    )


def test_create_user_stores_an_argon2_hash_and_writes_the_audit_entry(app: Flask) -> None:
    user = create_user("  Li.Ming ", NEW_PASSWORD, Role.STAFF, display_name=" 李明 ")

    assert user.username == "li.ming"
    assert user.display_name == "李明"
    assert user.agency_id is None
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, NEW_PASSWORD)
    stored = db.session.execute(select(User.password_hash).where(User.id == user.id)).scalar_one()
    assert stored == user.password_hash
    [entry] = audit_of(user)
    assert entry.action == "user.create"
    assert entry.actor == "command line"
    assert entry.actor_id is None
    assert entry.changes == {"username": [None, "li.ming"], "role": [None, "staff"], "agency": [None, None]}
    assert NEW_PASSWORD not in str(entry.changes)


def test_create_officer_names_the_agency_and_the_admin_who_made_it(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    agency = make_agency()
    officer = create_user("officer.one", NEW_PASSWORD, Role.OFFICER, agency=agency, actor=admin)

    assert officer.agency_id == agency.id
    assert officer.display_name == "officer.one"
    [entry] = audit_of(officer)
    assert entry.actor == admin.username
    assert entry.actor_id == admin.id
    assert entry.changes["agency"] == [None, agency.name]


@pytest.mark.parametrize(
    ("username", "password", "role", "with_agency", "message"),
    [
        ("ab", NEW_PASSWORD, Role.STAFF, False, "用户名为 3–80 个字符"),
        ("new.staff", "short", Role.STAFF, False, "密码至少需要 12 个字符"),
        ("new.staff", "new.staff-and-more", Role.STAFF, False, "密码不能包含用户名"),
        ("new.officer", NEW_PASSWORD, Role.OFFICER, False, "机构填报员必须选择所属机构"),
        ("new.staff", NEW_PASSWORD, Role.STAFF, True, "只有机构填报员才有所属机构"),
        ("demo-staff", NEW_PASSWORD, Role.STAFF, False, "该用户名已被使用"),
        ("DEMO-STAFF", NEW_PASSWORD, Role.STAFF, False, "该用户名已被使用"),
    ],
)
def test_create_user_refuses_bad_input_and_writes_nothing(
    app: Flask, username: str, password: str, role: Role, with_agency: bool, message: str
) -> None:
    agency = make_agency() if with_agency else None
    users_before = db.session.scalars(select(User.id)).all()
    audit_before = db.session.scalars(select(AuditEntry.id)).all()
    with pytest.raises(InvalidUserError, match=message):
        create_user(username, password, role, agency=agency)
    assert db.session.scalars(select(User.id)).all() == users_before
    assert db.session.scalars(select(AuditEntry.id)).all() == audit_before


def test_set_role_moves_an_officer_to_staff_and_back_with_audit_entries(app: Flask) -> None:
    agency = make_agency()
    user = make_user(Role.OFFICER, agency)
    set_role(user, Role.STAFF, None)
    assert user.role == "staff"
    assert user.agency_id is None
    set_role(user, Role.OFFICER, agency)
    assert user.role == "officer"
    assert user.agency_id == agency.id

    entries = [e for e in audit_of(user) if e.action == "user.role"]
    assert [e.changes for e in entries] == [
        {"role": ["officer", "staff"], "agency": [agency.name, None]},
        {"role": ["staff", "officer"], "agency": [None, agency.name]},
    ]


def test_set_role_drops_the_second_factor_of_a_new_officer(app: Flask) -> None:
    user = make_user(Role.STAFF, totp_secret=pyotp.random_base32())
    set_role(user, Role.OFFICER, make_agency())
    assert user.totp_secret is None


@pytest.mark.parametrize(
    ("role", "with_agency", "message"),
    [(Role.OFFICER, False, "机构填报员必须选择所属机构"), (Role.STAFF, True, "只有机构填报员才有所属机构")],
)
def test_set_role_refuses_a_wrong_agency_binding(app: Flask, role: Role, with_agency: bool, message: str) -> None:
    user = make_user(Role.STAFF)
    with pytest.raises(InvalidUserError, match=message):
        set_role(user, role, make_agency() if with_agency else None)
    assert user.role == "staff"
    assert user.agency_id is None
    assert [e for e in audit_of(user) if e.action == "user.role"] == []


def test_an_admin_cannot_take_away_their_own_admin_role(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    with pytest.raises(InvalidUserError, match="不能取消自己的管理员角色"):
        set_role(admin, Role.STAFF, None, actor=admin)
    assert admin.role == "admin"
    other = make_user(Role.ADMIN)
    set_role(other, Role.STAFF, None, actor=admin)
    assert other.role == "staff"


def test_set_active_disables_and_enables_with_audit_entries(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(Role.STAFF)
    set_active(user, False, actor=admin, reason="调离信用办")
    set_active(user, False, actor=admin)  # already disabled: nothing to record
    set_active(user, True)

    entries = [(e.action, e.changes, e.reason, e.actor) for e in audit_of(user)]
    assert entries == [
        ("user.disable", {"active": [True, False]}, "调离信用办", admin.username),
        ("user.enable", {"active": [False, True]}, None, "command line"),
    ]
    assert user.active


def test_a_disabled_user_has_no_session_and_cannot_authenticate(app: Flask) -> None:
    user = make_user(Role.STAFF)
    session_id = user.get_id()
    assert load_user(session_id) is user
    for forged in (str(user.id), f"{user.id}.9", f"{user.id}.x", "", ".", "9" * 40):
        assert load_user(forged) is None, forged
    set_active(user, False)
    assert load_user(session_id) is None
    assert load_user(user.get_id()) is None
    assert authenticate(user.username, PASSWORD) is None


def test_an_admin_cannot_disable_their_own_account(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    with pytest.raises(InvalidUserError, match="不能停用自己的账号"):
        set_active(admin, False, actor=admin)
    assert admin.active
    assert audit_of(admin) == []


def test_set_password_rehashes_and_writes_an_audit_entry_without_the_password(app: Flask) -> None:
    user = make_user(Role.STAFF)
    old_hash = user.password_hash
    set_password(user, NEW_PASSWORD)

    assert user.password_hash != old_hash
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash
    assert authenticate(user.username, NEW_PASSWORD) is user
    assert authenticate(user.username, PASSWORD) is None
    [entry] = audit_of(user)
    assert entry.action == "user.password"
    assert entry.changes == {}


def test_set_password_refuses_a_short_password(app: Flask) -> None:
    user = make_user(Role.STAFF)
    old_hash = user.password_hash
    with pytest.raises(InvalidUserError, match="密码至少需要 12 个字符"):
        set_password(user, "short")
    assert user.password_hash == old_hash
    assert audit_of(user) == []


def test_authenticate(app: Flask) -> None:
    user = make_user(Role.STAFF)
    assert authenticate(user.username, PASSWORD) is user
    assert authenticate(f"  {user.username.upper()} ", PASSWORD) is user  # as typed, with spaces and capitals
    assert authenticate(user.username, PASSWORD.upper()) is None
    assert authenticate(user.username, "") is None
    assert authenticate("nobody-here", PASSWORD) is None
    assert authenticate("", "") is None


def test_a_user_without_password_or_with_a_broken_hash_cannot_sign_in(app: Flask) -> None:
    assert authenticate(make_user(Role.STAFF, password_hash=None).username, PASSWORD) is None
    assert authenticate(make_user(Role.STAFF, password_hash="not-a-hash").username, PASSWORD) is None


def test_authenticate_rehashes_a_weak_hash(app: Flask) -> None:
    user = make_user(Role.STAFF)  # the factories' hash is argon2 with cheap parameters
    weak = user.password_hash
    assert weak is not None
    assert "m=1024,t=1" in weak

    assert authenticate(user.username, PASSWORD) is user
    assert user.password_hash != weak
    assert user.password_hash is not None
    assert not PasswordHasher().check_needs_rehash(user.password_hash)
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_a_wrong_password_leaves_a_weak_hash_alone(app: Flask) -> None:
    user = make_user(Role.STAFF)
    weak = user.password_hash
    assert authenticate(user.username, "wrong password!") is None
    assert user.password_hash == weak


def test_find_user_ignores_case_and_spaces(app: Flask) -> None:
    assert find_user(" Demo-Staff ") is find_user("demo-staff") is not None
    assert find_user("demo-nobody") is None


def test_check_totp_accepts_a_code_within_one_step_once(app: Flask) -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    user = make_user(Role.STAFF, totp_secret=secret)
    now = 1_800_000_000.0
    step = int(now // 30)

    assert not check_totp(user, totp.at(now - 60), now=now)  # two steps old: refused
    assert not check_totp(user, totp.at(now + 60), now=now)  # two steps ahead
    assert not check_totp(user, "12345", now=now)
    assert not check_totp(user, "abcdef", now=now)
    assert check_totp(user, totp.at(now - 30), now=now)  # one step of clock drift
    assert user.totp_last_step == step - 1
    code = totp.at(now)
    assert check_totp(user, code[:3] + " " + code[3:], now=now)  # as an app shows it
    assert user.totp_last_step == step
    assert not check_totp(user, code, now=now)  # the same code again
    assert not check_totp(user, totp.at(now - 30), now=now)  # an older one
    assert check_totp(user, totp.at(now + 30), now=now)


def test_check_totp_without_a_secret_is_false(app: Flask) -> None:
    user = make_user(Role.STAFF)
    assert not check_totp(user, pyotp.TOTP(pyotp.random_base32()).now())


def test_enable_totp_needs_a_right_code(app: Flask) -> None:
    user = make_user(Role.STAFF)
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = time.time()
    wrong = next(c for c in ("000000", "111111", "222222") if c not in {totp.at(now + d) for d in (-30, 0, 30)})
    assert not enable_totp(user, secret, wrong)
    assert user.totp_secret is None
    assert audit_of(user) == []

    assert enable_totp(user, secret, totp.now())
    assert user.totp_secret == secret
    [entry] = audit_of(user)
    assert entry.action == "user.totp_on"
    assert entry.actor == user.username
    assert secret not in str(entry.changes)
