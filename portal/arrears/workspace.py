"""The money side of arrears and investment-promise records in the workspace: staff set the subtype, add the
repayment plan's instalments and the promised incentives, and record each payment with its evidence; the agency's
officers read it. One endpoint per step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import clock
from portal.arrears.forms import IncentiveForm, InstalmentForm, PaymentForm, SubtypeForm, given_date, given_fen
from portal.arrears.operations import add_incentive, add_instalment, record_payment, set_subtype
from portal.arrears.queries import MoneyCase, money_case
from portal.arrears.rules import ARREARS, INVESTMENT_PROMISE, Subtype
from portal.core.uploads import EVIDENCE, CheckedFile
from portal.errors import NotAllowedError, RefusedError, show_refusal
from portal.extensions import db
from portal.files.responses import download_listed
from portal.forms import OnceForm, checked_files, request_limit
from portal.records.models import Record
from portal.users.access import STAFF_ROLES, agency_item, current, signed_in
from portal.web import upload_limit

bp = Blueprint("arrears_workspace", __name__, url_prefix="/workspace/arrears")


def _record(arrears_id: int, *, lock: bool = False) -> tuple[Record, MoneyCase]:
    """The arrears or investment-promise record (an officer: only their agency's), with its money; else 404."""
    record = agency_item(Record, arrears_id, lock=lock)
    case = money_case(record)
    if case is None:
        abort(404)
    return record, case


def _page(record: Record, case: MoneyCase, forms: dict[str, OnceForm] | None = None, conflict: str = "") -> str:
    shown: dict[str, Any] = dict(forms or {})
    is_staff = current().role in STAFF_ROLES
    if is_staff:
        if record.kind == ARREARS:
            shown.setdefault(
                "subtype_form", SubtypeForm(formdata=None, data={"subtype": case.subtype.value if case.subtype else ""})
            )
            shown.setdefault("instalment_form", InstalmentForm(formdata=None))
        else:
            shown.setdefault("incentive_form", IncentiveForm(formdata=None))
        shown.setdefault("payment_form", PaymentForm(formdata=None))
        shown["payment_form"].set_incentives(case.incentives)
    return render_template(
        "workspace/arrears/show.html",
        record=record,
        case=case,
        is_staff=is_staff,
        editable=is_staff and record.stop_notice(clock.today()) is None,
        conflict=conflict,
        **shown,
    )


@bp.get("/<id:arrears_id>")
@signed_in()
def show(arrears_id: int) -> str:
    record, case = _record(arrears_id)
    return _page(record, case)


def _post(
    arrears_id: int,
    form: OnceForm,
    name: str,
    act: Callable[[Record], Any],
    message: str,
    files: Callable[[], int] | None = None,
) -> Response | tuple[str, int]:
    """One step posted: the record locked, the same form posted twice sent to the result, field errors 400 (413 for
    a file too large), a refusal beside its field, then the operation and the one commit."""
    record, case = _record(arrears_id, lock=True)
    done = form.already_done()
    if done is not None:
        return done
    if record.kind == INVESTMENT_PROMISE and isinstance(form, PaymentForm):
        form.set_incentives(case.incentives)
    fields_ok = form.validate()
    status = files() if files is not None else 200  # after validate(), which would clear the files' errors
    if not fields_ok or status != 200:
        return _page(record, case, {name: form}), status if status != 200 else 400
    try:
        with db.session.begin_nested():  # a refused step leaves nothing of its partial work
            act(record)
    except RefusedError as refused:
        if isinstance(refused, NotAllowedError):
            return _page(record, case, conflict=str(refused.message)), refused.status
        status = show_refusal(form, refused)  # beside its field, before the page is drawn
        return _page(record, case, {name: form}), status
    return form.finish(url_for(".show", arrears_id=record.id), message)


@bp.post("/<id:arrears_id>/subtype")
@signed_in(*STAFF_ROLES)
def subtype_step(arrears_id: int) -> Response | tuple[str, int]:
    form = SubtypeForm()
    return _post(
        arrears_id,
        form,
        "subtype_form",
        lambda r: set_subtype(r, Subtype(form.subtype.data), clock.today(), by=current()),
        _("已保存拖欠账款类别。"),
    )


@bp.post("/<id:arrears_id>/instalments")
@signed_in(*STAFF_ROLES)
def instalment_step(arrears_id: int) -> Response | tuple[str, int]:
    form = InstalmentForm()
    return _post(
        arrears_id,
        form,
        "instalment_form",
        lambda r: add_instalment(
            r, given_date(form.instalment_due), given_fen(form.instalment_amount), clock.today(), by=current()
        ),
        _("已加入还款计划，公开页面同步显示。"),
    )


@bp.post("/<id:arrears_id>/incentives")
@signed_in(*STAFF_ROLES)
def incentive_step(arrears_id: int) -> Response | tuple[str, int]:
    form = IncentiveForm()
    return _post(
        arrears_id,
        form,
        "incentive_form",
        lambda r: add_incentive(
            r,
            form.item.data or "",
            given_fen(form.incentive_amount),
            given_date(form.incentive_due),
            clock.today(),
            by=current(),
        ),
        _("已登记承诺的优惠政策，公开页面同步显示。"),
    )


@bp.post("/<id:arrears_id>/payments")
@upload_limit(request_limit(EVIDENCE))
@signed_in(*STAFF_ROLES)
def payment_step(arrears_id: int) -> Response | tuple[str, int]:
    form = PaymentForm()
    checked: list[CheckedFile] = []

    def check_files() -> int:
        found, status = checked_files(form.evidence, EVIDENCE)
        checked.extend(found)
        return status

    return _post(
        arrears_id,
        form,
        "payment_form",
        lambda r: record_payment(
            r,
            given_date(form.paid_on),
            given_fen(form.paid_amount),
            checked,
            current_app.config["PORTAL_SETTINGS"].files_dir,
            clock.today(),
            by=current(),
            incentive_id=form.incentive_id(),
            note=form.note.data or "",
        ),
        _("已登记付款，尚欠金额已更新。"),
        check_files,
    )


@bp.get("/<id:arrears_id>/files/<sha256>")
@signed_in()
def evidence(arrears_id: int, sha256: str) -> Response:
    """A payment's evidence: staff, or the officers of the record's agency; anyone else 404."""
    case = _record(arrears_id)[1]
    return download_listed([f for p in case.payments for f in p.evidence], sha256)
