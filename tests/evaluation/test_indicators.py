"""Each indicator's value as of a month's last day (portal/evaluation/queries.py), a table per indicator on data built
for one new agency: what counts, what does not, and the edges of the day and of the window. The month is 2026-09
(as of 2026-09-30); event indicators count the 12 months from 2025-10-01."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from portal.agencies.models import Agency
from portal.complaints.rules import ComplaintStatus as S
from portal.complaints.rules import Satisfaction
from portal.core.months import Month
from portal.evaluation.queries import indicator_values
from portal.evaluation.rules import Indicator, Measure
from portal.rectifications.models import PlanStep
from portal.supervision.rules import ClosedHow, LedgerRule
from tests.evaluation.builders import determine, every_indicator, make_complaint, make_ledger_item
from tests.factories import (
    make_agency,
    make_commitment,
    make_measure,
    make_positive_item,
    make_record,
    make_rectification,
)

MONTH = Month(2026, 9)
DAY = date(2026, 9, 30)
BEFORE = date(2026, 9, 10)
AFTER = date(2026, 10, 10)


def value(indicator: Indicator, agency: Agency) -> tuple[int, int | None]:
    """(count, of) of the indicator for the agency; a share with nothing counted is 0 of 0."""
    found = indicator_values(MONTH, every_indicator())[indicator].get(agency.id)
    of_default = 0 if indicator.spec.measure is Measure.SHARE else None
    return (found.count, found.of if found.of is not None else of_default) if found else (0, of_default)


Build = Callable[[Agency], Any]


def record(**fields: Any) -> Build:
    return lambda agency: make_record(agency, **fields)


def record_with(rectification: dict[str, Any], **fields: Any) -> Build:
    def build(agency: Agency) -> None:
        make_rectification(make_record(agency, **fields), **rectification)

    return build


def _stopped(status: str, on: date) -> dict[str, Any]:
    return {"status": status, "stopped_on": on, "decision_date": date(2026, 8, 1)}


# --- open records by tier ---------------------------------------------------------------------------------------------

OPEN_RECORDS: list[tuple[str, Build, Indicator, int]] = [
    ("a public general record decided before the day", record(decision_date=BEFORE), Indicator.RECORDS_GENERAL, 1),
    ("its tier is its severity", record(decision_date=BEFORE, severity="serious"), Indicator.RECORDS_SERIOUS, 1),
    ("a minor one", record(decision_date=BEFORE, severity="minor"), Indicator.RECORDS_MINOR, 1),
    ("published after the day", record(decision_date=AFTER), Indicator.RECORDS_GENERAL, 0),
    ("published on the day", record(decision_date=DAY), Indicator.RECORDS_GENERAL, 1),
    # a general record is published for at most a year: decided 2025-09-01, it ended 2026-09-01
    ("past its maximum end by then", record(decision_date=date(2025, 9, 1)), Indicator.RECORDS_GENERAL, 0),
    ("repaired before the day", record(**_stopped("repaired", BEFORE)), Indicator.RECORDS_GENERAL, 0),
    ("expired after the day: still shown then", record(**_stopped("expired", AFTER)), Indicator.RECORDS_GENERAL, 1),
    ("revoked after the day: never counts", record(**_stopped("revoked", AFTER)), Indicator.RECORDS_GENERAL, 0),
    (
        "rectification finished before the day",
        record_with({"finished_on": BEFORE, "outcome": "performed"}, decision_date=date(2026, 8, 1)),
        Indicator.RECORDS_GENERAL,
        0,
    ),
    (
        "rectification finished after the day: not yet fulfilled then",
        record_with({"finished_on": AFTER, "outcome": "performed"}, decision_date=date(2026, 8, 1), status="fulfilled"),
        Indicator.RECORDS_GENERAL,
        1,
    ),
    (
        "rectification still open",
        record_with({}, decision_date=date(2026, 8, 1), status="rectifying"),
        Indicator.RECORDS_GENERAL,
        1,
    ),
    (
        "已履行 without a rectification: fulfilled",
        record(decision_date=BEFORE, status="fulfilled"),
        Indicator.RECORDS_GENERAL,
        0,
    ),
]


@pytest.mark.parametrize(("case", "build", "indicator", "count"), OPEN_RECORDS, ids=[c[0] for c in OPEN_RECORDS])
def test_open_records_by_tier(app: Flask, case: str, build: Build, indicator: Indicator, count: int) -> None:
    agency = make_agency()
    build(agency)
    assert value(indicator, agency) == (count, None)
    others = {Indicator.RECORDS_MINOR, Indicator.RECORDS_GENERAL, Indicator.RECORDS_SERIOUS}
    assert all(value(other, agency) == (0, None) for other in others - {indicator})


# --- overdue rectifications -------------------------------------------------------------------------------------------

DECIDED = date(2026, 8, 1)
OVERDUE: list[tuple[str, dict[str, Any], dict[str, Any], int]] = [
    ("deadline before the day, not finished", {"deadline": BEFORE}, {}, 1),
    ("deadline on the day: not yet overdue", {"deadline": DAY}, {}, 0),
    ("deadline after the day", {"deadline": AFTER}, {}, 0),
    ("finished after the day: overdue then", {"deadline": BEFORE, "finished_on": AFTER, "outcome": "settled"}, {}, 1),
    ("finished before the day", {"deadline": BEFORE, "finished_on": DAY, "outcome": "settled"}, {}, 0),
    (
        "an open measure past its own deadline",
        {"deadline": AFTER, "measures": [{"text": "付款", "deadline": BEFORE}]},
        {},
        1,
    ),
    (
        "a measure done before the day",
        {"deadline": AFTER, "measures": [{"text": "付款", "deadline": BEFORE, "done_on": BEFORE}]},
        {},
        0,
    ),
    (
        "a measure done after the day",
        {"deadline": AFTER, "measures": [{"text": "付款", "deadline": BEFORE, "done_on": AFTER}]},
        {},
        1,
    ),
    ("its record repaired before the day", {"deadline": BEFORE}, {"status": "repaired", "stopped_on": BEFORE}, 0),
]


@pytest.mark.parametrize(("case", "plan", "record_fields", "count"), OVERDUE, ids=[c[0] for c in OVERDUE])
def test_overdue_rectifications(
    app: Flask, case: str, plan: dict[str, Any], record_fields: dict[str, Any], count: int
) -> None:
    agency = make_agency()
    steps = [PlanStep(**step) for step in plan.get("measures", [])]  # fresh rows for each database
    plan = {**plan, "measures": steps} if steps else plan
    make_rectification(make_record(agency, decision_date=DECIDED, **record_fields), **plan)
    assert value(Indicator.OVERDUE_RECTIFICATIONS, agency) == (count, None)


# --- joint measures in force ------------------------------------------------------------------------------------------

MEASURES: list[tuple[str, dict[str, Any], dict[str, Any], int]] = [
    ("applied before the day, not lifted", {"applied_on": BEFORE}, {}, 1),
    ("applied on the day", {"applied_on": DAY}, {}, 1),
    ("applied after the day", {"applied_on": AFTER}, {}, 0),
    ("lifted on the day", {"applied_on": BEFORE, "lifted_on": DAY}, {}, 0),
    ("lifted after the day: in force then", {"applied_on": BEFORE, "lifted_on": AFTER}, {}, 1),
    ("on a revoked record", {"applied_on": BEFORE}, {"status": "revoked", "stopped_on": AFTER}, 0),
]


@pytest.mark.parametrize(("case", "measure", "record_fields", "count"), MEASURES, ids=[c[0] for c in MEASURES])
def test_measures_in_force(
    app: Flask, case: str, measure: dict[str, Any], record_fields: dict[str, Any], count: int
) -> None:
    agency = make_agency()
    make_measure(make_record(agency, decision_date=DECIDED, **record_fields), **measure)
    assert value(Indicator.MEASURES_IN_FORCE, agency) == (count, None)


def test_a_measure_counts_for_the_punished_body_not_the_unit_that_carries_it_out(app: Flask) -> None:
    punished, implementing = make_agency(), make_agency()
    make_measure(make_record(punished, decision_date=DECIDED), implementing, applied_on=BEFORE)
    assert value(Indicator.MEASURES_IN_FORCE, punished) == (1, None)
    assert value(Indicator.MEASURES_IN_FORCE, implementing) == (0, None)


# --- 7-working-day items of the ledger (share: late of decided) ------------------------------------------------------

NOTICES: list[tuple[str, dict[str, Any], tuple[int, int]]] = [
    ("closed on its due day", {"due_on": BEFORE, "closed_on": BEFORE}, (0, 1)),
    ("closed late", {"due_on": date(2026, 9, 1), "closed_on": BEFORE}, (1, 1)),
    ("open past its due day", {"due_on": BEFORE}, (1, 1)),
    ("open and due on the day: not decided yet", {"due_on": DAY}, (0, 0)),
    ("closed after the day, due before it: late then", {"due_on": BEFORE, "closed_on": AFTER}, (1, 1)),
    ("due after the day", {"due_on": AFTER}, (0, 0)),
    ("due on the window's first day", {"due_on": date(2025, 10, 1)}, (1, 1)),
    ("due before the window", {"due_on": date(2025, 9, 30)}, (0, 0)),
    ("closed as no longer needed", {"due_on": BEFORE, "closed_on": AFTER, "closed_how": ClosedHow.LAPSED}, (0, 0)),
    ("执行立案通报 (二(四))", {"due_on": BEFORE, "rule": LedgerRule.EXECUTION_NOTICE}, (1, 1)),
    ("现场督办 (二(五))", {"due_on": BEFORE, "rule": LedgerRule.SITE_VISIT}, (1, 1)),
    ("行政处罚到期修复提醒 (二(二))", {"due_on": BEFORE, "rule": LedgerRule.PENALTY_REPAIR_REMINDER}, (1, 1)),
    ("not a 7-working-day rule", {"due_on": BEFORE, "rule": LedgerRule.COMPLAINT}, (0, 0)),
]


@pytest.mark.parametrize(("case", "item", "expected"), NOTICES, ids=[c[0] for c in NOTICES])
def test_seven_day_items_late(app: Flask, case: str, item: dict[str, Any], expected: tuple[int, int]) -> None:
    agency = make_agency()
    make_ledger_item(agency, **item)
    assert value(Indicator.NOTICES_LATE, agency) == expected


def test_seven_day_items_add_up(app: Flask) -> None:
    agency = make_agency()
    make_ledger_item(agency, due_on=BEFORE, closed_on=BEFORE)
    make_ledger_item(agency, due_on=BEFORE, closed_on=BEFORE)
    make_ledger_item(agency, due_on=date(2026, 9, 1), closed_on=BEFORE)
    assert value(Indicator.NOTICES_LATE, agency) == (1, 3)


# --- commitment fulfilment (share: broken of determined, the latest determination of each) ---------------------------


def _commitment(agency: Agency, *determinations: tuple[str, date], **fields: Any) -> None:
    commitment = make_commitment(agency, **fields)
    for fulfilment, on in determinations:
        determine(commitment, fulfilment, on)


COMMITMENTS: list[tuple[str, list[tuple[str, date]], dict[str, Any], tuple[int, int]]] = [
    ("fulfilled in the window", [("fulfilled", BEFORE)], {}, (0, 1)),
    ("partly fulfilled", [("partly", BEFORE)], {}, (1, 1)),
    ("not fulfilled", [("unfulfilled", BEFORE)], {}, (1, 1)),
    ("partly, then fulfilled: the latest counts", [("partly", date(2026, 3, 1)), ("fulfilled", BEFORE)], {}, (0, 1)),
    ("fulfilled, then broken after the day", [("fulfilled", BEFORE), ("unfulfilled", AFTER)], {}, (0, 1)),
    ("determined after the day only", [("unfulfilled", AFTER)], {}, (0, 0)),
    ("determined before the window", [("unfulfilled", date(2025, 9, 30))], {}, (0, 0)),
    ("not determined", [], {}, (0, 0)),
    ("a commitment that is not public", [("unfulfilled", BEFORE)], {"scope": "restricted"}, (0, 0)),
    ("an unpublished draft", [("unfulfilled", BEFORE)], {"published_at": None, "state": "draft"}, (0, 0)),
]


@pytest.mark.parametrize(("case", "determinations", "fields", "expected"), COMMITMENTS, ids=[c[0] for c in COMMITMENTS])
def test_commitments_broken(
    app: Flask, case: str, determinations: list[tuple[str, date]], fields: dict[str, Any], expected: tuple[int, int]
) -> None:
    agency = make_agency()
    _commitment(agency, *determinations, **fields)
    assert value(Indicator.COMMITMENTS_BROKEN, agency) == expected


# --- substantiated complaints ----------------------------------------------------------------------------------------

COMPLAINTS: list[tuple[str, dict[str, Any], int]] = [
    ("accepted and closed in the window", {"status": S.CLOSED, "closed_on": BEFORE}, 1),
    ("closed on the window's first day", {"status": S.CLOSED, "closed_on": date(2025, 10, 1)}, 1),
    ("closed before the window", {"status": S.CLOSED, "closed_on": date(2025, 9, 30)}, 0),
    ("closed after the day", {"status": S.CLOSED, "closed_on": AFTER}, 0),
    ("refused (不予受理)", {"status": S.NOT_ACCEPTED, "closed_on": BEFORE}, 0),
    ("still being handled", {"status": S.ANSWERED}, 0),
]


@pytest.mark.parametrize(("case", "fields", "count"), COMPLAINTS, ids=[c[0] for c in COMPLAINTS])
def test_substantiated_complaints(app: Flask, case: str, fields: dict[str, Any], count: int) -> None:
    agency = make_agency()
    make_complaint(agency, **fields)
    assert value(Indicator.COMPLAINTS_SUBSTANTIATED, agency) == (count, None)


# --- on-time answers (share: late of decided, complaints forwarded to the agency) ------------------------------------

DUE = date(2026, 9, 14)
ANSWERS: list[tuple[str, dict[str, Any], tuple[int, int]]] = [
    ("answered by its due day", {"steps": {S.TRANSFERRED: date(2026, 9, 2), S.ANSWERED: DUE}}, (0, 1)),
    ("answered late", {"steps": {S.TRANSFERRED: date(2026, 9, 2), S.ANSWERED: date(2026, 9, 15)}}, (1, 1)),
    ("not answered, past its due day", {"steps": {S.TRANSFERRED: date(2026, 9, 2)}}, (1, 1)),
    ("answered after the day, due before it", {"steps": {S.TRANSFERRED: date(2026, 9, 2), S.ANSWERED: AFTER}}, (1, 1)),
    ("not answered, due on the day", {"answer_due": DAY, "steps": {S.TRANSFERRED: date(2026, 9, 2)}}, (0, 0)),
    ("never forwarded to the agency", {"steps": {S.ACCEPTED: date(2026, 9, 1)}}, (0, 0)),
    ("forwarded after the day", {"steps": {S.TRANSFERRED: AFTER}}, (0, 0)),
    ("due before the window", {"answer_due": date(2025, 9, 30), "steps": {S.TRANSFERRED: date(2025, 9, 2)}}, (0, 0)),
]


@pytest.mark.parametrize(("case", "fields", "expected"), ANSWERS, ids=[c[0] for c in ANSWERS])
def test_answers_late(app: Flask, case: str, fields: dict[str, Any], expected: tuple[int, int]) -> None:
    agency = make_agency()
    make_complaint(agency, status=S.TRANSFERRED, **{"answer_due": DUE, **fields})
    assert value(Indicator.ANSWERS_LATE, agency) == expected


# --- the complainants' ratings (issue 18) ---------------------------------------------------------------------------

RATINGS: list[tuple[str, list[tuple[str, date]], tuple[int, int]]] = [
    ("one dissatisfied in the window", [("dissatisfied", BEFORE)], (1, 1)),
    ("rated on the day", [("dissatisfied", DAY), ("satisfied", DAY)], (1, 2)),
    ("satisfied ones count only in the total", [("satisfied", BEFORE), ("basically_satisfied", BEFORE)], (0, 2)),
    ("rated after the day", [("dissatisfied", AFTER)], (0, 0)),
    ("rated before the window", [("dissatisfied", date(2025, 9, 30))], (0, 0)),
]


@pytest.mark.parametrize(("case", "ratings", "expected"), RATINGS, ids=[c[0] for c in RATINGS])
def test_answers_unsatisfactory(
    app: Flask, case: str, ratings: list[tuple[str, date]], expected: tuple[int, int]
) -> None:
    agency = make_agency()
    for rating, rated_on in ratings:
        complaint = make_complaint(agency, closed_on=rated_on)
        complaint.rating, complaint.rated_on = Satisfaction(rating), rated_on
    make_complaint(agency, closed_on=BEFORE)  # closed, never rated: not counted
    assert value(Indicator.ANSWERS_UNSATISFACTORY, agency) == expected


# --- positive items (an addition) ------------------------------------------------------------------------------------

POSITIVE: list[tuple[str, dict[str, Any], int]] = [
    ("awarded in the window", {"awarded_on": BEFORE}, 1),
    ("awarded on the day", {"awarded_on": DAY}, 1),
    ("awarded after the day", {"awarded_on": AFTER}, 0),
    ("awarded before the window", {"awarded_on": date(2025, 9, 30)}, 0),
    ("removed from the 诚信档案", {"awarded_on": BEFORE, "removed_at": datetime(2026, 9, 20, tzinfo=UTC)}, 0),
    ("守信践诺 counts too", {"awarded_on": BEFORE, "kind": "kept_faith"}, 1),
]


@pytest.mark.parametrize(("case", "fields", "count"), POSITIVE, ids=[c[0] for c in POSITIVE])
def test_positive_items(app: Flask, case: str, fields: dict[str, Any], count: int) -> None:
    agency = make_agency()
    make_positive_item(agency, **fields)
    assert value(Indicator.POSITIVE_ITEMS, agency) == (count, None)


def test_every_indicator_has_a_table_here() -> None:
    tested = {
        Indicator.RECORDS_MINOR,
        Indicator.RECORDS_GENERAL,
        Indicator.RECORDS_SERIOUS,
        Indicator.OVERDUE_RECTIFICATIONS,
        Indicator.MEASURES_IN_FORCE,
        Indicator.NOTICES_LATE,
        Indicator.COMMITMENTS_BROKEN,
        Indicator.COMPLAINTS_SUBSTANTIATED,
        Indicator.ANSWERS_LATE,
        Indicator.ANSWERS_UNSATISFACTORY,
        Indicator.POSITIVE_ITEMS,
    }
    assert tested == set(Indicator)
