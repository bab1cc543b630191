"""Table tests of the bulletin's pure rules (portal/reports/rules.py): the month it covers and its as-of day, the
乡镇（街道） a body comes under, and where the live figures differ from a draft's. Pure: no app."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.months import Month
from portal.reports.rules import (
    Body,
    changed_figures,
    default_title,
    describe_changes,
    figures_as_of,
    flatten,
    has_begun,
    recent_months,
    townships_of,
)


@pytest.mark.parametrize(
    ("month", "today", "begun", "as_of"),
    [
        (Month(2026, 11), date(2026, 11, 20), True, date(2026, 11, 20)),  # running: up to today
        (Month(2026, 11), date(2026, 11, 1), True, date(2026, 11, 1)),  # its first day
        (Month(2026, 10), date(2026, 11, 20), True, date(2026, 10, 31)),  # past: its last day
        (Month(2026, 12), date(2026, 11, 20), False, date(2026, 11, 20)),  # not begun
        (Month(2026, 11), date(2026, 11, 30), True, date(2026, 11, 30)),
    ],
)
def test_begun_and_as_of(month: Month, today: date, begun: bool, as_of: date) -> None:
    assert has_begun(month, today) is begun
    assert figures_as_of(month, today) == as_of


def test_recent_months_newest_first_across_the_year() -> None:
    assert [str(m) for m in recent_months(date(2026, 2, 10), 4)] == ["2026-02", "2026-01", "2025-12", "2025-11"]


def test_default_title_is_chinese() -> None:
    assert default_title(Month(2026, 11)) == "2026年11月政务失信治理工作情况通报"


def test_townships_by_parent_and_by_region() -> None:
    bodies = [
        Body(1, None, False, "990121"),  # the county government
        Body(2, 1, True, "990121100"),  # a township
        Body(3, 2, False, "990121"),  # under it by parent (region code of the county)
        Body(4, 3, False, "990121"),  # two levels down
        Body(5, 1, False, "990121100"),  # under it by region code only
        Body(6, 1, False, "990121"),  # a county department: under none
        Body(7, 1, True, "990121101"),  # another township, nothing under it
        Body(8, 9, False, "990121"),  # a loop of parents ends the walk
        Body(9, 8, False, "990121"),
    ]
    assert townships_of(bodies) == {2: 2, 3: 2, 4: 2, 5: 2, 7: 7}


def test_flatten_keys_rows_by_their_key() -> None:
    figures = {"totals": {"a": 1}, "units": [{"key": "12", "x": 2}], "plain": [5, 6]}
    assert flatten(figures) == {"totals.a": 1, "units.12.key": "12", "units.12.x": 2, "plain.0": 5, "plain.1": 6}


def test_changed_figures_names_the_live_values_and_the_rows_that_came_or_went() -> None:
    draft = {
        "version": 1,
        "as_of": "2026-11-19",
        "totals": {"new_records": 3, "overdue": 1},
        "units": [{"key": "1", "name": "甲局", "new_records": 2}, {"key": "2", "name": "乙局", "new_records": 1}],
    }
    live = {
        "version": 1,
        "as_of": "2026-11-20",  # not a figure: never flagged
        "totals": {"new_records": 4, "overdue": 1},
        "units": [{"key": "2", "name": "乙局", "new_records": 1}, {"key": "3", "name": "丙局", "new_records": 3}],
    }
    changed = changed_figures(draft, live)
    assert changed["totals.new_records"] == 4
    assert "totals.overdue" not in changed
    assert "as_of" not in changed
    assert changed["units.1"] == "row"
    assert changed["units.3"] == "row"
    assert changed["units.1.new_records"] is None
    assert changed["units.3.new_records"] == 3
    assert not any(path.startswith("units.2") for path in changed)  # the same row, moved: unchanged
    assert changed_figures(draft, draft) == {}

    words = describe_changes(draft, live, changed)
    assert [(c.section, c.row, c.field, c.draft, c.live) for c in words] == [
        ("主要数据", "", "新增失信记录", 3, 4),
        ("各单位情况", "甲局", "", "", None),
        ("各单位情况", "丙局", "", None, ""),
    ]
