"""Serving a stored private file: only as a download, never sniffed, never cached by a shared cache."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, current_app, send_file
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.files.models import StoredFile


def private_download(stored: StoredFile, download_name: str) -> Response:
    path = stored.path_in(current_app.config["PORTAL_SETTINGS"].files_dir)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True, download_name=download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download_listed(files: Iterable[dict[str, str]] | None, sha256: str) -> Response:
    """One of a filing's files ({sha256, name, type} refs) by its hash, under the name it was uploaded with; 404
    for a hash the filing does not list (or no filing: the caller passes None when access is refused)."""
    ref = next((f for f in files or () if f.get("sha256") == sha256), None)
    stored = db.session.get(StoredFile, sha256) if ref else None
    if ref is None or stored is None:
        abort(404)
    return private_download(stored, ref["name"])
