"""Typed settings from environment variables (PORTAL_*), with defaults that run out of the box."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse as parse_limit

from portal.core.deadlines import DEFAULT_DAYS, parse_days
from portal.core.labelled import N_
from portal.core.periods import PeriodBounds, Severity, parse_periods

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"
SEARCH_ENGINES = ("tantivy", "whoosh")
DEFAULT_SITE_NAME = N_("信用演示县")  # shown translated (portal/web.py site_name); a name that is set is shown as set


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    env: str  # "development" or "production"
    secret_key: str
    database_url: str
    instance_dir: Path
    files_dir: Path
    content_dir: Path
    site_name: str
    tag_authority: str  # the domain in feed entry ids (tag URIs); set once, never change it
    timezone: str
    page_size: int
    today: date | None  # PORTAL_TODAY pins "today" for demonstrations and tests
    feed_freshness_seconds: float  # how long a feed's "latest change" look-up is reused by conditional requests
    search_engine: str  # "tantivy" (default) or "whoosh"
    search_index_dir: Path
    redis_url: str  # rate limits are kept in Redis when set, in each process's memory otherwise
    require_2fa: bool  # staff and admins must sign in with a TOTP code as well as their password
    proxy_count: int  # reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (0: none)
    disclosure_periods: Mapping[Severity, PeriodBounds] = field(default_factory=dict)
    deadline_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))  # working days
    public_form_limit: str = "10 per hour"  # complaints and objections filed per address
    min_fill_seconds: float = 3.0  # a public form posted sooner after it was shown is refused (bots)
    base_url: str = ""  # the site's own address (https://credit.example.gov.cn): every absolute URL it gives out
    session_idle_minutes: int = 30  # a signed-in session unused this long ends (issue 19); it never lasts 12 hours
    retention_years: int = 3  # complainants' and objectors' personal data is erased this long after closing
    page_cache: bool = True  # public pages revalidated (ETag, 304) and kept by publication version (portal/pagecache)
    # The footer a government site carries (《政府网站发展指引》, 国办发〔2017〕47号): PORTAL_SITE_*, see _site_footer
    site_organiser: str = ""  # 主办单位
    site_operator: str = ""  # 承办单位
    site_contact: str = ""  # 联系方式 (telephone, address, e-mail: as one line)
    site_code: str = ""  # 网站标识码
    site_icp_record: str = ""  # ICP备案号, e.g. 京ICP备12345678号
    site_police_record: str = ""  # 公安机关备案号, e.g. 京公网安备11010502000001号
    mail: MailSettings = field(default_factory=lambda: MailSettings())  # PORTAL_SMTP_*, PORTAL_MAIL_FROM (portal/mail)

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def normalise_database_url(url: str) -> str:
    """postgresql:// URLs use psycopg 3; SQLite stays as it is."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _base_url(url: str, env: str) -> str:
    """PORTAL_BASE_URL: the scheme and host (and port) every absolute URL is built on — feeds, the API, documents,
    mail — never the Host header of a request. Required in production; in development, empty means the address the
    request came to."""
    url = url.strip().rstrip("/")
    if not url:
        if env == "production":
            raise ConfigError(
                "PORTAL_BASE_URL is not set. In production the site's own address must be given, e.g. "
                "export PORTAL_BASE_URL=https://credit.example.gov.cn (absolute links are never taken from the "
                "Host header a client sends)"
            )
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ConfigError(
            f"PORTAL_BASE_URL must be https:// (or http://) and a host, with no path, query or user: not {url!r}"
        )
    if parts.username or parts.password:
        raise ConfigError(f"PORTAL_BASE_URL must not carry a user name or password: {url!r}")
    return url


def _redis_url(url: str, env: str) -> str:
    """PORTAL_REDIS_URL: the rate limits' shared storage. Required in production: counted in each worker's memory,
    every limit would be as many times higher as there are workers."""
    url = url.strip()
    if not url and env == "production":
        raise ConfigError(
            "PORTAL_REDIS_URL is not set. In production the rate limits must be shared by every worker, e.g. "
            "export PORTAL_REDIS_URL=redis://127.0.0.1:6379/0"
        )
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"PORTAL_REDIS_URL must start with redis://, rediss:// or unix://, not {url!r}")
    return url


def _switch(env_vars: Mapping[str, str], name: str, *, default: bool) -> bool:
    """An on/off setting: on, off, true, false, yes, no, 1, 0 (unset: the default)."""
    value = env_vars.get(name, "").strip().lower()
    if value == "":
        return default
    if value not in {"1", "true", "on", "yes", "0", "false", "off", "no"}:
        raise ConfigError(f"{name} must be on or off, not {value!r}")
    return value in {"1", "true", "on", "yes"}


def _dev_secret_key(instance_dir: Path) -> str:
    """Development only: one random key kept in instance/, shared by every gunicorn worker."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


# PORTAL_SITE_* -> the footer's fields (Settings.site_*); each one unset or empty is not shown. The organiser defaults
# to the demo county's credit office (shown translated, as the site name is); a deployment sets its own.
SITE_FOOTER = {
    "site_organiser": "PORTAL_SITE_ORGANISER",
    "site_operator": "PORTAL_SITE_OPERATOR",
    "site_contact": "PORTAL_SITE_CONTACT",
    "site_code": "PORTAL_SITE_CODE",
    "site_icp_record": "PORTAL_SITE_ICP_RECORD",
    "site_police_record": "PORTAL_SITE_POLICE_RECORD",
}
DEFAULT_SITE_ORGANISER = N_("演示县社会信用体系建设领导小组办公室（信用办）")
SITE_FOOTER_MOST = 200  # characters of one footer field


def _site_footer(env_vars: Mapping[str, str]) -> dict[str, str]:
    found = {}
    for name, variable in SITE_FOOTER.items():
        value = env_vars.get(variable, DEFAULT_SITE_ORGANISER if name == "site_organiser" else "").strip()
        if len(value) > SITE_FOOTER_MOST or not value.isprintable():
            raise ConfigError(f"{variable} must be one line of at most {SITE_FOOTER_MOST} characters, not {value!r}")
        found[name] = value
    return found


@dataclass(frozen=True)
class MailSettings:
    """Outgoing mail (portal/mail, issue 18). With no PORTAL_SMTP_HOST nothing is sent: messages wait in the outbox
    until a host is set and `flask mail send` runs."""

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True  # STARTTLS before signing in and sending (off only for a relay on this machine)
    mail_from: str = ""  # the From address, e.g. 信用演示县 <noreply@credit.example.gov.cn>
    sms_backend: str = "log"  # PORTAL_SMS_BACKEND: how text messages go out (portal/mail/sms.py); "log" only logs


SMS_BACKENDS = ("log",)  # PORTAL_SMS_BACKEND's choices (portal/mail/sms.py): a gateway is added beside "log"


def _mail_settings(env_vars: Mapping[str, str], env: str, tag_authority: str) -> MailSettings:
    """PORTAL_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS (on/off), PORTAL_MAIL_FROM and PORTAL_SMS_BACKEND."""
    host = env_vars.get("PORTAL_SMTP_HOST", "").strip()
    port_text = env_vars.get("PORTAL_SMTP_PORT", "587").strip()
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"PORTAL_SMTP_PORT must be a port number (1–65535, e.g. 587 or 25), not {port_text!r}")
    user = env_vars.get("PORTAL_SMTP_USER", "").strip()
    password = env_vars.get("PORTAL_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        raise ConfigError("PORTAL_SMTP_USER and PORTAL_SMTP_PASSWORD are given together, or neither")
    starttls = _switch(env_vars, "PORTAL_SMTP_STARTTLS", default=True)
    if env == "production" and password and not starttls and host not in {"localhost", "127.0.0.1", "::1"}:
        raise ConfigError(
            "PORTAL_SMTP_STARTTLS is off while PORTAL_SMTP_PASSWORD is set: the password would cross the network "
            "in clear. Turn STARTTLS on (the default), or relay through a server on this machine"
        )
    mail_from = env_vars.get("PORTAL_MAIL_FROM", "").strip() or f"noreply@{tag_authority}"
    if "@" not in parseaddr(mail_from)[1] or not mail_from.isprintable():
        raise ConfigError(f"PORTAL_MAIL_FROM must be an address, e.g. noreply@credit.example.gov.cn, not {mail_from!r}")
    sms_backend = env_vars.get("PORTAL_SMS_BACKEND", "log").strip() or "log"
    if sms_backend not in SMS_BACKENDS:
        raise ConfigError(
            f"PORTAL_SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)} (log: write texts to the log, send none), "
            f"not {sms_backend!r}"
        )
    return MailSettings(host, int(port_text), user, password, starttls, mail_from, sms_backend=sms_backend)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("PORTAL_ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigError(f"PORTAL_ENV must be 'development' or 'production', not {env!r}")
    instance_dir = Path(env_vars.get("PORTAL_INSTANCE_DIR", str(DEFAULT_INSTANCE)))
    secret_key = env_vars.get("PORTAL_SECRET_KEY", "")
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "PORTAL_SECRET_KEY is not set. In production the secret key must be given: "
                "export PORTAL_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        secret_key = _dev_secret_key(instance_dir)
    elif env == "production" and len(secret_key) < 32:
        raise ConfigError("PORTAL_SECRET_KEY must be at least 32 characters in production")
    database_url = env_vars.get("PORTAL_DATABASE_URL", f"sqlite:///{instance_dir / 'portal.db'}")
    timezone = env_vars.get("PORTAL_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"PORTAL_TIMEZONE {timezone!r} is not a known time zone (e.g. Asia/Shanghai)") from exc
    try:
        today = date.fromisoformat(env_vars["PORTAL_TODAY"]) if env_vars.get("PORTAL_TODAY") else None
    except ValueError as exc:
        raise ConfigError(f"PORTAL_TODAY must be a date such as 2026-11-20: {exc}") from exc
    search_engine = env_vars.get("PORTAL_SEARCH_ENGINE", "tantivy")
    if search_engine not in SEARCH_ENGINES:
        raise ConfigError(f"PORTAL_SEARCH_ENGINE must be one of {', '.join(SEARCH_ENGINES)}, not {search_engine!r}")
    require_2fa = _switch(env_vars, "PORTAL_REQUIRE_2FA", default=False)
    try:
        periods = parse_periods(env_vars.get("PORTAL_DISCLOSURE_MONTHS", ""))
        page_size = int(env_vars.get("PORTAL_PAGE_SIZE", "20"))
        feed_freshness = float(env_vars.get("PORTAL_FEED_FRESHNESS_SECONDS", "1"))
        if not 0 <= feed_freshness <= 60:
            raise ValueError("PORTAL_FEED_FRESHNESS_SECONDS must be between 0 and 60")
        deadline_days = parse_days(env_vars.get("PORTAL_DEADLINE_DAYS", ""))
        public_form_limit = env_vars.get("PORTAL_PUBLIC_FORM_LIMIT", "10 per hour")
        parse_limit(public_form_limit)
        min_fill_seconds = float(env_vars.get("PORTAL_MIN_FILL_SECONDS", "3"))
        if not 0 <= min_fill_seconds <= 60:
            raise ValueError("PORTAL_MIN_FILL_SECONDS must be between 0 and 60")
        proxy_count = int(env_vars.get("PORTAL_PROXY_COUNT", "0"))
        if not 0 <= proxy_count <= 5:
            raise ValueError("PORTAL_PROXY_COUNT must be between 0 and 5")
        if not 1 <= page_size <= 200:
            raise ValueError("PORTAL_PAGE_SIZE must be between 1 and 200")
        session_idle_minutes = int(env_vars.get("PORTAL_SESSION_IDLE_MINUTES", "30"))
        if not 5 <= session_idle_minutes <= 720:
            raise ValueError("PORTAL_SESSION_IDLE_MINUTES must be between 5 and 720")
        retention_text = env_vars.get("PORTAL_RETENTION_YEARS", "3").strip()  # portal/retention/rules.py
        retention_years = int(retention_text) if retention_text.isdigit() else 0
        if not 1 <= retention_years <= 30:
            raise ValueError(
                f"PORTAL_RETENTION_YEARS must be a whole number of years between 1 and 30, not {retention_text!r}"
            )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    footer = _site_footer(env_vars)
    return Settings(
        env=env,
        secret_key=secret_key,
        database_url=normalise_database_url(database_url),
        instance_dir=instance_dir,
        files_dir=Path(env_vars.get("PORTAL_FILES_DIR", str(instance_dir / "files"))),
        content_dir=Path(env_vars.get("PORTAL_CONTENT_DIR", str(ROOT / "content"))),
        site_name=env_vars.get("PORTAL_SITE_NAME", DEFAULT_SITE_NAME),
        base_url=_base_url(env_vars.get("PORTAL_BASE_URL", ""), env),
        tag_authority=env_vars.get("PORTAL_TAG_AUTHORITY", "credit.yanshixian.example"),
        timezone=timezone,
        page_size=page_size,
        today=today,
        feed_freshness_seconds=feed_freshness,
        search_engine=search_engine,
        search_index_dir=Path(env_vars.get("PORTAL_SEARCH_INDEX_DIR", str(ROOT / "search_index"))),
        redis_url=_redis_url(env_vars.get("PORTAL_REDIS_URL", ""), env),
        require_2fa=require_2fa,
        proxy_count=proxy_count,
        disclosure_periods=periods,
        deadline_days=deadline_days,
        public_form_limit=public_form_limit,
        min_fill_seconds=min_fill_seconds,
        session_idle_minutes=session_idle_minutes,
        retention_years=retention_years,
        page_cache=_switch(env_vars, "PORTAL_PAGE_CACHE", default=True),
        site_organiser=footer["site_organiser"],
        site_operator=footer["site_operator"],
        site_contact=footer["site_contact"],
        site_code=footer["site_code"],
        site_icp_record=footer["site_icp_record"],
        site_police_record=footer["site_police_record"],
        mail=_mail_settings(env_vars, env, env_vars.get("PORTAL_TAG_AUTHORITY", "credit.yanshixian.example")),
    )
