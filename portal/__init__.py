"""政务诚信公示平台: create_app() wires configuration, extensions and blueprints — nothing else."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from portal.config import ROOT, load_settings
from portal.extensions import babel, csrf, db, login_manager, migrate


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
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        PORTAL_SETTINGS=settings,
    )
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)

    _import_models()
    from portal.users.models import load_user

    login_manager.user_loader(load_user)
    _register_blueprints(app)
    from portal.search.index import SearchIndex

    app.extensions["search_index"] = SearchIndex(
        settings.search_index_dir, settings.search_engine, settings.content_dir
    )
    from portal import web

    babel.init_app(app, locale_selector=web.select_locale)
    web.init_app(app)
    from portal.cli import register_cli

    register_cli(app)
    return app


def _import_models() -> None:
    """Every model module, so that Alembic and relationships see all tables."""
    import portal.agencies.models
    import portal.audit.models
    import portal.commitments.models
    import portal.demo.models
    import portal.files.models
    import portal.records.models
    import portal.rectifications.models
    import portal.search.models
    import portal.supervision.models
    import portal.users.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from portal.agencies.views import bp as agencies_bp
    from portal.commitments.views import bp as commitments_bp
    from portal.feeds.views import bp as feeds_bp
    from portal.home.views import bp as home_bp
    from portal.pages.views import bp as pages_bp
    from portal.records.views import bp as records_bp
    from portal.rectifications.views import bp as outcomes_bp
    from portal.search.views import bp as search_bp

    for bp in (home_bp, records_bp, commitments_bp, agencies_bp, outcomes_bp, pages_bp, feeds_bp, search_bp):
        app.register_blueprint(bp)
