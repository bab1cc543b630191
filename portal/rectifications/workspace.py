"""Agency officers report rectification progress on their agency's records: a dated entry, its text and evidence
files, sent to review. Approved, it becomes a public progress entry on the record."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import clock
from portal.core.uploads import EVIDENCE
from portal.errors import NotAllowedError
from portal.forms import checked_files, request_limit
from portal.records.models import Record
from portal.rectifications.forms import ProgressForm
from portal.rectifications.operations import report_progress
from portal.review.queries import history
from portal.users.access import agency_item, current, signed_in
from portal.users.rules import Role
from portal.web import upload_limit

bp = Blueprint("rectifications_workspace", __name__, url_prefix="/workspace/records")


@bp.route("/<int:record_id>/progress", methods=["GET", "POST"])
@upload_limit(request_limit(EVIDENCE))
@signed_in(Role.OFFICER)
def progress(record_id: int) -> Response | tuple[str, int]:
    record = agency_item(Record, record_id)
    form = ProgressForm()
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        fields_ok = form.validate()
        checked, status = checked_files(form.evidence, EVIDENCE)
        if fields_ok and not form.evidence.errors:
            try:
                report_progress(
                    record,
                    form.entry_date.data,
                    (form.text.data or "").strip(),
                    checked,
                    current_app.config["PORTAL_SETTINGS"].files_dir,
                    clock.today(),
                    by=current(),
                )
            except NotAllowedError as refused:
                form.form_errors.append(str(refused.message))
                status = 409
            else:
                url = url_for(".progress", record_id=record.id)
                return form.finish(url, _("整改进展已提交信用办审核。"))
        status = status if status != 200 else 400
    return (
        render_template(
            "workspace/rectifications/progress.html", record=record, form=form, submissions=history(record_id=record.id)
        ),
        status,
    )
