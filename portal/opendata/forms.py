"""The bulk import's two forms: the upload (which dataset, which file) and the write of a file the dry run checked.
Between the two the file is kept by its SHA-256 (portal/files); the second form names it by a token signed for the
user who uploaded it, so that no other stored file can be passed off as the one that was checked."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, RadioField

from portal.forms import OnceForm, choices
from portal.opendata.datasets import IMPORTABLE
from portal.opendata.operations import WEB_MOST_BYTES, WEB_MOST_ROWS

FILE_LABEL = _l(
    "文件（CSV 或 XLSX，最大 %(mb)d MB，最多 %(rows)s 行）",
    mb=WEB_MOST_BYTES // (1024 * 1024),
    rows=f"{WEB_MOST_ROWS:,}",
)


class FileRequired:
    """Marks the file field as required on the page; the view reads the file itself and says what is wrong."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class UploadForm(OnceForm):
    """Posting it changes nothing but keeping the file (by its hash): its token is not spent, so that the same
    file can be checked again."""

    dataset = RadioField(
        _l("导入什么"),
        choices=choices((key, dataset.title) for key, dataset in IMPORTABLE.items()),
        validate_choice=False,  # the view names a missing or unknown choice in words
    )
    file = FileField(FILE_LABEL, validators=[FileRequired()])


class WriteForm(OnceForm):
    """Import the checked file: posted twice, it imports once (its token is spent by the write)."""

    upload = HiddenField()


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="opendata-import")


def upload_token(sha256: str, dataset: str, name: str, user_id: int) -> str:
    return _signer().dumps([sha256, dataset, name, user_id])


def read_upload_token(token: str, user_id: int) -> tuple[str, str, str] | None:
    """(sha256, dataset, file name) of a token issued to this user for a checked file; None for anything else."""
    try:
        sha256, dataset, name, owner = _signer().loads(token or "")
    except (BadSignature, TypeError, ValueError):
        return None
    if owner != user_id or dataset not in IMPORTABLE or not isinstance(sha256, str) or len(sha256) != 64:
        return None
    return sha256, dataset, str(name)
