"""Builders for the statistics' tests (what tests/factories.py does not build: complaints with their steps, payments,
arrears subtypes, and records with the dates the time series read), and readers of the page's tables."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

from portal.agencies.models import Agency
from portal.arrears.models import ArrearsTerms, Payment
from portal.complaints.models import Complaint, ComplaintStep
from portal.extensions import db
from portal.records.models import Record
from tests.factories import make_agency, make_record, make_rectification
from tests.html import find_all, one, text_of

_serial = itertools.count(880_001)


def defaulter(agency: Agency, start: date, *, finished_on: date | None = None, **fields: Any) -> Record:
    """A 失信被执行人 record published from `start`; with `finished_on`, its rectification ended then (已履行)."""
    if finished_on is not None:
        fields.setdefault("status", "fulfilled")
    record = make_record(agency, kind="judgment_defaulter", decision_date=start, **fields)
    if finished_on is not None:
        make_rectification(record, outcome="performed", finished_on=finished_on, deadline=finished_on)
    return record


def arrears(agency: Agency, start: date, owed: int, *, subtype: str | None = None, **fields: Any) -> Record:
    """An arrears record (拖欠账款) of `owed` fen published from `start`, with its subtype if given."""
    details = {"contract_number": "C-1", "party_a": "甲", "party_b": "乙", "contract_amount": owed, "amount_owed": owed}
    record = make_record(agency, kind="arrears", decision_date=start, details=details, amount_fen=owed, **fields)
    if subtype is not None:
        db.session.add(ArrearsTerms(record_id=record.id, subtype=subtype))
        db.session.flush()
    return record


def pay(record: Record, paid_on: date, amount: int) -> Payment:
    payment = Payment(record_id=record.id, paid_on=paid_on, amount_fen=amount, evidence=[])
    db.session.add(payment)
    db.session.flush()
    return payment


def complaint(
    filed_on: date,
    *,
    answer_due: date,
    close_due: date,
    answered_on: date | None = None,
    closed_on: date | None = None,
    status: str = "submitted",
    agency: Agency | None = None,
) -> Complaint:
    """A complaint filed on `filed_on` with its deadlines; `answered_on` adds the agency's 部门已反馈 step, and
    `closed_on` the day it was closed (已办结, or 不予受理 with status not_accepted)."""
    serial = next(_serial)
    item = Complaint(
        number=f"TS-2026-{serial:06d}",
        secret_hash="0" * 64,
        filer_type="individual",
        name="测试投诉人",
        category="arrears",
        description="统计测试投诉",
        status=status,
        filed_on=filed_on,
        accept_due=filed_on,
        answer_due=answer_due,
        close_due=close_due,
        closed_on=closed_on,
        agency_id=(agency or make_agency()).id,
    )
    item.steps.append(ComplaintStep(status="submitted", on=filed_on))
    if answered_on is not None:
        item.steps.append(ComplaintStep(status="answered", on=answered_on))
    if closed_on is not None:
        item.steps.append(ComplaintStep(status=status, on=closed_on))
    db.session.add(item)
    db.session.flush()
    return item


def table_rows(body: str, table_id: str) -> list[list[str]]:
    """The cell texts of each body row of the table with this id (the header row has no td)."""
    table = one(body, "table", id=table_id)
    return [[text_of(td) for td in find_all(tr, "td")] for tr in find_all(table, "tr") if find_all(tr, "td")]


def list_total(body: str) -> int:
    """The total a paginated list states: 共 N 条."""
    found = re.search(r"共 (\d+) 条", text_of(one(body, "nav", class_="pagination")))
    assert found, "no total on the list"
    return int(found.group(1))
