"""PORTAL_SMTP_* and PORTAL_MAIL_FROM (portal/config.py): defaults that run out of the box (no host: nothing is
sent), and a clear refusal of what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.config import ConfigError, load_settings


def settings(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "s" * 40, **env}).mail


def test_defaults(tmp_path: Path) -> None:
    mail = settings(tmp_path)
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_starttls, mail.smtp_user) == ("", 587, True, "")
    assert mail.mail_from == "noreply@credit.yanshixian.example"


def test_everything_set(tmp_path: Path) -> None:
    mail = settings(
        tmp_path,
        PORTAL_SMTP_HOST="smtp.example.gov.cn",
        PORTAL_SMTP_PORT="25",
        PORTAL_SMTP_USER="portal",
        PORTAL_SMTP_PASSWORD="pa55-word",
        PORTAL_SMTP_STARTTLS="off",
        PORTAL_MAIL_FROM="信用办 <noreply@credit.example.gov.cn>",
    )
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_user, mail.smtp_starttls) == (
        "smtp.example.gov.cn",
        25,
        "portal",
        False,
    )
    assert "pa55-word" not in repr(mail)  # the password is never printed with the settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_SMTP_PORT": "smtp"}, "PORTAL_SMTP_PORT must be a port number"),
        ({"PORTAL_SMTP_PORT": "70000"}, "PORTAL_SMTP_PORT must be a port number"),
        ({"PORTAL_SMTP_PORT": "５８７"}, "PORTAL_SMTP_PORT must be a port number"),
        ({"PORTAL_SMTP_USER": "portal"}, "given together"),
        ({"PORTAL_SMTP_STARTTLS": "maybe"}, "PORTAL_SMTP_STARTTLS must be on or off"),
        ({"PORTAL_MAIL_FROM": "noreply"}, "PORTAL_MAIL_FROM must be an address"),
        ({"PORTAL_MAIL_FROM": "a@b.cn\nBcc: x@y.cn"}, "PORTAL_MAIL_FROM must be an address"),
    ],
)
def test_wrong_settings_are_refused(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, **env)


def test_production_refuses_a_password_in_clear(tmp_path: Path) -> None:
    production = {
        "PORTAL_ENV": "production",
        "PORTAL_REDIS_URL": "redis://127.0.0.1:6379/15",
        "PORTAL_BASE_URL": "https://credit.example.gov.cn",
        "PORTAL_SMTP_HOST": "smtp.example.gov.cn",
        "PORTAL_SMTP_USER": "portal",
        "PORTAL_SMTP_PASSWORD": "pa55-word",
    }
    with pytest.raises(ConfigError, match="in clear"):
        settings(tmp_path, **production, PORTAL_SMTP_STARTTLS="off")
    assert settings(tmp_path, **production).smtp_starttls
    local = settings(tmp_path, **{**production, "PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_STARTTLS": "off"})
    assert not local.smtp_starttls  # a relay on this machine
