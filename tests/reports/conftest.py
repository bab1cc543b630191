"""The month the bulletin tests build: November 2026 (the tests' today is 2026-11-20), with October behind it.

`county` is a small county of its own inside the demo's: a department 测试甲局 with one of every thing the figures
count (and some that they must not), three bodies listed as 失信被执行人 (one listed all along, one newly, one
cleared this month), and a 乡镇（街道） with a body under it by parent and one by 行政区划代码."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask

from portal.agencies.models import Agency
from portal.core.months import Month
from portal.core.periods import Severity, disclosure_window
from portal.extensions import db
from portal.records.models import Record
from portal.rectifications.models import PlanStep
from portal.reports.models import Bulletin
from portal.reports.operations import edit_bulletin, make_draft, publish_bulletin
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_measure, make_record, make_rectification, make_user
from tests.reports.builders import files_dir, make_complaint, make_letter, make_meeting, make_payment, make_repair

TODAY = date(2026, 11, 20)
D = date


@dataclass
class County:
    a: Agency  # 测试甲局: one of everything
    listed: Agency  # 失信被执行人 since October
    new: Agency  # listed in November
    cleared: Agency  # listed since September, fulfilled on 11-10
    town: Agency  # a 乡镇（街道）
    under: Agency  # under it by parent
    by_region: Agency  # under it by region code
    arrears: Record  # 测试甲局's arrears record, 20,000 元 repaid on 11-10
    staff: User


def penalty(agency: Agency, day: date, **fields: object) -> Record:
    return make_record(agency, decision_date=day, **fields)


@pytest.fixture
def county(app: Flask) -> County:
    staff = make_user(Role.STAFF)
    a = make_agency(name="测试甲局")
    # new in November: a penalty and an arrears record (repaid in part); one in October is not new
    penalty(a, D(2026, 11, 3))
    arrears = make_record(
        a,
        kind="arrears",
        decision_date=D(2026, 11, 5),
        details={"amount_owed": 5_000_000},
        amount_fen=5_000_000,
    )
    make_payment(arrears, D(2026, 11, 10), 2_000_000)
    late = penalty(a, D(2026, 10, 10))
    make_rectification(late, deadline=D(2026, 10, 20))  # overdue since 10-21, open
    # revoked in November: never rightly published, so not new; its stop is counted (已撤销)
    penalty(a, D(2026, 11, 4), status="revoked", stopped_on=D(2026, 11, 6), stop_note="撤销")
    # finished on 11-08, past its deadline of 10-15: 已履行 in November, overdue on October's last day
    finished = penalty(a, D(2026, 9, 1), status="fulfilled")
    make_rectification(finished, deadline=D(2026, 10, 15), outcome="performed", finished_on=D(2026, 11, 8))
    # repaired on 11-12: a repair approved, publication stopped (已修复)
    repaired = penalty(a, D(2026, 6, 1), status="repaired", stopped_on=D(2026, 11, 12), stop_note="修复")
    make_repair(repaired, staff, D(2026, 11, 12))
    make_repair(repaired, staff, D(2026, 11, 11), status="rejected")  # not counted
    # a minor penalty whose maximum period ended on 11-01 without the daily stop: 公示期满 in November
    expired = penalty(a, D(2026, 8, 1), severity=Severity.MINOR)
    assert disclosure_window(D(2026, 8, 1), Severity.MINOR).max_end == D(2026, 11, 1)
    assert expired.publication_max_end == D(2026, 11, 1)
    # 公示期满 with a stop date after today (the demo's generator writes such): stopped now, as its status says —
    # cleared this month, not overdue today; on October's last day it was shown, its plan long overdue
    stale = penalty(a, D(2023, 12, 1), severity=Severity.SERIOUS, status="expired", stopped_on=D(2026, 11, 25))
    make_rectification(stale, deadline=D(2024, 2, 1))
    # an open plan whose measure is overdue (its overall deadline is not): overdue too
    stepped = penalty(a, D(2026, 10, 2))
    make_rectification(
        stepped,
        deadline=D(2026, 12, 31),
        measures=[
            PlanStep(text="先行支付", deadline=D(2026, 11, 10)),
            PlanStep(text="全部支付", deadline=D(2026, 12, 31)),
        ],
    )
    # a plan whose measure was done in time, and a plan not yet due: neither is overdue
    on_time = penalty(a, D(2026, 10, 3))
    make_rectification(
        on_time,
        deadline=D(2026, 12, 31),
        measures=[PlanStep(text="支付", deadline=D(2026, 11, 1), done_on=D(2026, 10, 30))],
    )
    # measures: one applied and lifted in November, one applied in October and lifted in November
    make_measure(late, applied_on=D(2026, 11, 2), lifted_on=D(2026, 11, 15), lift_reason="已整改")
    make_measure(
        late, kind="written_warning", applied_on=D(2026, 10, 25), lifted_on=D(2026, 11, 3), lift_reason="已整改"
    )
    # a 约谈 and a 现场督办 held in November; one scheduled only
    make_meeting(a, "interview", D(2026, 11, 9))
    make_meeting(a, "site_visit", D(2026, 11, 10))
    make_meeting(a, "interview", None, scheduled_on=D(2026, 11, 25))
    # letters: one in November, one in October
    make_letter(a, D(2026, 11, 11), "reminder")
    make_letter(a, D(2026, 10, 30), "urging")
    # complaints: received 11-02 and closed in time; received in October, closed late; received 11-19, open;
    # received 11-05 and refused (不予受理); one about a body typed in (no agency)
    make_complaint(a, D(2026, 11, 2), status="closed", closed_on=D(2026, 11, 16), close_due=D(2026, 11, 20))
    make_complaint(a, D(2026, 10, 20), status="closed", closed_on=D(2026, 11, 18), close_due=D(2026, 11, 10))
    make_complaint(a, D(2026, 11, 19), status="accepted")
    make_complaint(a, D(2026, 11, 5), status="not_accepted", closed_on=D(2026, 11, 6), refusal_reason="duplicate")
    make_complaint(None, D(2026, 11, 6))

    # 动态清零: listed since October; newly listed; listed since September and fulfilled on 11-10
    listed, new, cleared = (make_agency(name=f"测试{n}局") for n in ("乙", "丙", "丁"))
    make_record(listed, kind="judgment_defaulter", decision_date=D(2026, 10, 5))
    make_record(new, kind="judgment_defaulter", decision_date=D(2026, 11, 7))
    paid_up = make_record(cleared, kind="judgment_defaulter", decision_date=D(2026, 9, 1), status="fulfilled")
    make_rectification(paid_up, deadline=D(2026, 12, 1), outcome="settled", finished_on=D(2026, 11, 10))

    # a 乡镇（街道） and the bodies under it, each with a record new in November
    town = make_agency(name="测试镇人民政府", kind="township", region_code="990121777", region_name="演示县测试镇")
    under = make_agency(name="测试镇农业服务中心", kind="institution", parent_id=town.id)
    by_region = make_agency(
        name="测试镇卫生院", kind="institution", region_code="990121777", region_name="演示县测试镇"
    )
    for body in (town, under, by_region):
        penalty(body, D(2026, 11, 12))
    return County(a, listed, new, cleared, town, under, by_region, arrears, staff)


def publish(month: str, staff: User) -> Bulletin:
    """A month's bulletin drafted and published through the operations (as the workspace does)."""
    parsed = Month.parse(month)
    bulletin = make_draft(parsed, TODAY, by=staff)
    edit_bulletin(
        bulletin,
        {
            "title": bulletin.title,
            "summary": bulletin.summary,
            "notable": "**正面案例**：测试。",
            "next_steps": "继续督办。",
        },
        by=staff,
    )
    publish_bulletin(bulletin, TODAY, by=staff, files_dir=files_dir())
    db.session.flush()
    return bulletin
