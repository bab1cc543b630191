"""The joint measures' labels, states and date rules (新信用发〔2018〕6号 (五);
如东县政务失信防范治理长效管理办法 四(一))."""

from __future__ import annotations

from datetime import date

import pytest

from portal.measures.rules import (
    DateProblem,
    JointMeasureState,
    MeasureKind,
    start_problem,
    state,
    step_problem,
)

TODAY = date(2026, 11, 20)
START = date(2026, 11, 10)


def test_the_eight_measures_in_the_documents_words() -> None:
    assert [str(k.label) for k in MeasureKind] == [
        "书面警示",
        "约谈告诫",
        "限制融资",
        "取消评先评优",
        "记入信用信息系统",
        "限制新增投资项目审批",
        "限制财政补助/资金拨付",
        "限制高消费",
    ]


def test_the_codes_stored_before_keep_their_meaning() -> None:
    old = {
        "interview": "约谈告诫",
        "limit_financing": "限制融资",
        "no_honours": "取消评先评优",
        "recorded": "记入信用信息系统",
        "limit_project_approval": "限制新增投资项目审批",
        "limit_subsidies": "限制财政补助/资金拨付",
        "limit_consumption": "限制高消费",
    }
    assert {code: str(MeasureKind(code).label) for code in old} == old


@pytest.mark.parametrize(
    ("confirmed_on", "lifted_on", "expected"),
    [
        (None, None, JointMeasureState.APPLIED),
        (date(2026, 11, 12), None, JointMeasureState.CONFIRMED),
        (date(2026, 11, 12), date(2026, 11, 15), JointMeasureState.LIFTED),
        (None, date(2026, 11, 15), JointMeasureState.LIFTED),
    ],
)
def test_state_follows_the_dates(
    confirmed_on: date | None, lifted_on: date | None, expected: JointMeasureState
) -> None:
    assert state(confirmed_on, lifted_on) is expected


@pytest.mark.parametrize(
    ("starts_on", "expected"),
    [(TODAY, None), (date(2026, 1, 1), None), (date(2026, 11, 21), DateProblem.IN_FUTURE)],
)
def test_a_measure_is_entered_once_in_force(starts_on: date, expected: DateProblem | None) -> None:
    assert start_problem(starts_on, TODAY) is expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (START, None),  # the day it started
        (TODAY, None),
        (date(2026, 11, 9), DateProblem.BEFORE_START),
        (date(2026, 11, 21), DateProblem.IN_FUTURE),
    ],
)
def test_confirmed_or_lifted_between_the_start_and_today(on: date, expected: DateProblem | None) -> None:
    assert step_problem(on, START, TODAY) is expected
