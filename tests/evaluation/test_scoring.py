"""Scoring a month (portal/evaluation/operations.score_month and `flask --app portal evaluation run`): stored scores
equal the values computed by hand from the shipped methods.toml; a finished month only; a month scored once keeps
its scores and method version (history), also when methods.toml gains a version; refusals write nothing.
Today is 2026-11-20 (tests/conftest.py): 2026-10 is the last finished month."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.complaints.rules import ComplaintStatus
from portal.core.months import Month
from portal.demo.evaluation_showcase import score_past_months
from portal.errors import RefusedError
from portal.evaluation import rules
from portal.evaluation.models import AgencyScore
from portal.evaluation.operations import score_month
from portal.extensions import db
from tests.evaluation.builders import determine, make_complaint, make_ledger_item
from tests.factories import (
    make_agency,
    make_commitment,
    make_measure,
    make_positive_item,
    make_record,
    make_rectification,
    make_user,
)

TODAY = date(2026, 11, 20)
SEPTEMBER = Month(2026, 9)
SHIPPED = Path(rules.__file__).with_name("methods.toml")


def stored(agency: Agency, month: Month) -> AgencyScore:
    return db.session.scalars(
        select(AgencyScore).where(AgencyScore.agency_id == agency.id, AgencyScore.month == str(month))
    ).one()


def scores_of(month: Month) -> int:
    return db.session.scalar(select(func.count()).where(AgencyScore.month == str(month))) or 0


def busy_agency() -> Agency:
    """An agency with something for every indicator as of 2026-09-30 (see the test below for the sums)."""
    agency = make_agency(name="评分测试局")
    decided = date(2026, 8, 1)
    general = make_record(agency, decision_date=decided)
    make_record(agency, decision_date=decided)
    serious = make_record(agency, decision_date=decided, severity="serious")
    make_rectification(general, deadline=date(2026, 9, 10))  # 逾期未整改 on 2026-09-30
    make_measure(serious, applied_on=date(2026, 9, 1))
    make_ledger_item(agency, due_on=date(2026, 9, 8), closed_on=date(2026, 9, 8))  # on time
    make_ledger_item(agency, due_on=date(2026, 9, 8), closed_on=date(2026, 9, 15))  # late
    determine(make_commitment(agency), "partly", date(2026, 6, 1))
    make_complaint(agency, status=ComplaintStatus.CLOSED, closed_on=date(2026, 8, 20))
    make_positive_item(agency, awarded_on=date(2026, 5, 1))
    return agency


def test_a_score_equals_the_one_computed_by_hand_from_the_shipped_method(app: Flask) -> None:
    agency = busy_agency()
    done = score_month(SEPTEMBER, TODAY)
    assert (done.month, done.version, done.kept) == (SEPTEMBER, "2026.2", 0)
    assert done.scored == db.session.execute(select(func.count()).select_from(Agency)).scalar_one()
    score = stored(agency, SEPTEMBER)
    # 100 − 2 general × 3 − 1 serious × 8 − 1 overdue × 4 − 1 measure × 2 − 5 × ½ late notices − 10 × 1/1 broken
    # commitments − 1 complaint × 2 + 1 commendation × 2 = 67.5
    assert (score.score_tenths, score.grade, score.method_version) == (675, "C", "2026.2")
    assert score.as_of == date(2026, 9, 30)
    assert score.parts == [
        {"key": "records_minor", "count": 0, "of": None, "points": 0},
        {"key": "records_general", "count": 2, "of": None, "points": -60},
        {"key": "records_serious", "count": 1, "of": None, "points": -80},
        {"key": "overdue_rectifications", "count": 1, "of": None, "points": -40},
        {"key": "measures_in_force", "count": 1, "of": None, "points": -20},
        {"key": "notices_late", "count": 1, "of": 2, "points": -25},
        {"key": "commitments_broken", "count": 1, "of": 1, "points": -100},
        {"key": "complaints_substantiated", "count": 1, "of": None, "points": -20},
        {"key": "answers_late", "count": 0, "of": 0, "points": 0},
        {"key": "positive_items", "count": 1, "of": None, "points": 20},
    ]


def test_the_same_data_under_the_older_method(app: Flask) -> None:
    """2026.1 (to 2026-06): a serious record deducts 6 points; from 2026-07 (2026.2) it deducts 8."""
    agency = make_agency()
    make_record(agency, decision_date=date(2026, 5, 4), severity="serious")
    score_month(Month(2026, 6), TODAY)
    score_month(Month(2026, 7), TODAY)
    june, july = stored(agency, Month(2026, 6)), stored(agency, Month(2026, 7))
    assert (june.method_version, june.score_tenths, june.grade) == ("2026.1", 940, "A")
    assert (july.method_version, july.score_tenths, july.grade) == ("2026.2", 920, "A")
    assert [p["key"] for p in june.parts] == [
        "records_minor",
        "records_general",
        "records_serious",
        "overdue_rectifications",
        "measures_in_force",
        "commitments_broken",
        "complaints_substantiated",
        "positive_items",
    ]
    assert len(july.parts) == 10  # with the two indicators 2026.2 added


def test_an_agency_with_nothing_scores_100_and_the_score_is_kept_between_0_and_100(app: Flask) -> None:
    clean, awarded, sunk = make_agency(), make_agency(), make_agency()
    for _ in range(4):
        make_positive_item(awarded, awarded_on=date(2026, 9, 1))
    for _ in range(20):
        make_rectification(
            make_record(sunk, decision_date=date(2026, 1, 5), severity="serious"), deadline=date(2026, 2, 1)
        )
    score_month(SEPTEMBER, TODAY)
    assert (stored(clean, SEPTEMBER).score_tenths, stored(clean, SEPTEMBER).grade) == (1000, "A")
    assert stored(awarded, SEPTEMBER).score_tenths == 1000  # +6 on 100
    sunk_score = stored(sunk, SEPTEMBER)
    assert (sunk_score.score_tenths, sunk_score.grade) == (480, "D")  # −32 (cap) −20 (cap) = 48


def test_scoring_a_month_again_changes_nothing_even_after_the_data_changed(app: Flask) -> None:
    agency = make_agency()
    first = score_month(SEPTEMBER, TODAY)
    before = stored(agency, SEPTEMBER)
    kept = (before.id, before.score_tenths, before.parts, before.computed_at, before.method_version)
    make_record(agency, decision_date=date(2026, 9, 1), severity="serious")  # would cost 8 points
    again = score_month(SEPTEMBER, TODAY)
    assert (again.scored, again.kept, again.version) == (0, first.scored, "2026.2")
    db.session.expire_all()
    after = stored(agency, SEPTEMBER)
    assert (after.id, after.score_tenths, after.parts, after.computed_at, after.method_version) == kept


def test_a_month_not_over_or_before_every_method_is_refused_and_nothing_is_written(app: Flask) -> None:
    total = db.session.scalar(select(func.count()).select_from(AgencyScore))
    with pytest.raises(RefusedError, match="2026-11 尚未结束") as unfinished:
        score_month(Month(2026, 11), TODAY)
    assert unfinished.value.field == "month"
    with pytest.raises(RefusedError, match="2026-12 尚未结束"):
        score_month(Month(2026, 12), TODAY)
    with pytest.raises(RefusedError, match="2025-12 早于评价方法的首个适用月份（2026-01）") as early:
        score_month(Month(2025, 12), TODAY)
    assert early.value.field == "month"
    assert db.session.scalar(select(func.count()).select_from(AgencyScore)) == total


def test_scoring_is_audited_with_who_did_it(app: Flask) -> None:
    staff = make_user()
    done = score_month(SEPTEMBER, TODAY, by=staff)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "evaluation.score", AuditEntry.entity_id == "2026-09")
    ).one()
    assert (entry.entity_type, entry.actor, entry.actor_id) == ("month", staff.username, staff.id)
    assert entry.changes == {
        "method_version": [None, "2026.2"],
        "scored": [None, done.scored],
        "kept": [None, 0],
    }
    score_month(SEPTEMBER, TODAY)  # nothing changed: nothing to audit
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "evaluation.score")) == 1


def test_a_closed_agency_is_scored_for_the_months_it_existed(app: Flask) -> None:
    closed = make_agency(status="closed", closed_on=date(2026, 9, 15))
    score_month(SEPTEMBER, TODAY)
    score_month(Month(2026, 10), TODAY)
    assert stored(closed, SEPTEMBER).score_tenths == 1000
    assert db.session.scalar(select(func.count()).where(AgencyScore.agency_id == closed.id)) == 1


# --- a new method version: the past keeps its own ---------------------------------------------------------------------

THIRD = """
[[method]]
version = "2026.3"
first_month = "{first}"
summary = "测试：严重失信记录每项扣10分。"
summary_en = "Test: 10 points for each serious record."
grades = {{ A = 95, B = 85, C = 70 }}

[[method.indicator]]
key = "records_serious"
each = 10
cap = 40
clause = "泰信用办〔2022〕12号 二(六)"
"""


def with_third_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str) -> None:
    """methods.toml as shipped up to 2026.2, then a version 2026.3 of the test's own from `first` (monkeypatched:
    the shipped file is untouched)."""
    path = tmp_path / "methods.toml"
    shipped = SHIPPED.read_text(encoding="utf-8")
    path.write_text(shipped[: shipped.index('[[method]]\nversion = "2026.3"')] + THIRD.format(first=first), "utf-8")
    monkeypatch.setattr(rules, "METHODS_PATH", path)


def test_a_new_version_applies_from_its_first_month_and_the_scored_months_keep_theirs(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = make_agency()
    make_record(agency, decision_date=date(2026, 8, 3), severity="serious")
    score_month(Month(2026, 8), TODAY)
    score_month(SEPTEMBER, TODAY)
    before = {
        m: (s.method_version, s.score_tenths, s.parts)
        for m in ("2026-08", "2026-09")
        for s in [stored(agency, Month.parse(m))]
    }
    assert before["2026-09"][:2] == ("2026.2", 920)

    with_third_version(tmp_path, monkeypatch, "2026-10")
    assert [m.version for m in rules.methods()] == ["2026.1", "2026.2", "2026.3"]
    score_month(SEPTEMBER, TODAY)  # scored already: kept
    october = score_month(Month(2026, 10), TODAY)
    assert october.version == "2026.3"
    db.session.expire_all()
    assert {
        m: (s.method_version, s.score_tenths, s.parts) for m in before for s in [stored(agency, Month.parse(m))]
    } == before
    new = stored(agency, Month(2026, 10))
    assert (new.method_version, new.score_tenths, new.grade) == ("2026.3", 900, "B")  # −10; B from 85 to 95
    assert new.parts == [{"key": "records_serious", "count": 1, "of": None, "points": -100}]


def test_a_version_claiming_a_scored_month_does_not_rescore_it_nor_an_agency_added_since(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2026-09 was scored by 2026.2; a file whose 2026.3 starts at 2026-09 changes nothing for that month, and an
    agency registered since is not slipped into its published ranking: a scored month is history."""
    score_month(SEPTEMBER, TODAY)
    before = {(s.agency_id, s.score_tenths, s.method_version) for s in db.session.scalars(select(AgencyScore))}
    with_third_version(tmp_path, monkeypatch, "2026-09")
    late = make_agency()
    make_record(late, decision_date=date(2026, 8, 3), severity="serious")
    done = score_month(SEPTEMBER, TODAY)
    assert (done.version, done.scored, done.kept) == ("2026.2", 0, len(before))
    assert {(s.agency_id, s.score_tenths, s.method_version) for s in db.session.scalars(select(AgencyScore))} == before
    assert late.id not in {agency_id for agency_id, _, _ in before}


def test_a_file_that_lost_a_stored_version_is_an_error_when_that_month_is_touched(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    score_month(SEPTEMBER, TODAY)
    path = tmp_path / "methods.toml"
    text = SHIPPED.read_text(encoding="utf-8")
    path.write_text(text[: text.index('[[method]]\nversion = "2026.2"')], encoding="utf-8")  # 2026.1 only
    monkeypatch.setattr(rules, "METHODS_PATH", path)
    with pytest.raises(rules.MethodsError, match=r"version 2026\.2, used by the stored scores of 2026-09, is missing"):
        score_month(SEPTEMBER, TODAY)


# --- the command ------------------------------------------------------------------------------------------------------


def test_the_command_scores_the_last_finished_month_and_a_second_run_keeps_it(app: Flask) -> None:
    runner = app.test_cli_runner()
    agencies = db.session.execute(select(func.count()).select_from(Agency)).scalar_one()
    first = runner.invoke(args=["evaluation", "run"])
    assert first.exit_code == 0, first.output
    assert re.fullmatch(
        rf"2026-10 \(method 2026\.2\): {agencies} agencies scored, 0 already scored and kept, in \d+\.\d s\.\n",
        first.output,
    )
    assert scores_of(Month(2026, 10)) == agencies
    second = runner.invoke(args=["evaluation", "run", "--month", "2026-10"])
    assert second.exit_code == 0, second.output
    assert f"2026-10 (method 2026.2): 0 agencies scored, {agencies} already scored and kept" in second.output


@pytest.mark.parametrize(
    ("month", "code", "message"),
    [
        ("2026-11", 1, "2026-11 尚未结束"),
        ("2025-06", 1, "早于评价方法的首个适用月份"),
        ("2026-1", 2, "--month"),
        ("2026-13", 2, "--month"),
    ],
)
def test_the_command_refuses_a_month_it_cannot_score(app: Flask, month: str, code: int, message: str) -> None:
    result = app.test_cli_runner().invoke(args=["evaluation", "run", "--month", month])
    assert result.exit_code == code
    assert message in result.output
    assert scores_of(Month(2026, 11)) == 0


# --- the demo ---------------------------------------------------------------------------------------------------------


def test_the_demo_scores_each_finished_month_by_the_method_of_its_time(app: Flask) -> None:
    score_past_months(TODAY)
    months = dict(
        db.session.execute(
            select(AgencyScore.month, func.min(AgencyScore.method_version))
            .group_by(AgencyScore.month)
            .having(func.count(func.distinct(AgencyScore.method_version)) == 1)
        ).all()
    )
    assert months == {
        **{f"2026-{m:02d}": "2026.1" for m in range(1, 7)},
        **{f"2026-{m:02d}": "2026.2" for m in range(7, 11)},
    }
    agencies = db.session.execute(select(func.count()).select_from(Agency)).scalar_one()
    assert db.session.scalar(select(func.count()).select_from(AgencyScore)) == 10 * agencies
    score_past_months(TODAY)  # loading again changes nothing
    assert db.session.scalar(select(func.count()).select_from(AgencyScore)) == 10 * agencies
