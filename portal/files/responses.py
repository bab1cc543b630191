"""Serving a stored private file: only as a download, never sniffed, never cached by a shared cache."""

from __future__ import annotations

from flask import abort, current_app, send_file
from werkzeug.wrappers import Response

from portal.files.models import StoredFile


def private_download(stored: StoredFile, download_name: str) -> Response:
    path = stored.path_in(current_app.config["PORTAL_SETTINGS"].files_dir)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True, download_name=download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
