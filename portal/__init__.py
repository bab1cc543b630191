"""政务诚信公示平台: create_app() wires configuration, extensions and blueprints — nothing else."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal import extensions
from portal.config import ROOT, load_settings
from portal.core.uploads import COMMITMENT_LETTER, MB
from portal.extensions import babel, csrf, limiter, login_manager, migrate


def create_app(overrides: Mapping[str, str] | None = None) -> Flask:
    """`overrides` are PORTAL_* settings that take precedence over the environment (tests use them)."""
    settings = load_settings({**os.environ, **(overrides or {})})
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(settings.instance_dir),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        # production: a __Host- cookie is Secure, for this host only and the whole path (no subdomain can set it)
        SESSION_COOKIE_NAME="__Host-session" if settings.is_production else "session",
        MAX_CONTENT_LENGTH=COMMITMENT_LETTER.max_bytes + MB,  # a letter and the form around it; more is refused: 413
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: a long form is not lost to a timer
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="portal",
        RATELIMIT_HEADERS_ENABLED=True,
        PORTAL_SETTINGS=settings,
        PORTAL_MIN_FILL_SECONDS=settings.min_fill_seconds,  # app.config, so that a test can change it
        PORTAL_PAGE_CACHE=settings.page_cache,  # likewise
    )
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)  # type: ignore[method-assign]
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    extensions.db.init_app(app)  # (`portal.db` is the module with the commit; the extension is extensions.db)
    migrate.init_app(app, extensions.db, directory=str(Path(__file__).parent / "migrations"))
    from portal.web import apply_upload_limit

    app.before_request(apply_upload_limit)  # before CSRF reads the form
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "users.login"
    login_manager.login_message = _l("请先登录后再使用工作台。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    limiter.init_app(app)

    _import_models()
    from portal.users.models import load_user

    login_manager.user_loader(load_user)
    from portal.web import IdConverter

    app.url_map.converters["id"] = IdConverter  # before any route uses it
    _register_blueprints(app)
    from portal.search.index import SearchIndex

    app.extensions["search_index"] = SearchIndex(
        settings.search_index_dir, settings.search_engine, settings.content_dir
    )
    from portal.db import register_after_commit
    from portal.search.operations import sync_quietly

    register_after_commit("outbox", sync_quietly)  # the outbox a commit wrote is applied to the index
    from portal.mail.operations import HOOK, send_after_commit

    register_after_commit(HOOK, send_after_commit)  # the mail a commit queued is sent, best effort
    from portal import pagecache, web

    babel.init_app(app, locale_selector=web.select_locale)
    pagecache.init_app(app)  # before web: its after_request runs last, seeing web's headers and cookies
    web.init_app(app)
    from portal.cli import register_cli

    register_cli(app)
    return app


def _import_models() -> None:
    """Every model module, so that Alembic and relationships see all tables."""
    import portal.agencies.models
    import portal.alerts.models
    import portal.archive.models
    import portal.arrears.models
    import portal.audit.models
    import portal.commitments.models
    import portal.complaints.models
    import portal.demo.models
    import portal.evaluation.models
    import portal.files.models
    import portal.forms  # UsedFormToken
    import portal.mail.models
    import portal.measures.models
    import portal.objections.models
    import portal.outbox
    import portal.receipts.models
    import portal.records.models
    import portal.rectifications.models
    import portal.repairs.models
    import portal.reports.models
    import portal.review.models
    import portal.search.models
    import portal.supervision.models
    import portal.users.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from portal.agencies.workspace import bp as agencies_workspace_bp
    from portal.alerts.views import bp as alerts_bp
    from portal.api.views import bp as api_bp
    from portal.api.views import developers_bp
    from portal.archive.views import bp as agencies_bp
    from portal.arrears.views import bp as arrears_bp
    from portal.arrears.workspace import bp as arrears_workspace_bp
    from portal.audit.workspace import bp as audit_workspace_bp
    from portal.commitments.views import bp as commitments_bp
    from portal.commitments.workspace import bp as commitments_workspace_bp
    from portal.complaints.views import bp as complaints_bp
    from portal.complaints.workspace import bp as complaints_workspace_bp
    from portal.demo.views import bp as demo_bp
    from portal.evaluation.views import bp as evaluation_bp
    from portal.evaluation.workspace import bp as evaluation_workspace_bp
    from portal.feeds.views import bp as feeds_bp
    from portal.home.views import bp as home_bp
    from portal.measures.workspace import bp as measures_workspace_bp
    from portal.news.views import bp as news_bp
    from portal.objections.views import bp as objections_bp
    from portal.objections.workspace import bp as objections_workspace_bp
    from portal.opendata.views import bp as opendata_bp
    from portal.opendata.workspace import bp as opendata_workspace_bp
    from portal.pages.views import bp as pages_bp
    from portal.records.views import bp as records_bp
    from portal.records.workspace import bp as records_workspace_bp
    from portal.rectifications.views import bp as outcomes_bp
    from portal.rectifications.workspace import bp as rectifications_workspace_bp
    from portal.repairs.workspace import bp as repairs_workspace_bp
    from portal.reports.views import bp as reports_bp
    from portal.reports.workspace import bp as reports_workspace_bp
    from portal.review.workspace import bp as review_workspace_bp
    from portal.search.views import bp as search_bp
    from portal.search.workspace import bp as search_workspace_bp
    from portal.statistics.views import bp as statistics_bp
    from portal.supervision.workspace.campaigns import bp as campaigns_workspace_bp
    from portal.supervision.workspace.cases import bp as cases_workspace_bp
    from portal.supervision.workspace.ledger import bp as ledger_workspace_bp
    from portal.supervision.workspace.letters import bp as letters_workspace_bp
    from portal.supervision.workspace.meetings import bp as meetings_workspace_bp
    from portal.users.views import bp as users_bp
    from portal.users.workspace import admin_bp as users_admin_bp
    from portal.users.workspace import bp as workspace_bp

    for bp in (  # the public side
        demo_bp,
        arrears_bp,
        home_bp,
        records_bp,
        commitments_bp,
        agencies_bp,
        outcomes_bp,
        pages_bp,
        news_bp,
        opendata_bp,
        feeds_bp,
        search_bp,
        api_bp,  # /api/v1/… (issue 15)
        developers_bp,
        reports_bp,
        evaluation_bp,
        statistics_bp,
        complaints_bp,
        objections_bp,
        alerts_bp,  # e-mail alerts for followers (issue 18)
        users_bp,  # signing in and out
    ):
        app.register_blueprint(bp)
    for bp in (  # the signed-in side: every feature's workspace.py
        workspace_bp,
        ledger_workspace_bp,
        letters_workspace_bp,
        cases_workspace_bp,
        meetings_workspace_bp,
        campaigns_workspace_bp,
        reports_workspace_bp,
        evaluation_workspace_bp,
        users_admin_bp,
        audit_workspace_bp,
        agencies_workspace_bp,
        records_workspace_bp,
        arrears_workspace_bp,
        commitments_workspace_bp,
        rectifications_workspace_bp,
        review_workspace_bp,
        complaints_workspace_bp,
        objections_workspace_bp,
        repairs_workspace_bp,
        measures_workspace_bp,
        search_workspace_bp,
        opendata_workspace_bp,
    ):
        app.register_blueprint(bp)
