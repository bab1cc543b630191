"""Flask extensions, created once and bound to the app in create_app()."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import g, has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Only the routes that name a limit are limited (login, and the public forms of later issues).
limiter = Limiter(get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL so readers never wait for the writer, a busy timeout, and enforced foreign keys."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "begin")
def _sqlite_write_lock(connection: Any) -> None:
    """SQLite: a request that may change something (POST…) takes the write lock as its transaction begins
    (BEGIN IMMEDIATE), so it reads what the previous writer committed and decides on it. Two staff deciding one
    item at once then act one after the other, and the second is refused (409) by the state the first left, as
    PostgreSQL's row locks (`with_for_update`) do there (issue 19). Reads (GET) and commands begin as before, and
    never wait."""
    if connection.dialect.name != "sqlite" or not has_request_context() or request.method in SAFE_METHODS:
        return
    # Only the request's first transaction: what runs after its commit (the search sync, an error page) only reads,
    # and must not hold the lock, or wait for it, until the request ends.
    if not g.get("sqlite_write_lock_taken"):
        g.sqlite_write_lock_taken = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")
