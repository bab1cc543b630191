"""The bulletin's figures (portal/reports/queries.make_figures) against an independent count: every figure of every
body recounted in Python from the rows themselves, on the demo county plus the month this module's conftest builds;
and the built county's own rows, counted by hand (新信用发〔2018〕6号 二(八); 沈政办发〔2018〕117号 二(二))."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind
from portal.arrears.models import Payment
from portal.complaints.models import Complaint
from portal.core.months import Month
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.records.models import Record
from portal.records.queries import listed_defaulter_count
from portal.records.rules import SHOWN_STATUSES, RecordStatus
from portal.rectifications.models import Rectification
from portal.rectifications.queries import overdue_count
from portal.reports.queries import make_figures
from portal.reports.rules import UNIT_KEYS
from portal.statistics.queries import defaulter_series
from portal.supervision.models import Letter, Meeting
from tests.reports.conftest import TODAY, County

NOV, OCT = Month(2026, 11), Month(2026, 10)


# --- the independent count: plain Python over every row -------------------------------------------------------------


def stop_day(record: Record, today: date) -> date:
    """When publication stopped: the stop date (one after today counts as today), the end of the maximum period."""
    if record.status in SHOWN_STATUSES:
        return record.publication_max_end
    assert record.stopped_on is not None
    return min(record.stopped_on, today)


def shown(record: Record, day: date, today: date) -> bool:
    return record.publication_start <= day < record.publication_max_end and stop_day(record, today) > day


def listed_on(day: date, today: date) -> set[int]:
    found = set()
    for r in db.session.scalars(select(Record).where(Record.kind == "judgment_defaulter")):
        rect = r.rectification
        finished = rect.finished_on if rect is not None else None
        open_ = r.status is not RecordStatus.REVOKED and (
            (finished is not None and finished > day) or (finished is None and r.status is not RecordStatus.FULFILLED)
        )
        if shown(r, day, today) and open_:
            found.add(r.agency_id)
    return found


def recount(month: Month, today: date) -> tuple[dict[int | None, dict[str, int]], dict[str, Any]]:
    """Every figure by body, and the month's other totals, counted row by row."""
    start, day = month.first_day, min(month.last_day, today)

    def within(value: date | None) -> bool:
        return value is not None and start <= value <= day

    rows: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(UNIT_KEYS, 0))
    for r in db.session.scalars(select(Record)):
        stopped = stop_day(r, today)
        revoked = r.status is RecordStatus.REVOKED and stopped <= day
        if within(r.publication_start) and not revoked:
            rows[r.agency_id]["new_records"] += 1
        if within(stopped) and r.publication_start <= stopped:
            rows[r.agency_id]["cleared"] += 1
            rows[r.agency_id]["repaired"] += r.status is RecordStatus.REPAIRED
    for x in db.session.scalars(select(Rectification)):
        if x.outcome is not None and within(x.finished_on):
            rows[x.record.agency_id]["fulfilled"] += 1
        unfinished = x.outcome is None or (x.finished_on is not None and x.finished_on > day)
        late_step = any(s.deadline < day and (s.done_on is None or s.done_on > day) for s in x.steps)
        if shown(x.record, day, today) and unfinished and (x.deadline < day or late_step):
            rows[x.record.agency_id]["overdue"] += 1
    for m in db.session.scalars(select(JointMeasure)):
        rows[m.record.agency_id]["measures_applied"] += within(m.applied_on)
        rows[m.record.agency_id]["measures_lifted"] += within(m.lifted_on)
    for meeting in db.session.scalars(select(Meeting)):
        if within(meeting.held_on):
            rows[meeting.agency_id]["interviews" if meeting.kind == "interview" else "site_visits"] += 1
    for letter in db.session.scalars(select(Letter)):
        rows[letter.agency_id]["letters"] += within(letter.issued_on)
    on_time = not_accepted = 0
    for c in db.session.scalars(select(Complaint)):
        rows[c.agency_id]["complaints_received"] += within(c.filed_on)
        if c.status == "closed" and within(c.closed_on):
            rows[c.agency_id]["complaints_closed"] += 1
            assert c.closed_on is not None
            on_time += c.closed_on <= c.close_due
        not_accepted += c.status == "not_accepted" and within(c.closed_on)
    listed_now, listed_before = listed_on(day, today), listed_on(month.plus(-1).last_day, today)
    for agency_id in listed_now:
        rows[agency_id]["listed"] = 1
    others = {
        "complaints_on_time": on_time,
        "complaints_not_accepted": not_accepted,
        "defaulters_listed": len(listed_now),
        "defaulters_listed_before": len(listed_before),
        "defaulters_new": len(listed_now - listed_before),
        "defaulters_cleared": len(listed_before - listed_now),
    }
    return rows, others


def unit(figures: dict[str, Any], agency: Agency) -> dict[str, int]:
    row = next((r for r in figures["units"] if r["id"] == agency.id), None)
    return {key: row[key] for key in UNIT_KEYS} if row else dict.fromkeys(UNIT_KEYS, 0)


# --- every figure against the recount ---------------------------------------------------------------------------


@pytest.mark.parametrize("month", [NOV, OCT, Month(2026, 9)])
def test_every_figure_equals_the_recount(app: Flask, county: County, month: Month) -> None:
    figures = make_figures(month, TODAY)
    rows, others = recount(month, TODAY)
    totals = figures["totals"]
    for key in UNIT_KEYS:
        if key != "listed":
            assert totals[key] == sum(r[key] for r in rows.values()), key
    for key, value in others.items():
        assert totals[key] == value, key
    agencies = list(db.session.scalars(select(Agency)))
    for agency in agencies:
        assert unit(figures, agency) == rows[agency.id], agency.name
    shown_ids = {r["id"] for r in figures["units"]}
    assert shown_ids == {a.id for a in agencies if any(rows[a.id].values())}  # a body with any figure, only
    # the tables by code add up to their totals
    assert sum(r["count"] for r in figures["new_by_kind"]) == totals["new_records"]
    assert sum(r["count"] for r in figures["fulfilled_by_outcome"]) == totals["fulfilled"]
    assert sum(r["count"] for r in figures["cleared_by_status"]) == totals["cleared"]
    assert sum(r["applied"] for r in figures["measures_by_kind"]) == totals["measures_applied"]
    assert sum(r["lifted"] for r in figures["measures_by_kind"]) == totals["measures_lifted"]
    assert sum(r["count"] for r in figures["overdue_by_unit"]) == totals["overdue"]
    counts = {r["key"]: r["count"] for r in figures["supervision"]}
    assert counts["meeting:interview"] == totals["interviews"]
    assert sum(n for k, n in counts.items() if k.startswith("letter:")) == totals["letters"]
    assert len(figures["defaulters"]["listed"]) == totals["defaulters_listed"]
    assert len(figures["defaulters"]["cleared"]) == totals["defaulters_cleared"]
    assert totals["new_records"] > 0
    assert totals["overdue"] > 0


def test_on_today_the_figures_use_the_portals_own_rules(app: Flask, county: County) -> None:
    """The current month counts as of today: 动态清零 is records.queries.listed_defaulter_count, overdue is
    rectifications.queries.overdue_count."""
    totals = make_figures(NOV, TODAY)["totals"]
    assert totals["defaulters_listed"] == listed_defaulter_count(TODAY)
    assert totals["overdue"] == db.session.scalar(overdue_count(TODAY))


def test_the_built_department_counted_by_hand(app: Flask, county: County) -> None:
    november = make_figures(NOV, TODAY)
    assert november["month"] == "2026-11"
    assert november["as_of"] == "2026-11-20"
    assert unit(november, county.a) == {
        "new_records": 2,  # a penalty and an arrears record; the revoked one is not
        "fulfilled": 1,
        "repaired": 1,  # stopped as 已修复 (the rejected application changed nothing)
        "cleared": 4,  # revoked, repaired, 公示期满 without the daily stop, and with a stop date after today
        "overdue": 2,  # the open plan past its deadline, the plan with a measure past its own
        "listed": 0,
        "measures_applied": 1,
        "measures_lifted": 2,
        "interviews": 1,  # the one scheduled only is not
        "site_visits": 1,
        "letters": 1,
        "complaints_received": 3,
        "complaints_closed": 2,  # the refused one is not 办结
    }
    october = make_figures(OCT, TODAY)
    assert october["as_of"] == "2026-10-31"
    assert unit(october, county.a) == {
        "new_records": 3,
        "fulfilled": 0,
        "repaired": 0,
        "cleared": 0,
        "overdue": 3,  # on 10-31 the plan finished on 11-08 was still overdue, and the stale one was shown
        "listed": 0,
        "measures_applied": 1,
        "measures_lifted": 0,
        "interviews": 0,
        "site_visits": 0,
        "letters": 1,
        "complaints_received": 1,
        "complaints_closed": 0,
    }


def test_dynamic_clearing_lists_the_bodies(app: Flask, county: County) -> None:
    november = make_figures(NOV, TODAY)["defaulters"]
    listed = {row["id"]: row["new"] for row in november["listed"]}
    assert listed[county.listed.id] is False
    assert listed[county.new.id] is True
    assert county.cleared.id not in listed
    assert county.cleared.id in {row["id"] for row in november["cleared"]}
    october = make_figures(OCT, TODAY)["defaulters"]
    assert {county.listed.id: True, county.cleared.id: False}.items() <= {
        row["id"]: row["new"] for row in october["listed"]
    }.items()
    assert county.new.id not in {row["id"] for row in october["listed"]}


def test_townships_sum_the_bodies_under_them(app: Flask, county: County) -> None:
    figures = make_figures(NOV, TODAY)
    town = next(row for row in figures["townships"] if row["id"] == county.town.id)
    assert town["bodies"] == 3
    assert town["new_records"] == 3
    assert town["name"] == "测试镇人民政府"
    units = {row["id"]: row for row in figures["units"]}
    assert {units[b.id]["township"] for b in (county.town, county.under, county.by_region)} == {county.town.id}
    assert units[county.a.id]["township"] is None
    townships = db.session.scalars(select(Agency).where(Agency.kind == AgencyKind.TOWNSHIP)).all()
    assert {row["id"] for row in figures["townships"]} == {t.id for t in townships}
    for row in figures["townships"]:  # each the sum of the bodies that come under it
        members = [u for u in figures["units"] if u["township"] == row["id"]]
        assert row["new_records"] == sum(u["new_records"] for u in members)


def test_notable_cases_are_picked_from_the_month(app: Flask, county: County) -> None:
    notable = make_figures(NOV, TODAY)["notable"]
    repayment = next(n for n in notable if n["record_id"] == county.arrears.id)
    assert repayment["sort"] == "repayment"
    assert repayment["amount_fen"] == 2_000_000
    assert repayment["agency"] == "测试甲局"
    assert repayment["on"] == "2026-11-10"
    cleared = [n for n in notable if n["sort"] == "defaulter" and n["agency"] == county.cleared.name]
    assert len(cleared) == 1
    assert cleared[0]["what"] == "settled"
    assert len({n["record_id"] for n in notable}) == len(notable)  # each case once


def test_figures_are_plain_json_with_the_names_as_they_are(app: Flask, county: County) -> None:
    import json

    figures = make_figures(NOV, TODAY)
    assert json.loads(json.dumps(figures)) == figures
    county.a.name = "测试甲局（更名后）"
    db.session.flush()
    assert unit(make_figures(NOV, TODAY), county.a)["new_records"] == 2
    assert next(r for r in make_figures(NOV, TODAY)["units"] if r["id"] == county.a.id)["name"] == "测试甲局（更名后）"


@pytest.mark.parametrize("month", [Month(2026, 8), Month(2026, 9), OCT, NOV])
def test_the_bulletin_counts_the_listed_bodies_as_the_statistics_do(app: Flask, county: County, month: Month) -> None:
    """动态清零 (泰信用办〔2022〕12号 二(五)) has one definition: the bulletin's 上月末 / 月末 / 新列入 / 退出 equal
    /statistics/'s series at the same days, in the demo (which has bodies whose records expired since)."""
    totals = make_figures(month, TODAY)["totals"]
    before, end = defaulter_series([month.plus(-2).last_day, month.plus(-1).last_day, min(month.last_day, TODAY)])
    assert (totals["defaulters_listed_before"], totals["defaulters_listed"]) == (before.listed, end.listed)
    assert (totals["defaulters_new"], totals["defaulters_cleared"]) == (end.new, end.cleared)


@pytest.mark.parametrize("month", [Month(2026, 8), Month(2026, 9), OCT, NOV])
def test_notable_cases_name_only_records_that_are_public(app: Flask, county: County, month: Month) -> None:
    """A record whose publication stopped (修复, 期满, 撤销) leaves every public surface: the bulletin names none,
    even when a payment was booked on it in the month (the demo has such records)."""
    notable = make_figures(month, TODAY)["notable"]
    for case in notable:
        record = db.session.get(Record, case["record_id"])
        assert record is not None
        assert record.is_public(TODAY), (case, record.status)
    stopped_with_payments = db.session.scalars(
        select(Record.id)
        .join(Payment, Payment.record_id == Record.id)
        .where(Payment.paid_on.between(month.first_day, month.last_day), ~Record.public_clause(TODAY))
    ).all()
    assert not {case["record_id"] for case in notable} & set(stopped_with_payments)
