"""`flask users create|set-role|disable|enable|list` and `flask demo accounts`; production refuses to start while a
demo account is active."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.demo.operations import DEMO_PASSWORD
from portal.extensions import db
from portal.users.models import User
from portal.users.operations import (
    DemoAccountsInProductionError,
    authenticate,
    create_user,
    find_user,
    refuse_demo_accounts_in_production,
)
from portal.users.rules import Role
from tests.conftest import PRODUCTION, ROOT
from tests.factories import PASSWORD, make_agency, make_user
from tests.users.test_login import fresh_app

NEW_PASSWORD = "a-long-cli-passphrase-2026"


def run(app: Flask, *args: str, password: str | None = None, input: str | None = None) -> Result:
    env = {"PORTAL_NEW_PASSWORD": password} if password is not None else {}
    return app.test_cli_runner().invoke(args=list(args), env=env, input=input)


def users_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def test_create_staff_with_the_password_from_the_environment(app: Flask) -> None:
    result = run(app, "users", "create", "Li.Ming", "--role", "staff", "--name", "李明", password=NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Created li.ming (staff)." in result.output
    assert NEW_PASSWORD not in result.output
    user = find_user("li.ming")
    assert user is not None
    assert user.display_name == "李明"
    assert user.role == "staff"
    assert user.active
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert authenticate("li.ming", NEW_PASSWORD) is user
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).all()[-1]
    assert entry.entity_id == str(user.id)
    assert entry.actor == "command line"


def test_create_officer_with_the_password_typed_twice(app: Flask) -> None:
    agency = make_agency()
    result = run(
        app,
        "users",
        "create",
        "wang.fang",
        "--role",
        "officer",
        "--agency",
        agency.uscc.lower(),
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = find_user("wang.fang")
    assert user is not None
    assert user.role == "officer"
    assert user.agency_id == agency.id
    assert NEW_PASSWORD not in result.output  # the prompt does not echo


def test_create_with_two_different_passwords_creates_nothing(app: Flask) -> None:
    before = users_count()
    result = run(app, "users", "create", "wang.fang", "--role", "staff", input=f"{NEW_PASSWORD}\nsomething-else-123\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert users_count() == before
    assert find_user("wang.fang") is None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "officer", "--agency", "91110000000000000X"], NEW_PASSWORD, "no agency has the 统一社会信用代码"),
        (["--role", "officer"], NEW_PASSWORD, "机构填报员必须选择所属机构"),
        (["--role", "staff", "--agency", "DEMO"], NEW_PASSWORD, "no agency has the 统一社会信用代码"),
        (["--role", "staff"], "short-pw", "密码至少需要 12 个字符"),
        (["--role", "staff"], "x" * 257, "密码最多 256 个字符"),
        (["--role", "boss"], NEW_PASSWORD, "Invalid value for '--role'"),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(app: Flask, args: list[str], password: str, message: str) -> None:
    before = users_count()
    result = run(app, "users", "create", "zhao.lei", *args, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert users_count() == before
    assert find_user("zhao.lei") is None


def test_create_refuses_a_staff_member_bound_to_an_agency(app: Flask) -> None:
    agency = make_agency()
    result = run(app, "users", "create", "zhao.lei", "--role", "staff", "--agency", agency.uscc, password=NEW_PASSWORD)
    assert result.exit_code == 1
    assert "只有机构填报员才有所属机构" in result.output
    assert find_user("zhao.lei") is None


@pytest.mark.parametrize("username", ["demo-staff", "x", "bad name"])
def test_create_refuses_a_taken_or_bad_user_name(app: Flask, username: str) -> None:
    before = users_count()
    result = run(app, "users", "create", username, "--role", "staff", password=NEW_PASSWORD)
    assert result.exit_code == 1
    assert ("该用户名已被使用" if username == "demo-staff" else "用户名为 3–80 个字符") in result.output
    assert users_count() == before


def test_set_role(app: Flask) -> None:
    user = make_user(Role.STAFF)
    agency = make_agency()
    result = run(app, "users", "set-role", user.username, "--role", "officer", "--agency", agency.uscc)
    assert result.exit_code == 0, result.output
    assert f"{user.username} is now officer." in result.output
    assert user.role == "officer"
    assert user.agency_id == agency.id

    result = run(app, "users", "set-role", user.username, "--role", "admin")
    assert result.exit_code == 0
    assert user.role == "admin"
    assert user.agency_id is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
    ).all()
    assert actions == ["user.role", "user.role"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody-here", "--role", "staff"], "no user is called 'nobody-here'"),
        (["{staff}", "--role", "officer"], "机构填报员必须选择所属机构"),
        (["{staff}", "--role", "officer", "--agency", "91110000000000000X"], "no agency has the 统一社会信用代码"),
    ],
)
def test_set_role_errors_change_nothing(app: Flask, args: list[str], message: str) -> None:
    user = make_user(Role.STAFF)
    result = run(app, "users", "set-role", *[a.format(staff=user.username) for a in args])
    assert result.exit_code == 1
    assert message in result.output
    db.session.refresh(user)
    assert user.role == "staff"
    assert user.agency_id is None


def test_disable_and_enable(app: Flask) -> None:
    user = make_user(Role.STAFF)
    result = run(app, "users", "disable", user.username, "--reason", "调离信用办")
    assert result.exit_code == 0
    assert f"Disabled {user.username}." in result.output
    assert not user.active
    assert authenticate(user.username, PASSWORD) is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(user.id))).one()
    assert entry.action == "user.disable"
    assert entry.reason == "调离信用办"

    result = run(app, "users", "enable", user.username.upper())
    assert result.exit_code == 0
    assert f"Enabled {user.username}." in result.output
    assert user.active
    assert authenticate(user.username, PASSWORD) is user


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_disable_or_enable_an_unknown_user(app: Flask, command: str) -> None:
    result = run(app, "users", command, "nobody-here")
    assert result.exit_code == 1
    assert "no user is called 'nobody-here'" in result.output


def test_list(app: Flask) -> None:
    officer = make_user(Role.OFFICER)
    staff = make_user(Role.STAFF, totp_secret="JBSWY3DPEHPK3PXP", active=False)
    result = run(app, "users", "list")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert officer.agency is not None
    assert officer.agency.name in lines[officer.username]
    assert lines[staff.username].split()[1:] == ["staff", "disabled", "2fa"]
    assert lines["demo-staff"].split()[1:] == ["staff", "demo"]
    assert set(lines) >= {"demo-admin", "demo-staff", officer.username, staff.username}


def test_demo_accounts_prints_the_demo_logins(app: Flask) -> None:
    result = run(app, "demo", "accounts")
    assert result.exit_code == 0
    assert f"password for each: {DEMO_PASSWORD}" in result.output
    assert "DEMO ONLY" in result.output
    demo_names = db.session.scalars(select(User.username).where(User.is_demo)).all()
    assert {"demo-admin", "demo-staff"} <= set(demo_names)
    assert len(demo_names) > 2
    for name in demo_names:
        assert name in result.output
    officer_line = next(line for line in result.output.splitlines() if "demo-officer-" in line)
    assert "officer — " in officer_line  # with the agency's name

    run(app, "users", "disable", "demo-staff")
    line = next(line for line in run(app, "demo", "accounts").output.splitlines() if "demo-staff" in line)
    assert line.endswith("(disabled)")


def test_demo_accounts_without_demo_data(tmp_path: Path) -> None:
    with fresh_app(tmp_path) as app, app.app_context():
        result = run(app, "demo", "accounts")
        assert result.exit_code == 0
        assert result.output.strip() == "No demo accounts."


# --- production and the demo accounts -----------------------------------------------------------------------------


def test_development_starts_with_demo_accounts(app: Flask) -> None:
    assert not app.config["PORTAL_SETTINGS"].is_production
    refuse_demo_accounts_in_production(app)  # nothing raised


def test_production_refuses_to_start_until_the_demo_accounts_are_disabled(tmp_path: Path) -> None:
    with fresh_app(tmp_path, **PRODUCTION) as app:
        refuse_demo_accounts_in_production(app)  # no demo account yet
        with app.app_context():
            create_user("demo-admin", DEMO_PASSWORD, Role.ADMIN, is_demo=True)
            create_user("demo-staff", DEMO_PASSWORD, Role.STAFF, is_demo=True)
            create_user("real.staff", PASSWORD, Role.STAFF)
            db.session.commit()

        with pytest.raises(DemoAccountsInProductionError) as refused:
            refuse_demo_accounts_in_production(app)
        assert "demo-admin, demo-staff" in str(refused.value)
        assert "users disable" in str(refused.value)
        assert "real.staff" not in str(refused.value)

        with app.app_context():
            assert run(app, "users", "disable", "demo-admin").exit_code == 0
        with pytest.raises(DemoAccountsInProductionError, match="demo-staff"):
            refuse_demo_accounts_in_production(app)
        with app.app_context():
            assert run(app, "users", "disable", "demo-staff").exit_code == 0
        refuse_demo_accounts_in_production(app)  # starts


def test_production_without_a_schema_yet_is_not_refused(tmp_path: Path) -> None:
    from portal import create_app

    app = create_app(
        {
            **PRODUCTION,
            "PORTAL_SECRET_KEY": "k" * 40,
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        }
    )
    refuse_demo_accounts_in_production(app)  # `flask db upgrade` must still be able to run
    with app.app_context():
        db.engine.dispose()


def start_wsgi(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Import wsgi.py as gunicorn does, in production mode, on the fresh app's database."""
    env = {
        **os.environ,
        **PRODUCTION,
        "PORTAL_SECRET_KEY": "fresh-app-secret-key-" + "y" * 32,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
    }
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_wsgi_refuses_production_with_an_active_demo_account(tmp_path: Path) -> None:
    with fresh_app(tmp_path) as app, app.app_context():
        create_user("demo-staff", DEMO_PASSWORD, Role.STAFF, is_demo=True)
        db.session.commit()

    refused = start_wsgi(tmp_path)
    assert refused.returncode != 0
    assert "DemoAccountsInProductionError" in refused.stderr
    assert "demo-staff" in refused.stderr

    with fresh_app(tmp_path) as app, app.app_context():
        assert run(app, "users", "disable", "demo-staff").exit_code == 0
    started = start_wsgi(tmp_path)
    assert started.returncode == 0, started.stderr


def test_create_refuses_a_display_name_longer_than_100_characters(app: Flask) -> None:
    """users.display_name is VARCHAR(100): PostgreSQL would refuse the row with a traceback, SQLite keep it whole."""
    before = users_count()
    result = run(app, "users", "create", "zhao.lei", "--role", "staff", "--name", "长" * 101, password=NEW_PASSWORD)
    assert result.exit_code == 1, result.output
    assert "100" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    db.session.rollback()
    assert users_count() == before
    assert find_user("zhao.lei") is None
