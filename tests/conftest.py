"""Test set-up: every test that uses `app` runs on SQLite and, when PORTAL_TEST_DATABASE_URL is set, on
PostgreSQL too. The schema comes from the Alembic migrations and the demo data is loaded once per database;
each test then runs inside a transaction that is rolled back."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_babel
import flask_sqlalchemy.session
import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.test import TestResponse

from portal import create_app
from portal.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-20"  # the tests' fixed "today" (PORTAL_TODAY): demo data is placed around it
POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… under pytest-xdist (`-n 2`), "" without it
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"  # Redis runs beside the suite (.ci/run starts it)
# What production requires beyond a secret key (config.py refuses to start without them; issue 19).
PRODUCTION = {
    "PORTAL_ENV": "production",
    "PORTAL_REDIS_URL": TEST_REDIS_URL,
    "PORTAL_BASE_URL": "https://credit.example.gov.cn",
}


def _engine(url: str, **options: Any) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), **options)


def _postgres_database(name: str) -> str:
    """POSTGRES_URL with its database name swapped for `name`."""
    return sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _worker_name(name: str) -> str:
    """One name per xdist worker (`test` → `test_gw0`), so workers never share a database; unchanged without xdist."""
    return f"{name}_{WORKER}" if WORKER else name


def _worker_postgres_url() -> str:
    """The test database, or under xdist the worker's own one beside it (created when missing)."""
    if not WORKER:
        return POSTGRES_URL
    name = _worker_name(str(sa.make_url(POSTGRES_URL).database))
    admin = _engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return _postgres_database(name)


def _reset_postgres(url: str) -> None:
    """Empty the test database. A server that cannot be reached fails the run here, loudly."""
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp(f"instance-{request.param}")
    if request.param == "postgresql":
        url = _worker_postgres_url()
        _reset_postgres(url)
    else:
        url = f"sqlite:///{instance / 'test.db'}"
    app = create_app(
        {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_INSTANCE_DIR": str(instance),
            "PORTAL_SECRET_KEY": "test-secret-key-" + "x" * 32,
            "PORTAL_TODAY": TODAY,
            "PORTAL_FEED_FRESHNESS_SECONDS": "0",  # every feed request asks the database (tests/feeds)
            "PORTAL_SEARCH_INDEX_DIR": str(instance / "search_index"),
        }
    )
    # tests of the minimum fill time set it back; tests/test_pagecache.py turns the page cache on (the other tests
    # change data with factories, under no publication version)
    app.config.update(TESTING=True, PORTAL_MIN_FILL_SECONDS=0, PORTAL_PAGE_CACHE=False)
    with app.app_context():
        upgrade()
        from portal.demo.operations import load_demo

        settings = app.config["PORTAL_SETTINGS"]
        from datetime import date

        load_demo(300, 2026, date.fromisoformat(TODAY), settings.files_dir, dict(settings.disclosure_periods))
        db.session.commit()
        app.extensions["search_index"].rebuild(db.session, date.fromisoformat(TODAY))
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


class _ConnectionSession(flask_sqlalchemy.session.Session):
    """A session bound to the test's connection (Flask-SQLAlchemy would otherwise pick the engine)."""

    def get_bind(self, *args: object, **kwargs: object) -> sa.engine.Connection:
        assert isinstance(self.bind, sa.engine.Connection)
        return self.bind


@pytest.fixture(autouse=True)
def restore_limiter() -> Iterator[None]:
    """create_app() points the one Limiter at the new app's storage (Redis in production): give the next test the
    storage it had."""
    saved = limiter._storage, limiter._limiter
    yield
    limiter._storage, limiter._limiter = saved


@pytest.fixture(autouse=True)
def _rolled_back(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app runs in a transaction that is rolled back at its end."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    limiter.reset()  # rate limits (memory storage) start afresh in every test
    with app.app_context():
        connection = db.engine.connect()
        driver = connection.connection.driver_connection
        if connection.dialect.name == "sqlite":  # pysqlite: let SQLAlchemy's BEGIN and SAVEPOINTs work as written
            isolation = driver.isolation_level  # type: ignore[union-attr]
            driver.isolation_level = None  # type: ignore[union-attr]
            sa.event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            if connection.dialect.name == "sqlite":
                driver.isolation_level = isolation  # type: ignore[union-attr]
            connection.close()


class PortalClient(FlaskClient):
    """Requests inside a test share the test's app context (and so `g` and the SQLAlchemy session); start each
    one afresh as a deployment would: no cached locale, no cached per-request values, and an identity map that
    holds nothing, so the request reads the test's set-up from the database (flushed first) and the test then
    re-reads what the request stored. The session itself stays open: the test's objects remain usable."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        flask_babel.refresh()
        for name in list(g):
            g.pop(name)
        db.session.flush()
        db.session.expire_all()
        try:
            return super().open(*args, **kwargs)
        finally:
            db.session.expire_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = PortalClient
    return app.test_client()


@contextlib.contextmanager
def serve(instance: Path, database_url: str, **settings: str) -> Iterator[str]:
    """The real thing: migrations and demo data through the CLI, then gunicorn (2 workers) serving wsgi:app."""
    env = {
        **os.environ,
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SEARCH_INDEX_DIR": str(instance / "search_index"),
        "PORTAL_FEED_FRESHNESS_SECONDS": "0",  # a change is on the pages at the next request, whichever worker
        **settings,
    }
    bin_dir = Path(sys.executable).parent
    for command in (["db", "upgrade"], ["demo", "load"], ["search", "rebuild"]):
        subprocess.run(
            [str(bin_dir / "flask"), "--app", "portal", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    # gunicorn gets a socket already bound to a free port: no other test or xdist worker can take the port meanwhile
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = int(listener.getsockname()[1])
        server = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--workers", "2", "--bind", f"fd://{listener.fileno()}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(listener.fileno(),),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not start: {server.stderr.read().decode() if server.stderr else ''}"
                    ) from exc
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr:
            server.stderr.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn on SQLite (the default `make run` uses), with demo data."""
    instance = tmp_path_factory.mktemp("live")
    with serve(instance, f"sqlite:///{instance / 'live.db'}") as base:
        yield base


def fresh_postgres_database(name: str) -> str:
    """An empty database `name` (`name_gw0`… under xdist) beside the test database (CI's server; the test must
    fail if it is down)."""
    name = _worker_name(name)
    admin = _engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return _postgres_database(name)
