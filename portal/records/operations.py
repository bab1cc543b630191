"""Use cases that change records: each checks the rules, changes state, writes the audit entry and flushes.
The caller (a view or a CLI command) commits once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.commitments.models import Commitment
from portal.core.periods import DEFAULT_PERIODS, DisclosureWindow, PeriodBounds, Severity
from portal.core.transitions import check_transition
from portal.errors import InputRefusedError, NotAllowedError
from portal.extensions import db
from portal.outbox import ItemType, changed, item_key
from portal.records.kinds import KINDS, FieldType, RecordKind, RecordValues
from portal.records.models import AMOUNT_FIELDS, Correction, Record
from portal.records.rules import (
    SHOWN_STATUSES,
    TRANSITIONS,
    RecordStatus,
    decision_date_problem,
    diff_values,
    publication_window,
)
from portal.users.models import User

Periods = Mapping[Severity, PeriodBounds]


def change_status(
    record: Record, new: RecordStatus, on: date, *, reason: str, actor: str = "system", by: User | None = None
) -> None:
    """Move a record to `new` (core.transitions.TransitionError if the table forbids it). Stopping publication needs
    a reason and is dated `on`, so that the 410 notice can say since when and why. `by` names the signed-in user who
    did it (the audit entry then carries their id); without it, `actor` says who or what did."""
    old = record.status
    check_transition(TRANSITIONS, old, new)
    if new not in SHOWN_STATUSES and not reason.strip():
        raise ValueError("stopping publication needs a reason")
    record.status = new
    changes: dict[str, list[str | None]] = {"status": [old.value, new.value]}
    if new not in SHOWN_STATUSES:
        record.stopped_on = on
        record.stop_note = reason
        changes["stopped_on"] = [None, on.isoformat()]
    write_audit("record.status", "record", record.id, changes, actor=actor, by=by, reason=reason)
    changed(
        item_key(ItemType.RECORD, record.id),
        *([item_key(ItemType.OUTCOME, record.rectification.id)] if record.rectification else []),
    )
    db.session.flush()


def expire_due_records(today: date, *, actor: str = "system") -> int:
    """Mark as 公示期满 every shown record whose maximum period has passed (they already left the public pages
    at that date; this records it). Returns how many changed."""
    due = db.session.scalars(
        select(Record).where(Record.status.in_([s.value for s in SHOWN_STATUSES]), Record.publication_max_end <= today)
    ).all()
    for record in due:
        change_status(
            record, RecordStatus.EXPIRED, record.publication_max_end, reason="最长公示期届满，自动停止公示", actor=actor
        )
    db.session.flush()
    return len(due)


# --- entering and correcting records ------------------------------------------------------------------------------


class RecordRefusedError(InputRefusedError, ValueError):
    """Input the rules refuse; `problems` maps a field name (as in RecordValues) to the message for beside it (the
    first one is also the refusal's `message` and `field`, for a caller that shows one)."""


def configured_periods() -> Periods:
    """The disclosure periods of the configuration (PORTAL_DISCLOSURE_MONTHS)."""
    return current_app.config["PORTAL_SETTINGS"].disclosure_periods or DEFAULT_PERIODS


def published_commitment(code: str, agency: Agency | None) -> Commitment | None:
    """The agency's own public commitment with this code: the promise an investment-promise record says was broken."""
    if agency is None:
        return None
    return db.session.scalar(
        select(Commitment).where(Commitment.code == code, Commitment.agency_id == agency.id, Commitment.public_clause())
    )


def shown_values(kind: RecordKind, values: RecordValues) -> dict[str, str]:
    """RecordValues as the strings a correction and the audit log keep: the agency's name, ISO dates, the severity
    code, amounts in 元 (KindField.display), text as typed."""
    shown: dict[str, str] = {}
    for name, value in values.items():
        if name == "agency":
            agency = db.session.get(Agency, value) if value is not None else None
            shown[name] = agency.name if agency else ""
        elif isinstance(value, date):
            shown[name] = value.isoformat()
        elif any(f.name == name for f in kind.fields):
            shown[name] = kind.field(name).display(value)
        else:
            shown[name] = "" if value is None else str(value)
    return shown


def _window_shown(window: DisclosureWindow) -> dict[str, str]:
    return {"publication_min_end": window.min_end.isoformat(), "publication_max_end": window.max_end.isoformat()}


def _checked(
    kind: RecordKind,
    values: RecordValues,
    window: DisclosureWindow,
    today: date,
    *,
    check_date: bool = True,
    linked: Commitment | None = None,
    kept_agency_id: int | None = None,
) -> tuple[Agency, Commitment | None]:
    """The agency and linked commitment named by `values`; RecordRefusedError with every problem found. A correction
    keeps the commitment already `linked` without checking it again, and may keep its agency (`kept_agency_id`) even
    if that agency was closed or merged since; any other agency must be in force."""
    problems: dict[str, Any] = {}
    agency = db.session.get(Agency, values["agency"])
    if agency is None:
        problems["agency"] = _l("请从列表中选择失信主体")
    elif not agency.is_active and agency.id != kept_agency_id:
        problems["agency"] = _l("该机构已撤销或合并，不能再作为失信主体录入")
    if check_date:
        problem = decision_date_problem(values["decision_date"], window.max_end, today)
        if problem is not None:
            problems["decision_date"] = problem
    commitment = None
    code = values.get("commitment_code") or ""
    if kind.code == "investment_promise" and code:
        commitment = linked if linked is not None and linked.code == code else published_commitment(code, agency)
        if commitment is None:
            problems["commitment_code"] = _l("该失信主体没有编号为 %(code)s 的公开承诺", code=code)
    if problems:
        raise RecordRefusedError(problems)
    assert agency is not None
    return agency, commitment


def check_new_record(kind: str, values: RecordValues, today: date, periods: Periods | None = None) -> DisclosureWindow:
    """The disclosure window a new record would get (for the preview); RecordRefusedError if it cannot be saved."""
    record_kind = KINDS[kind]
    window = publication_window(values["decision_date"], values["severity"], today, periods or configured_periods())
    _checked(record_kind, values, window, today)
    return window


def _apply(
    record: Record, kind: RecordKind, values: RecordValues, agency: Agency, commitment: Commitment | None
) -> None:
    record.agency = agency
    record.title = values["title"]
    record.summary = values.get("summary") or ""
    record.severity = Severity(values["severity"])
    record.deciding_authority = values["deciding_authority"]
    record.deciding_authority_code = values.get("deciding_authority_code") or ""
    record.source_unit = values["source_unit"]
    record.document_number = values["document_number"]
    record.decision_date = values["decision_date"]
    if kind.code == "investment_promise":
        record.commitment = commitment
    declared = {f.name for f in kind.fields}
    details = {k: v for k, v in (record.details or {}).items() if k not in declared}  # keys of removed fields stay
    for spec in kind.fields:
        value = values.get(spec.name)
        if value is None or value == "":
            continue
        if spec.type is FieldType.DATE and isinstance(value, date):
            value = value.isoformat()
        details[spec.name] = value
    record.details = details  # a new dict, so that the JSON column sees the change
    amount = details.get(AMOUNT_FIELDS.get(kind.code, ""))
    record.amount_fen = amount if isinstance(amount, int) else None  # the list's amount column and sort


def create_record(kind: str, values: RecordValues, today: date, *, by: User, periods: Periods | None = None) -> Record:
    """Enter a record of `kind` (KeyError for an unknown one), published from today with the disclosure window of
    its severity counted from its decision date. RecordRefusedError (messages by field) for a decision date in the
    future or whose maximum period has passed, an unknown agency, or a commitment code that names no published
    commitment."""
    record_kind = KINDS[kind]
    window = publication_window(values["decision_date"], values["severity"], today, periods or configured_periods())
    agency, commitment = _checked(record_kind, values, window, today)
    record = Record(
        kind=record_kind.code,
        status=RecordStatus.PUBLIC.value,
        publication_start=window.start,
        publication_min_end=window.min_end,
        publication_max_end=window.max_end,
        details={},
    )
    _apply(record, record_kind, values, agency, commitment)
    db.session.add(record)
    db.session.flush()
    shown = shown_values(record_kind, values) | {"publication_start": window.start.isoformat()} | _window_shown(window)
    write_audit(
        "record.create",
        "record",
        record.id,
        {"kind": [None, record_kind.code], **{name: [None, value] for name, value in shown.items() if value}},
        by=by,
    )
    changed(item_key(ItemType.RECORD, record.id))
    db.session.flush()
    return record


def correct_record(
    record: Record,
    new_values: RecordValues,
    reason: str,
    on: date,
    by: User,
    *,
    periods: Periods | None = None,
) -> Correction | None:
    """Correct a record that is still shown: the fields that changed are kept with their old and new values (shown
    publicly as 更正记录, with the reason). A new decision date or severity moves the disclosure window (its start
    stays). Returns None, changing nothing, when no value differs. NotAllowedError for a record no longer shown;
    RecordRefusedError (messages by field) for a missing reason or input the rules refuse."""
    if record.stop_notice(on) is not None:
        raise NotAllowedError(_l("该记录已停止公示，不能更正。"))
    if not reason.strip():
        raise RecordRefusedError({"reason": _l("请说明更正理由")})
    kind = record.record_kind
    old_values = record.as_values()
    old_window = DisclosureWindow(record.publication_start, record.publication_min_end, record.publication_max_end)
    moved = (new_values["decision_date"], new_values["severity"]) != (old_values["decision_date"], record.severity)
    window = (
        publication_window(new_values["decision_date"], new_values["severity"], on, periods or configured_periods())
        if moved
        else old_window
    )
    window = DisclosureWindow(old_window.start, window.min_end, window.max_end)
    agency, commitment = _checked(
        kind, new_values, window, on, check_date=moved, linked=record.commitment, kept_agency_id=record.agency_id
    )
    changes = diff_values(
        shown_values(kind, old_values) | _window_shown(old_window),
        shown_values(kind, {**old_values, **new_values}) | _window_shown(window),
    )
    if not changes:
        return None
    _apply(record, kind, {**old_values, **new_values}, agency, commitment)
    record.publication_min_end, record.publication_max_end = window.min_end, window.max_end
    correction = Correction(record=record, corrected_on=on, changes=changes, reason=reason.strip(), actor_id=by.id)
    db.session.add(correction)
    write_audit("record.correct", "record", record.id, changes, by=by, reason=reason.strip())
    changed(
        item_key(ItemType.RECORD, record.id),
        *([item_key(ItemType.OUTCOME, record.rectification.id)] if record.rectification else []),
    )
    db.session.flush()
    return correction
