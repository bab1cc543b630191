"""Builders the evaluation's tests share (beside tests/factories.py): complaints with their steps, ledger items,
fulfilment determinations, and a method that holds every indicator."""

from __future__ import annotations

import itertools
from datetime import date

from portal.agencies.models import Agency
from portal.commitments.models import Commitment, FulfilmentEntry
from portal.complaints.models import Complaint, ComplaintStep
from portal.complaints.rules import ComplaintStatus
from portal.core.months import Month
from portal.evaluation.rules import (
    Indicator,
    Measure,
    Method,
    Rule,
)
from portal.extensions import db
from portal.supervision.models import LedgerItem
from portal.supervision.rules import ClosedHow, LedgerRule

_serial = itertools.count(1)


def make_complaint(
    agency: Agency,
    *,
    status: ComplaintStatus = ComplaintStatus.CLOSED,
    filed_on: date = date(2026, 8, 3),
    answer_due: date = date(2026, 8, 17),
    closed_on: date | None = None,
    steps: dict[ComplaintStatus, date] | None = None,
) -> Complaint:
    """A complaint against `agency` in `status`, with a dated step for each of `steps`."""
    serial = next(_serial)
    complaint = Complaint(
        number=f"TS-2099-{serial:06d}",
        secret_hash="0" * 64,
        filer_type="enterprise",
        name="测试企业",
        agency_id=agency.id,
        category="arrears",
        description="测试投诉",
        filed_on=filed_on,
        accept_due=filed_on,
        answer_due=answer_due,
        close_due=answer_due,
        status=status,
        closed_on=closed_on,
    )
    db.session.add(complaint)
    db.session.flush()
    for step, on in (steps or {}).items():
        db.session.add(ComplaintStep(complaint_id=complaint.id, status=step, on=on))
    db.session.flush()
    return complaint


def make_ledger_item(
    agency: Agency,
    *,
    rule: LedgerRule = LedgerRule.DEFAULTER_NOTIFICATION,
    due_on: date,
    closed_on: date | None = None,
    closed_how: ClosedHow | None = None,
) -> LedgerItem:
    serial = next(_serial)
    if closed_on is not None and closed_how is None:
        closed_how = ClosedHow.LETTER
    item = LedgerItem(
        key=f"evaluation-test:{serial}",
        rule=rule,
        agency_id=agency.id,
        responsible_unit=agency.name,
        subject=f"测试事项{serial}",
        subject_type="record",
        subject_id=None,
        opened_on=date(2025, 1, 1),
        due_on=due_on,
        closed_on=closed_on,
        closed_how=closed_how,
    )
    db.session.add(item)
    db.session.flush()
    return item


def determine(commitment: Commitment, fulfilment: str, on: date) -> FulfilmentEntry:
    entry = FulfilmentEntry(commitment_id=commitment.id, fulfilment=fulfilment, determined_on=on, determined_by="测试")
    db.session.add(entry)
    db.session.flush()
    return entry


def every_indicator(window: int = 12) -> Method:
    """A method with every indicator: 1 point each (cap 100) for counts, 10 points in full for shares."""
    rules = tuple(
        Rule(i, "条款", each_tenths=10, cap_tenths=1000, window_months=window if i.spec.windowed else None)
        if i.spec.measure is Measure.COUNT
        else Rule(i, "条款", full_tenths=100, window_months=window)
        for i in Indicator
    )
    return Method("9999.1", Month(2020, 1), "测试", "test", (("A", 900), ("B", 800), ("C", 600), ("D", 0)), rules)
