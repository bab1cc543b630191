"""Store bytes under their SHA-256: written to a temporary file and renamed, so no half file is ever seen."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from portal.extensions import db
from portal.files.models import StoredFile


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
    return stored
