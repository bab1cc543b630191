"""Table tests of the ledger's rules (portal/supervision/rules.py), one per rule, across 国庆 2026 and 春节 (2026 with
its 调休 Saturdays, 2027 as the `holidays` package has it). Pure: no app.

The calendar, from `holidays` (checked with `holidays.China(years=…)` and its `weekend_workdays`):
- 2026 春节: 02-16 (Mon) … 02-20 (Fri) and 02-23 (Mon) off; Saturdays 02-14 and 02-28 are working days (调休).
- 2026 中秋 09-25 (Fri) off; 国庆 10-01 (Thu) … 10-07 (Wed) off; Sunday 09-20 and Saturday 10-10 are working days.
- 2027 元旦 01-01 (Fri) off; 春节 02-05 (Fri), 02-08 (Mon) … 02-10 (Wed) off; no 调休 day is known for 2027.
- 2025 春节: 01-28 (Tue) … 01-31 (Fri), 02-03, 02-04 off; Sunday 01-26 and Saturday 02-08 working days.
Every expected date below was counted by hand on that calendar.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.deadlines import DEFAULT_DAYS, Urgency
from portal.core.workdays import WorkCalendar, china_calendar
from portal.supervision.rules import (
    RULES,
    Closing,
    LedgerRule,
    bulletin_due,
    due_after,
    interview_suggested_on,
    item_state,
    letter_number,
)

CALENDAR: WorkCalendar = china_calendar(range(2025, 2028))
D = date

# Rules counted in working days, and how many days DEFAULT_DAYS gives each.
RULE_DAYS: dict[LedgerRule, int] = {
    LedgerRule.SUIT_REMINDER: 5,
    LedgerRule.LOST_CASE_URGING: 5,
    LedgerRule.EXECUTION_NOTICE: 7,
    LedgerRule.EXECUTION_REMINDER: 5,
    LedgerRule.DEFAULTER_NOTIFICATION: 7,
    LedgerRule.SITE_VISIT: 7,
    LedgerRule.PENALTY_REPAIR_REMINDER: 7,
    LedgerRule.INTERVIEW_SUGGESTED: 10,  # interview_hold
    LedgerRule.COMMITMENT_DETERMINATION: 5,
}

# start → the day 5, 7 and 10 working days after it (the start itself not counted).
AFTER: dict[date, dict[int, date]] = {
    # 国庆 2026
    D(2026, 9, 19): {5: D(2026, 9, 24), 7: D(2026, 9, 29), 10: D(2026, 10, 9)},  # Sat before the 调休 Sunday
    D(2026, 9, 20): {5: D(2026, 9, 28), 7: D(2026, 9, 30), 10: D(2026, 10, 10)},  # the 调休 Sunday (中秋 skipped)
    D(2026, 9, 29): {5: D(2026, 10, 12), 7: D(2026, 10, 14), 10: D(2026, 10, 19)},  # two days before
    D(2026, 9, 30): {5: D(2026, 10, 13), 7: D(2026, 10, 15), 10: D(2026, 10, 20)},  # the day before
    D(2026, 10, 3): {5: D(2026, 10, 13), 7: D(2026, 10, 15), 10: D(2026, 10, 20)},  # inside (a Saturday)
    D(2026, 10, 5): {5: D(2026, 10, 13), 7: D(2026, 10, 15), 10: D(2026, 10, 20)},  # inside (a Monday)
    D(2026, 10, 10): {5: D(2026, 10, 16), 7: D(2026, 10, 20), 10: D(2026, 10, 23)},  # the 调休 Saturday
    # 春节 2026, with its two 调休 Saturdays
    D(2026, 2, 13): {5: D(2026, 2, 27), 7: D(2026, 3, 2), 10: D(2026, 3, 5)},  # the Friday before
    D(2026, 2, 14): {5: D(2026, 2, 28), 7: D(2026, 3, 3), 10: D(2026, 3, 6)},  # 调休 Saturday; due on the next one
    D(2026, 2, 18): {5: D(2026, 2, 28), 7: D(2026, 3, 3), 10: D(2026, 3, 6)},  # inside
    D(2026, 2, 28): {5: D(2026, 3, 6), 7: D(2026, 3, 10), 10: D(2026, 3, 13)},  # the second 调休 Saturday
    # 春节 2027
    D(2027, 2, 3): {5: D(2027, 2, 16), 7: D(2027, 2, 18), 10: D(2027, 2, 23)},
    D(2027, 2, 4): {5: D(2027, 2, 17), 7: D(2027, 2, 19), 10: D(2027, 2, 24)},  # the day before
    D(2027, 2, 8): {5: D(2027, 2, 17), 7: D(2027, 2, 19), 10: D(2027, 2, 24)},  # inside
    # the turn of the year: 元旦 2027
    D(2026, 12, 31): {5: D(2027, 1, 8), 7: D(2027, 1, 12), 10: D(2027, 1, 15)},
}


def test_the_rules_counted_in_working_days_are_these() -> None:
    assert {rule for rule in LedgerRule if rule.spec.days is not None} == set(RULE_DAYS)
    for rule, days in RULE_DAYS.items():
        key = rule.spec.days
        assert key is not None
        assert key in DEFAULT_DAYS, rule
        assert DEFAULT_DAYS[key] == days, rule
    assert LedgerRule.INTERVIEW_SUGGESTED.spec.days == "interview_hold"
    assert LedgerRule.SITE_VISIT.spec.days == "defaulter_notification"  # the same 7 days as the 通报


@pytest.mark.parametrize("rule", list(RULE_DAYS), ids=str)
@pytest.mark.parametrize("start", list(AFTER), ids=str)
def test_due_after(rule: LedgerRule, start: date) -> None:
    assert due_after(rule, start, CALENDAR, DEFAULT_DAYS) == AFTER[start][RULE_DAYS[rule]]


@pytest.mark.parametrize("rule", [r for r in LedgerRule if r not in RULE_DAYS], ids=str)
def test_rules_due_on_a_date_of_the_case_have_no_count(rule: LedgerRule) -> None:
    with pytest.raises(ValueError, match="no working-day count"):
        due_after(rule, D(2026, 9, 30), CALENDAR, DEFAULT_DAYS)


def test_due_after_uses_the_configured_days() -> None:
    days = dict(DEFAULT_DAYS) | {"execution_notice": 3, "interview_hold": 1}
    assert due_after(LedgerRule.EXECUTION_NOTICE, D(2026, 9, 30), CALENDAR, days) == D(2026, 10, 10)
    assert due_after(LedgerRule.INTERVIEW_SUGGESTED, D(2026, 9, 30), CALENDAR, days) == D(2026, 10, 8)


@pytest.mark.parametrize(
    ("year", "month", "due"),
    [
        (2026, 9, D(2026, 9, 29)),  # 09-30 (Wed) is a working day: the working day before it
        (2026, 10, D(2026, 10, 30)),  # 10-31 is a Saturday
        (2026, 11, D(2026, 11, 27)),  # 11-30 is a Monday: the Friday before
        (2026, 12, D(2026, 12, 30)),  # 12-31 (Thu): the year turns in the computation
        (2027, 1, D(2027, 1, 29)),  # 01-31 is a Sunday
        (2027, 2, D(2027, 2, 26)),  # after 春节; 02-28 is a Sunday
        (2026, 2, D(2026, 2, 27)),  # 02-28 is a 调休 Saturday (a working day): the day before it
        (2025, 1, D(2025, 1, 27)),  # 01-31 is inside 春节 2025 (01-28 … 01-31 off)
        (2025, 9, D(2025, 9, 29)),  # 09-30 (Tue) a working day; the 调休 Sunday 09-28 is before it
    ],
)
def test_bulletin_due(year: int, month: int, due: date) -> None:
    assert bulletin_due(year, month, CALENDAR) == due


@pytest.mark.parametrize(
    ("overdue_since", "last_activity", "idle_days", "fires"),
    [
        (None, None, 10, None),  # not overdue: never suggested
        (None, D(2026, 11, 2), 10, None),  # progress alone does not make a case overdue
        (D(2026, 9, 29), None, 10, D(2026, 10, 19)),  # across 国庆: 09-30, then 10-08 …
        (D(2026, 10, 1), None, 10, D(2026, 10, 20)),  # overdue from inside 国庆: counting starts 10-08
        (D(2026, 9, 29), D(2026, 9, 20), 10, D(2026, 10, 19)),  # progress before it was overdue does not count
        (D(2026, 9, 29), D(2026, 9, 29), 10, D(2026, 10, 19)),  # progress on that same day changes nothing
        (D(2026, 9, 29), D(2026, 10, 10), 10, D(2026, 10, 23)),  # later progress (on the 调休 Saturday) restarts it
        (D(2026, 9, 30), None, 3, D(2026, 10, 10)),  # a short idle count falls on the 调休 Saturday
        (D(2026, 11, 2), D(2026, 11, 20), 10, D(2026, 12, 4)),
        (D(2027, 2, 1), None, 10, D(2027, 2, 19)),  # across 春节 2027
        (D(2026, 2, 9), None, 10, D(2026, 2, 28)),  # across 春节 2026: both 调休 Saturdays count, it fires on one
        (D(2026, 2, 10), None, 10, D(2026, 3, 2)),
    ],
)
def test_interview_suggested_on(
    overdue_since: date | None, last_activity: date | None, idle_days: int, fires: date | None
) -> None:
    assert interview_suggested_on(overdue_since, last_activity, CALENDAR, idle_days) == fires


@pytest.mark.parametrize(
    ("due_on", "closed_on", "today", "state"),
    [
        # today 2026-09-30 (Wed), the day before 国庆: the next working day is 10-08
        (D(2026, 9, 29), None, D(2026, 9, 30), Urgency.OVERDUE),  # the day after the due day
        (D(2026, 9, 30), None, D(2026, 9, 30), Urgency.DUE),  # due today
        (D(2026, 10, 5), None, D(2026, 9, 30), Urgency.DUE),  # inside the holiday, before the next working day
        (D(2026, 10, 8), None, D(2026, 9, 30), Urgency.DUE),  # due the next working day
        (D(2026, 10, 9), None, D(2026, 9, 30), Urgency.NOT_DUE),  # the second working day
        # today 2026-10-09 (Fri): the next working day is the 调休 Saturday 10-10
        (D(2026, 10, 8), None, D(2026, 10, 9), Urgency.OVERDUE),
        (D(2026, 10, 10), None, D(2026, 10, 9), Urgency.DUE),
        (D(2026, 10, 11), None, D(2026, 10, 9), Urgency.DUE),  # a day off before the second working day
        (D(2026, 10, 12), None, D(2026, 10, 9), Urgency.NOT_DUE),
        # today 2026-11-20 (Fri), the tests' day
        (D(2026, 11, 19), None, D(2026, 11, 20), Urgency.OVERDUE),
        (D(2026, 11, 20), None, D(2026, 11, 20), Urgency.DUE),
        (D(2026, 11, 21), None, D(2026, 11, 20), Urgency.DUE),  # the weekend before Monday
        (D(2026, 11, 23), None, D(2026, 11, 20), Urgency.DUE),  # Monday, the next working day
        (D(2026, 11, 24), None, D(2026, 11, 20), Urgency.NOT_DUE),
        # today 2027-02-04 (Thu), the day before 春节: the next working day is 02-11
        (D(2027, 2, 3), None, D(2027, 2, 4), Urgency.OVERDUE),
        (D(2027, 2, 10), None, D(2027, 2, 4), Urgency.DUE),
        (D(2027, 2, 11), None, D(2027, 2, 4), Urgency.DUE),
        (D(2027, 2, 12), None, D(2027, 2, 4), Urgency.NOT_DUE),
        # closed: 已办结 whatever the due day
        (D(2026, 10, 8), D(2026, 10, 9), D(2026, 11, 20), Urgency.DONE),  # closed late, long ago
        (D(2026, 11, 20), D(2026, 11, 20), D(2026, 11, 20), Urgency.DONE),  # closed on its due day
        (D(2026, 12, 31), D(2026, 11, 20), D(2026, 11, 20), Urgency.DONE),  # closed before it was due
    ],
)
def test_item_state(due_on: date, closed_on: date | None, today: date, state: Urgency) -> None:
    assert item_state(due_on, closed_on, today, CALENDAR) is state


def test_letter_number() -> None:
    assert letter_number(2026, 3) == "信用办函〔2026〕3号"
    assert letter_number(2027, 1) == "信用办函〔2027〕1号"
    assert letter_number(2026, 120) == "信用办函〔2026〕120号"


DOCUMENTS = (
    "新信用发〔2018〕6号",
    "泰信用办〔2022〕12号",
    "如东县办法",
    "泗政秘〔2018〕145号",
    "沈政办发〔2018〕117号",
)


@pytest.mark.parametrize("rule", list(LedgerRule), ids=str)
def test_each_rule_names_its_clause_and_how_it_closes(rule: LedgerRule) -> None:
    spec = RULES[rule]
    assert spec is rule.spec
    assert any(spec.clause.startswith(document) for document in DOCUMENTS), spec.clause
    for part in spec.clause.split("；"):  # several clauses: each one of the five documents
        assert any(part.startswith(document) for document in DOCUMENTS), part
    if spec.closing is Closing.LETTER:
        assert spec.letter is not None, rule
    else:
        assert spec.letter is None, rule
    assert spec.days is None or spec.days in DEFAULT_DAYS


def test_every_rule_has_a_spec() -> None:
    assert set(RULES) == set(LedgerRule)
