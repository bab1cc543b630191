"""TOTP secrets at rest (issue 19): the database holds them sealed (Fernet, key derived from PORTAL_SECRET_KEY with
its own purpose label); one sealed under another key refuses sign-in until an admin resets it (never a 500);
migration 0013 seals the plain secrets stored before it, and its downgrade unseals them."""

from __future__ import annotations

import base64
from pathlib import Path

import pyotp
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db
from portal.users.models import User
from portal.users.rules import Role
from portal.users.sealing import seal, unseal
from tests.factories import PASSWORD, make_user
from tests.users.test_login import add_user, fresh_app, login
from tests.users.test_totp import shown_secret


def stored_secret(user_id: int) -> str | None:
    """The column as the database holds it."""
    return db.session.execute(sa.text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}).scalar()


def test_the_database_holds_the_secret_sealed(app: Flask) -> None:
    secret = pyotp.random_base32()
    one, two = make_user(Role.STAFF, totp_secret=secret), make_user(Role.STAFF, totp_secret=secret)
    stored = stored_secret(one.id)
    assert stored is not None
    assert secret not in stored
    assert base64.b32encode(base64.b32decode(secret)).decode() not in stored
    assert stored != stored_secret(two.id)  # a fresh IV each time: equal secrets do not look equal
    assert unseal(stored, app.config["SECRET_KEY"]) == secret
    db.session.expire(one)
    assert one.totp_secret == secret  # the model reads it plain


def test_only_the_same_key_unseals(app: Flask) -> None:
    key = app.config["SECRET_KEY"]
    sealed = seal("JBSWY3DPEHPK3PXP", key)
    assert unseal(sealed, key) == "JBSWY3DPEHPK3PXP"
    assert unseal(sealed, key + "-other") is None
    assert unseal("JBSWY3DPEHPK3PXP", key) is None  # a plain secret is no token
    assert unseal("", key) is None


def test_a_secret_sealed_under_another_key_refuses_sign_in_until_an_admin_resets_it(tmp_path: Path) -> None:
    """PORTAL_SECRET_KEY changed: the stored secrets cannot be read. The password alone never signs in an account
    with a second factor (nor lets whoever has it enrol their own phone): sign-in is refused, saying why, until an
    admin resets the second factor (here on the command line); then it is set up again. Nobody gets a 500."""
    with fresh_app(tmp_path) as before:
        add_user(before, "moved.staff", totp_secret=pyotp.random_base32())
    with fresh_app(tmp_path, PORTAL_SECRET_KEY="a-new-secret-key-" + "z" * 32, PORTAL_REQUIRE_2FA="on") as after:
        client = after.test_client()
        refused = login(client, "moved.staff", PASSWORD)
        assert refused.status_code == 403
        assert "不能仅凭密码登录" in refused.get_data(as_text=True)
        assert client.get("/login/code").status_code == 303  # no pending sign-in was started
        with after.app_context():
            reset = after.test_cli_runner().invoke(
                args=["users", "reset-totp", "moved.staff", "--reason", "密钥已更换"]
            )
            assert reset.exit_code == 0, reset.output
        assert login(client, "moved.staff", PASSWORD).headers["Location"] == "/login/code"
        page = client.get("/login/code")
        assert "必须启用动态验证码" in page.get_data(as_text=True)
        assert shown_secret(page.get_data(as_text=True))


USER = (
    "INSERT INTO users (id, username, display_name, role, password_hash, active, is_demo, totp_secret, "
    "session_version, created_at) VALUES (:id, :name, :name, 'staff', 'x', 1, 0, :secret, 0, '2026-01-01')"
)


def test_migration_0013_seals_the_stored_secrets_and_its_downgrade_unseals_them(tmp_path: Path) -> None:
    key = "test-secret-key-" + "x" * 32
    app = create_app(
        {
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.db'}",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_SECRET_KEY": key,
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        }
    )
    secret = pyotp.random_base32()
    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as connection:
            connection.execute(sa.text(USER), {"id": 1, "name": "with.totp", "secret": secret})
            connection.execute(sa.text(USER), {"id": 2, "name": "without.totp", "secret": None})
        upgrade(revision="0013")
        with db.engine.connect() as connection:
            stored: dict[int, str | None] = dict(connection.execute(sa.text("SELECT id, totp_secret FROM users")).all())
        assert stored[2] is None
        sealed = stored[1]
        assert sealed is not None
        assert sealed != secret
        assert secret not in sealed
        assert unseal(sealed, key) == secret
        # the column alone: later migrations add columns to users that this revision does not have yet
        assert db.session.scalar(sa.select(User.totp_secret).where(User.id == 1)) == secret
        db.session.remove()

        # a secret sealed under another key cannot be unsealed: downgrading leaves it out (set it up again)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE users SET totp_secret = :s WHERE id = 2"), {"s": seal(secret, key + "-old")}
            )
        downgrade(revision="0012")
        with db.engine.connect() as connection:
            plain: dict[int, str | None] = dict(connection.execute(sa.text("SELECT id, totp_secret FROM users")).all())
            columns = {c["name"] for c in sa.inspect(connection).get_columns("users")}
        assert plain == {1: secret, 2: None}
        assert not {"reset_token_hash", "reset_expires_at"} & columns
        db.engine.dispose()
