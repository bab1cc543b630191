from __future__ import annotations

from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError, load_settings, normalise_database_url
from portal.core.periods import Severity
from tests.conftest import PRODUCTION


def test_development_runs_out_of_the_box(tmp_path: Path) -> None:
    settings = load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert len(settings.secret_key) == 64
    assert load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path)}).secret_key == settings.secret_key  # kept


def test_production_without_a_secret_key_is_a_clear_startup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY is not set"):
        create_app({"PORTAL_ENV": "production", "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": ""})
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "short"})


@pytest.mark.parametrize(
    ("missing", "message"),
    [("PORTAL_REDIS_URL", "PORTAL_REDIS_URL is not set"), ("PORTAL_BASE_URL", "PORTAL_BASE_URL is not set")],
)
def test_production_refuses_to_start_without_redis_or_its_base_url(tmp_path: Path, missing: str, message: str) -> None:
    """Issue 19: rate limits counted per worker would be as many times the documented ones as there are workers, and
    absolute links must not come from the Host header a client sends."""
    settings = {**PRODUCTION, "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40, missing: ""}
    with pytest.raises(ConfigError, match=message):
        create_app(settings)
    assert load_settings({**settings, missing: "", "PORTAL_ENV": "development"}).env == "development"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORTAL_BASE_URL", "credit.example.gov.cn"),
        ("PORTAL_BASE_URL", "https://credit.example.gov.cn/credit"),
        ("PORTAL_BASE_URL", "https://user:pw@credit.example.gov.cn"),
        ("PORTAL_BASE_URL", "javascript:alert(1)"),
        ("PORTAL_REDIS_URL", "127.0.0.1:6379"),
    ],
)
def test_a_malformed_base_or_redis_url_is_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({**PRODUCTION, "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40, name: value})


def test_production_with_a_key_has_secure_cookies(tmp_path: Path) -> None:
    app = create_app({**PRODUCTION, "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"  # Secure, this host only, whole path (issue 19)
    with app.test_request_context("/healthz"):
        response = app.full_dispatch_request()
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
        ({"PORTAL_DISCLOSURE_MONTHS": "general=12-3"}, "disclosure"),
        ({"PORTAL_PAGE_SIZE": "many"}, "invalid literal"),
        ({"PORTAL_SESSION_IDLE_MINUTES": "1"}, "PORTAL_SESSION_IDLE_MINUTES"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path), **environ})


def test_disclosure_periods_are_configurable(tmp_path: Path) -> None:
    settings = load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_DISCLOSURE_MONTHS": "serious=12-24"})
    assert settings.disclosure_periods[Severity.SERIOUS].max_months == 24
    assert settings.disclosure_periods[Severity.GENERAL].max_months == 12


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORTAL_TIMEZONE": "Mars/Base"}, "PORTAL_TIMEZONE"),
        ({"PORTAL_TODAY": "2026-13-01"}, "PORTAL_TODAY"),
        ({"PORTAL_PAGE_SIZE": "0"}, "PORTAL_PAGE_SIZE"),
    ],
)
def test_bad_time_settings_stop_the_start(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app({"PORTAL_INSTANCE_DIR": str(tmp_path), **environ})
