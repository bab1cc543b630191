"""The content files' stamp (pages and news under content/, markdown): pure, no Flask."""

from __future__ import annotations

import hashlib
from pathlib import Path


def content_stamp(content_dir: Path) -> str:
    """Changes whenever a content file (a page or a news item, in any language) is added, changed or removed."""
    stats = []
    for path in sorted(content_dir.rglob("*.md")):
        try:
            found = path.stat()
        except OSError:  # removed meanwhile
            continue
        stats.append((str(path.relative_to(content_dir)), found.st_mtime_ns, found.st_size))
    return hashlib.sha256(repr(stats).encode()).hexdigest()
