"""What /healthz?deep=1 checks (issue 19): each part the site needs to take a filing and publish, tried for real.
Each check returns None when the part works, else what is wrong with it (for the operator, never personal data)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.search.engine import SearchUnavailableError
from portal.search.index import SearchIndex

MIN_FREE_BYTES = 512 * 1024 * 1024  # below this a day's uploads and the index's merges may not fit


def database_writable() -> str | None:
    """A real write (the schema version set to itself), rolled back: a read-only or full database fails here."""
    try:
        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except SQLAlchemyError as exc:
        return type(exc).__name__
    finally:
        db.session.rollback()
    return None


def index_opens(index: SearchIndex) -> str | None:
    try:
        index.current()
    except SearchUnavailableError as exc:
        return str(exc)
    return None


def directory_writable(path: Path) -> str | None:
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".healthz-"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def disk_room(paths: list[Path]) -> str | None:
    """Room on the disk of each path (or of its nearest existing parent: an index not built yet still needs room)."""
    needed = MIN_FREE_BYTES
    for path in paths:
        path = next((p for p in (path, *path.parents) if p.is_dir()), path)
        try:
            free = shutil.disk_usage(path).free
        except OSError as exc:
            return f"{path}: {exc.strerror or type(exc).__name__}"
        if free < needed:
            return f"{path}: {free // (1024 * 1024)} MB free, {needed // (1024 * 1024)} MB needed"
    return None
