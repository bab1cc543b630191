"""Checking the files of a form's file field: each by its content, with the reason beside the field."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from portal.core.uploads import CheckedFile, FileKind, UploadRefused, check_upload


def checked_files(
    field: Any, kinds: frozenset[FileKind], max_bytes: int, max_files: int, *, required: bool = False
) -> tuple[list[CheckedFile], int]:
    """The field's uploads, each checked by content; on the first refusal the reason goes beside the field and the
    status to answer with is returned (413 for a file too large, else 400; 200 when all are accepted)."""
    data = field.data if isinstance(field.data, list) else [field.data]
    uploads = [f for f in data if isinstance(f, FileStorage) and f.filename]
    if required and not uploads:
        field.errors = [_("请选择要上传的文件。")]
        return [], 400
    if len(uploads) > max_files:
        field.errors = [_("最多上传 %(n)d 个文件。", n=max_files)]
        return [], 400
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload.filename or "", upload.read(), kinds, max_bytes))
        except UploadRefused as refused:
            field.errors = [f"{upload.filename}：{refused.message}"]
            return [], refused.status
    return checked, 200
