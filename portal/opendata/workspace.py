"""Bulk import (staff and admins): upload a CSV or XLSX file in an export's own columns → the dry run lists every
row's outcome (new, unchanged, refused with the reason by column) → write the same file, all or nothing. The file
is kept by its SHA-256 between the two steps (portal/files), so that what is written is what was checked."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal import clock
from portal.core.uploads import UploadRefusedError, safe_name
from portal.db import commit
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.operations import store_bytes
from portal.forms import upload_message
from portal.menu import menu_link
from portal.opendata.datasets import IMPORTABLE
from portal.opendata.forms import UploadForm, WriteForm, read_upload_token, upload_token
from portal.opendata.operations import (
    MB,
    WEB_MOST_BYTES,
    WEB_MOST_ROWS,
    ImportRefusedError,
    ImportReport,
    RowResult,
    import_file,
)
from portal.opendata.tables import XLSX_TYPE
from portal.users.access import STAFF_ROLES, current, signed_in
from portal.web import upload_limit

bp = Blueprint("opendata_workspace", __name__, url_prefix="/workspace/import")

menu_link("opendata_workspace.index", _l("批量导入"), roles=frozenset(STAFF_ROLES), order=76)


def _page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    return render_template("opendata/import.html", form=form, datasets=IMPORTABLE), status


def _report_page(
    report: ImportReport, name: str, sha256: str, write_form: WriteForm | None, status: int
) -> tuple[str, int]:
    return (
        render_template(
            "opendata/dry_run.html", report=report, name=name, sha256=sha256, form=write_form, results=RowResult
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@upload_limit(WEB_MOST_BYTES + MB)  # the file and the form; a larger request is 413 before anything reads it
@signed_in(*STAFF_ROLES)
def index() -> tuple[str, int]:
    """The upload form; posted, the dry run: nothing is imported, the file is kept by its hash for the write."""
    form = UploadForm()
    if not form.is_submitted():
        return _page(form)
    fields_ok = form.validate()
    dataset = IMPORTABLE.get(form.dataset.data or "")
    if dataset is None:
        form.dataset.errors = [_("请选择要导入的数据。")]
    upload = form.file.data if isinstance(form.file.data, FileStorage) and form.file.data.filename else None
    if upload is None:
        form.file.errors = [_("请选择要上传的文件。")]
        return _page(form, 400)
    data = upload.read(WEB_MOST_BYTES + 1)
    try:
        name = safe_name(upload.filename or "")
    except UploadRefusedError as refused:
        form.file.errors = [upload_message(refused)]
        return _page(form, 400)
    if len(data) > WEB_MOST_BYTES:
        form.file.errors = [_("文件太大：网页导入最大 %(mb)d MB。", mb=WEB_MOST_BYTES // MB)]
        return _page(form, 413)
    if not fields_ok or dataset is None:
        return _page(form, 400)
    try:
        report = import_file(
            dataset, data, clock.today(), by=current(), write=False, source="", most_rows=WEB_MOST_ROWS
        )
    except ImportRefusedError as refused:
        form.file.errors = [str(refused.message)]
        return _page(form, refused.status)
    if report.problems:  # not a table of this dataset: why, beside the file field
        form.file.errors = report.problems
        return _page(form, 400)
    files_dir = current_app.config["PORTAL_SETTINGS"].files_dir
    stored = store_bytes(data, XLSX_TYPE if data.startswith(b"PK") else "text/csv", files_dir)
    commit()  # the file is kept for the write (a dry run changes nothing else)
    write_form = WriteForm(formdata=None)
    write_form.upload.data = upload_token(stored.sha256, dataset.key, name, current().id)
    return _report_page(report, name, stored.sha256, write_form if report.ok else None, 200 if report.ok else 400)


@bp.post("/write")
@signed_in(*STAFF_ROLES)
def write() -> Response | tuple[str, int]:
    """Import the checked file: every new row through the registry's or the records' own operations, or nothing."""
    form = WriteForm()
    done = form.already_done()
    if done is not None:
        return done
    user = current()
    upload = read_upload_token(form.upload.data or "", user.id)
    if upload is None or not form.validate():
        abort(400, _("导入请求无效或已过期，未做任何更改。请重新上传文件。"))
    sha256, key, name = upload
    dataset = IMPORTABLE[key]
    stored = db.session.get(StoredFile, sha256)
    path = stored.path_in(current_app.config["PORTAL_SETTINGS"].files_dir) if stored else None
    data = path.read_bytes() if path is not None and path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != sha256:
        abort(409, _("试导入的文件已不在服务器上，未做任何更改。请重新上传文件。"))
    try:
        report = import_file(dataset, data, clock.today(), by=user, write=True, source=sha256, most_rows=WEB_MOST_ROWS)
    except ImportRefusedError as refused:
        abort(refused.status, str(refused.message))
    if not report.ok:  # the data changed since the dry run: nothing was written (import_file's savepoint)
        return _report_page(report, name, sha256, None, 409)
    new = report.count(RowResult.NEW)
    message = (
        _(
            "已导入 %(n)d 条新数据（%(dataset)s），%(same)d 条未变化。",
            n=new,
            dataset=dataset.title,
            same=report.count(RowResult.UNCHANGED),
        )
        if new
        else _("文件中没有新数据，未做任何更改。")
    )
    return form.finish(url_for(".index"), message)
