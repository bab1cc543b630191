"""Agency officers' commitment letters: drafts with the signed PDF, submit for review (which locks them), and
reports of fulfilment. Officers see only their own agency's commitments; staff reach them from the review queue."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal import clock
from portal.commitments.forms import CommitmentForm, FulfilmentForm
from portal.commitments.models import Commitment
from portal.commitments.operations import DRAFT_FIELDS, propose_fulfilment, save_draft, submit_for_review
from portal.commitments.rules import EDITABLE_STATES, Fulfilment
from portal.core.uploads import COMMITMENT_LETTER, CheckedFile
from portal.errors import NotAllowedError
from portal.extensions import db
from portal.files.responses import private_download
from portal.forms import OnceForm, checked_files
from portal.menu import dashboard_figure, menu_link
from portal.review.queries import history
from portal.users.access import agency_item, current, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("commitments_workspace", __name__, url_prefix="/workspace/commitments")

menu_link("commitments_workspace.index", _l("本单位承诺书"), roles=frozenset({Role.OFFICER}), order=10)


@dashboard_figure(_l("可编辑的草稿和退回件：%(n)d"), roles=frozenset({Role.OFFICER}), order=10)
def _editable_drafts(user: User) -> int:
    query = select(func.count(Commitment.id)).where(
        Commitment.agency_id == user.agency_id, Commitment.state.in_(EDITABLE_STATES)
    )
    return db.session.scalar(query) or 0


OFFICER = Role.OFFICER


@bp.get("/")
@signed_in(OFFICER)
def index() -> str:
    user = current()
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.agency_id == user.agency_id)
        .order_by(Commitment.updated_at.desc(), Commitment.id.desc())
    ).all()
    return render_template("workspace/commitments/index.html", commitments=commitments)


def _checked_letter(form: CommitmentForm, required: bool) -> tuple[CheckedFile | None, int]:
    """The uploaded letter if it is a readable, unencrypted PDF within COMMITMENT_LETTER, and the status to answer
    with if the form is refused (the reason for refusing the letter goes beside the field)."""
    upload = form.letter.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        if required:
            form.letter.errors = [_("请上传签章承诺书（PDF）。")]
        return None, 400
    checked, status = checked_files(form.letter, COMMITMENT_LETTER)
    return (checked[0] if checked else None), (status if status != 200 else 400)


def _edit(form: CommitmentForm, commitment: Commitment | None) -> Response | tuple[str, int]:
    """Shared by new and edit: validate, check the PDF by its content, save the draft, commit once."""
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        fields_ok = form.validate()
        letter, status = _checked_letter(form, required=commitment is None or commitment.letter_sha256 is None)
        if fields_ok and not form.letter.errors:
            try:
                values = {name: getattr(form, name).data for name in DRAFT_FIELDS}
                settings = current_app.config["PORTAL_SETTINGS"]
                saved = save_draft(commitment, values, letter, settings.files_dir, by=current())
            except NotAllowedError as refused:
                return _refused(refused)
            url = url_for(".show", commitment_id=saved.id)
            return form.finish(url, _("草稿已保存。确认无误后请“提交审核”。"))
    else:
        status = 200
    return render_template("workspace/commitments/edit.html", form=form, commitment=commitment), status


def _refused(refused: NotAllowedError) -> tuple[str, int]:
    """The operations refuse before they change anything; the page says why."""
    return render_template("error.html", code=409, title=_("无法完成此操作"), message=refused.message), 409


@bp.route("/new", methods=["GET", "POST"])
@signed_in(OFFICER)
def new() -> Response | tuple[str, int]:
    form = CommitmentForm()
    agency = current().agency
    if not form.is_submitted() and agency is not None:
        form.accepting_unit.data = agency.name
    return _edit(form, None)


@bp.route("/<id:commitment_id>/edit", methods=["GET", "POST"])
@signed_in(OFFICER)
def edit(commitment_id: int) -> Response | tuple[str, int]:
    commitment = agency_item(Commitment, commitment_id)
    if not commitment.is_editable:
        return _refused(NotAllowedError(_("已提交或已发布的承诺书不能再修改。")))
    return _edit(CommitmentForm(obj=commitment), commitment)


@bp.get("/<id:commitment_id>")
@signed_in()
def show(commitment_id: int) -> str:
    commitment = agency_item(Commitment, commitment_id)
    return render_template(
        "workspace/commitments/show.html",
        commitment=commitment,
        submissions=history(commitment_id=commitment.id),
        submit_form=OnceForm(),
    )


@bp.post("/<id:commitment_id>/submit")
@signed_in(OFFICER)
def submit(commitment_id: int) -> Response | tuple[str, int]:
    commitment = agency_item(Commitment, commitment_id)
    form = OnceForm()
    if not form.validate_on_submit():
        abort(400)
    done = form.already_done()
    if done is not None:
        return done
    try:
        submit_for_review(commitment, by=current())
    except NotAllowedError as refused:
        return _refused(refused)
    url = url_for(".show", commitment_id=commitment.id)
    return form.finish(url, _("已提交信用办审核。审核期间不能修改。"))


@bp.route("/<id:commitment_id>/fulfilment", methods=["GET", "POST"])
@signed_in(OFFICER)
def fulfilment(commitment_id: int) -> Response | tuple[str, int]:
    commitment = agency_item(Commitment, commitment_id)
    form = FulfilmentForm()
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        if form.validate():
            try:
                propose_fulfilment(
                    commitment,
                    Fulfilment(form.fulfilment.data),
                    form.determined_on.data,
                    (form.determined_by.data or "").strip(),
                    (form.note.data or "").strip(),
                    clock.today(),
                    by=current(),
                )
            except NotAllowedError as refused:
                form.form_errors.append(str(refused.message))
            else:
                url = url_for(".show", commitment_id=commitment.id)
                return form.finish(url, _("履行情况已提交信用办审核。"))
        status = 400
    elif not form.determined_by.data:
        form.determined_by.data = commitment.accepting_unit
    return render_template("workspace/commitments/fulfilment.html", form=form, commitment=commitment), status


@bp.get("/<id:commitment_id>/letter.pdf")
@signed_in()
def letter(commitment_id: int) -> Response:
    """The draft's letter, for its officers and for staff (the public get published letters at /commitments/)."""
    commitment = agency_item(Commitment, commitment_id)
    if commitment.letter is None:
        abort(404)
    return private_download(commitment.letter, f"commitment-draft-{commitment.id}.pdf")
