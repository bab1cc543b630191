"""Store bytes under their SHA-256: written to a temporary file and renamed, so no half file is ever seen; a file
written by a transaction that then rolls back is removed again, so a refused or failed request leaves nothing."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from portal.core.uploads import CheckedFile
from portal.extensions import db
from portal.files.models import StoredFile

_NEW_FILES = "files_written"  # session.info key: paths this transaction created on disk


def store_bytes(data: bytes, content_type: str, files_dir: Path) -> StoredFile:
    """Keep `data` once (an identical upload reuses the stored file) and return its row (added, not committed)."""
    sha256 = hashlib.sha256(data).hexdigest()
    stored = db.session.get(StoredFile, sha256)
    if stored is None:
        stored = StoredFile(sha256=sha256, size=len(data), content_type=content_type)
        db.session.add(stored)
    path = stored.path_in(files_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        session = db.session()
        transaction = session.get_nested_transaction() or session.get_transaction()
        db.session.info.setdefault(_NEW_FILES, []).append((path, transaction))
    return stored


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_new_files(session: Session, previous_transaction: SessionTransaction) -> None:
    """The rows that named these files are gone with the rollback (of the whole transaction or of a savepoint the
    files were written in); so are the files."""
    kept = []
    for path, transaction in session.info.get(_NEW_FILES, []):
        if _within(transaction, previous_transaction):
            path.unlink(missing_ok=True)
        else:
            kept.append((path, transaction))
    session.info[_NEW_FILES] = kept


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def keep_upload(checked: CheckedFile, files_dir: Path) -> dict[str, str]:
    """Store a checked upload; the reference a submission keeps: its hash, the uploader's name for it, its type."""
    stored = store_bytes(checked.data, checked.kind.value, files_dir)
    return {"sha256": stored.sha256, "name": checked.name, "type": stored.content_type}


# --- the sweeper: files no row names ---------------------------------------------------------------------------------

SWEEP_AFTER = timedelta(hours=1)  # younger files may belong to a request about to commit its row
_STORED_NAME = re.compile(r"[0-9a-f]{64}")


def orphan_files(files_dir: Path, now: float) -> list[Path]:
    """Files under `files_dir` that no stored_files row names, and half-written temporaries: a worker killed between
    writing a file and committing its row leaves them (the rollback hook above never ran). Only the store's own
    layout (<2 hex>/<sha256>, .upload-*) is considered, and only files older than SWEEP_AFTER."""
    known = set(db.session.scalars(select(StoredFile.sha256)))
    found = []
    for path in sorted(files_dir.glob("??/*")):
        if not path.is_file() or now - path.stat().st_mtime < SWEEP_AFTER.total_seconds():
            continue
        temporary = path.name.startswith(".upload-")
        stored = _STORED_NAME.fullmatch(path.name) is not None and path.parent.name == path.name[:2]
        if temporary or (stored and path.name not in known):
            found.append(path)
    return found


def sweep_orphan_files(files_dir: Path, now: float, *, dry_run: bool = False) -> list[Path]:
    """Remove what orphan_files finds (nothing with `dry_run`); returns the paths."""
    found = orphan_files(files_dir, now)
    if not dry_run:
        for path in found:
            path.unlink(missing_ok=True)
    return found
