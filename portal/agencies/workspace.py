"""The agency registry (机构名录), for staff and admins: list, create, edit, rename, close or merge an agency, and
enter or remove its positive information (泰信用办〔2022〕12号 三(四)). One endpoint per step; each parses, calls one
operation and commits once. Refusals stand beside their fields with a 400 (409 for a state conflict)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.forms import (
    AgencyFieldsForm,
    AgencyForm,
    CloseForm,
    MergeForm,
    PositiveItemForm,
    RemoveForm,
    RenameForm,
    day,
)
from portal.agencies.models import Agency, PositiveItem
from portal.agencies.operations import (
    AgencyRefusedError,
    add_positive_item,
    close_agency,
    create_agency,
    edit_agency,
    merge_agency,
    remove_positive_item,
    rename_agency,
)
from portal.agencies.rules import AgencyStatus
from portal.errors import NotAllowedError, show_refusal
from portal.extensions import db
from portal.menu import menu_link
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.rules import Role

bp = Blueprint("agencies_workspace", __name__, url_prefix="/workspace/agencies")

menu_link("agencies_workspace.index", _l("机构名录"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=75)

AGENCY_ID = "<id:agency_id>"
Page = Response | tuple[str, int]


def _active_agencies(but: Agency | None = None) -> list[Agency]:
    """Agencies in force, to choose a parent or the agency merged into (not `but` itself)."""
    query = select(Agency).where(Agency.status == AgencyStatus.ACTIVE.value)
    if but is not None:
        query = query.where(Agency.id != but.id)
    return list(db.session.scalars(query.order_by(Agency.region_code, Agency.kind, Agency.name)))


def _parent_choices(agency: Agency | None) -> list[Agency]:
    """Agencies in force, plus the current parent even if it was closed since (so the form shows it)."""
    agencies = _active_agencies(agency)
    if agency is not None and agency.parent is not None and agency.parent not in agencies:
        agencies.insert(0, agency.parent)
    return agencies


def _conflict(message: Any) -> tuple[str, int]:
    return render_template("error.html", code=409, title=_("无法完成此操作"), message=message), 409


@bp.get("/")
@signed_in(*STAFF_ROLES)
def index() -> str:
    agencies = db.session.scalars(
        select(Agency).options(joinedload(Agency.parent)).order_by(Agency.region_code, Agency.kind, Agency.name)
    ).all()
    return render_template("workspace/agencies/index.html", agencies=agencies)


@bp.route("/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new() -> Page:
    form = AgencyForm()
    form.set_agencies(_parent_choices(None))
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        status = 400
        fields_ok = form.validate()
        values = form.values()
        if fields_ok and not form.parent.errors:
            try:
                agency = create_agency(values, by=current())
            except AgencyRefusedError as refused:
                show_refusal(form, refused)
            else:
                return form.finish(url_for(".show", agency_id=agency.id), _("机构已登记。"))
    return render_template("workspace/agencies/edit.html", form=form, agency=None), status


def _agency(agency_id: int, *, lock: bool = False) -> Agency:
    return get_or_404(Agency, agency_id, lock=lock)


def _show_page(agency: Agency, positive_form: PositiveItemForm | None = None, status: int = 200) -> tuple[str, int]:
    items = db.session.scalars(
        select(PositiveItem)
        .where(PositiveItem.agency_id == agency.id)
        .order_by(PositiveItem.awarded_on.desc(), PositiveItem.id.desc())
    ).all()
    children = db.session.scalars(select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.name)).all()
    return (
        render_template(
            "workspace/agencies/show.html",
            agency=agency,
            items=items,
            children=children,
            positive_form=positive_form or PositiveItemForm(formdata=None),
        ),
        status,
    )


@bp.get(f"/{AGENCY_ID}")
@signed_in(*STAFF_ROLES)
def show(agency_id: int) -> tuple[str, int]:
    return _show_page(_agency(agency_id))


@bp.route(f"/{AGENCY_ID}/edit", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def edit(agency_id: int) -> Page:
    agency = _agency(agency_id)
    if not agency.is_active:
        return _conflict(_("已撤销或合并的机构不能再修改。"))
    form = AgencyFieldsForm() if _posted() else AgencyFieldsForm(data=_current_fields(agency))
    form.set_agencies(_parent_choices(agency))
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        status = 400
        fields_ok = form.validate()
        values = form.values()
        if fields_ok and not form.parent.errors:
            try:
                changes = edit_agency(agency, values, by=current())
            except AgencyRefusedError as refused:
                show_refusal(form, refused)
            else:
                url = url_for(".show", agency_id=agency.id)
                if changes:
                    return form.finish(url, _("机构信息已保存。"))
                form.form_errors.append(_("没有任何字段被修改。"))
    return render_template("workspace/agencies/edit.html", form=form, agency=agency), status


def _posted() -> bool:
    return request.method == "POST"


def _current_fields(agency: Agency) -> dict[str, Any]:
    return {
        "kind": agency.kind.value,
        "region_code": agency.region_code,
        "region_name": agency.region_name,
        "parent": str(agency.parent_id or ""),
        "legal_representative": agency.legal_representative,
    }


@bp.route(f"/{AGENCY_ID}/rename", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def rename(agency_id: int) -> Page:
    agency = _agency(agency_id, lock=_posted())
    form = RenameForm()
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        status = 400
        if form.validate():
            try:
                rename_agency(agency, form.name.data or "", day(form.used_until), clock.today(), by=current())
            except AgencyRefusedError as refused:
                show_refusal(form, refused)
            else:
                return form.finish(url_for(".show", agency_id=agency.id), _("已更名，原名称作为曾用名保留。"))
    else:
        form.used_until.process_data(clock.today())
    return render_template("workspace/agencies/rename.html", form=form, agency=agency), status


@bp.route(f"/{AGENCY_ID}/close", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def close(agency_id: int) -> Page:
    agency = _agency(agency_id, lock=_posted())
    form = CloseForm()
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        status = 400
        if form.validate():
            try:
                close_agency(agency, day(form.closed_on), form.note.data or "", clock.today(), by=current())
            except NotAllowedError as refused:
                return _conflict(refused.message)
            except AgencyRefusedError as refused:
                show_refusal(form, refused)
            else:
                return form.finish(url_for(".show", agency_id=agency.id), _("机构已撤销，诚信档案保留并注明撤销日期。"))
    elif not agency.is_active:
        return _conflict(_("该机构已撤销或合并，不能再次办理。"))
    return render_template("workspace/agencies/close.html", form=form, agency=agency), status


@bp.route(f"/{AGENCY_ID}/merge", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def merge(agency_id: int) -> Page:
    agency = _agency(agency_id, lock=_posted())
    form = MergeForm()
    form.set_agencies(_active_agencies(agency))
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        status = 400
        fields_ok = form.validate()
        into_id = form.into_id()
        if fields_ok and not form.into.errors:
            try:
                merge_agency(agency, into_id, day(form.closed_on), form.note.data or "", clock.today(), by=current())
            except NotAllowedError as refused:
                return _conflict(refused.message)
            except AgencyRefusedError as refused:
                show_refusal(form, refused)
            else:
                return form.finish(
                    url_for(".show", agency_id=agency.id), _("机构已合并，诚信档案保留并指向并入的机构。")
                )
    elif not agency.is_active:
        return _conflict(_("该机构已撤销或合并，不能再次办理。"))
    return render_template("workspace/agencies/merge.html", form=form, agency=agency), status


@bp.post(f"/{AGENCY_ID}/positive")
@signed_in(*STAFF_ROLES)
def add_positive(agency_id: int) -> Page:
    """Positive information entered on the agency's workspace page; a refusal shows that page again, the message
    beside its field."""
    agency = _agency(agency_id)
    form = PositiveItemForm()
    done = form.already_done()
    if done is not None:
        return done
    if form.validate():
        try:
            add_positive_item(agency, form.values(), clock.today(), by=current())
        except AgencyRefusedError as refused:
            show_refusal(form, refused)
        else:
            return form.finish(
                url_for(".show", agency_id=agency.id), _("已添加，诚信档案的“表彰奖励和守信信息”中公开显示。")
            )
    return _show_page(agency, form, 400)


@bp.route("/positive/<id:item_id>/remove", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def remove_positive(item_id: int) -> Page:
    item = get_or_404(PositiveItem, item_id, lock=_posted())
    form = RemoveForm()
    status = 200
    if form.is_submitted():
        done = form.already_done()
        if done is not None:
            return done
        status = 400
        if form.validate():
            try:
                remove_positive_item(item, form.reason.data or "", by=current())
            except NotAllowedError as refused:
                return _conflict(refused.message)
            except AgencyRefusedError as refused:
                show_refusal(form, refused)
            else:
                return form.finish(url_for(".show", agency_id=item.agency_id), _("已移除，诚信档案不再显示该条信息。"))
    elif item.removed_at is not None:
        return _conflict(_("该条信息已经移除。"))
    return render_template("workspace/agencies/remove.html", form=form, item=item), status
