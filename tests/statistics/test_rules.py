"""Table tests of the statistics' pure rules (portal/statistics/rules.py): the days counted at, who counts as
listed (动态清零, 泰信用办〔2022〕12号 一) and what counts as public on a past day, the government level, and the chart
geometry. No app."""

from __future__ import annotations

from datetime import date

import pytest

from portal.statistics.rules import (
    Box,
    GovernmentLevel,
    Scale,
    bar_chart,
    count_months,
    count_points,
    label_step,
    level_of,
    listed_on,
    month_end,
    month_labels,
    nice_scale,
    public_on,
    shift_month,
    tick_text,
    time_chart,
)

D = date


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 14), D(2026, 2, 28)),
        (D(2028, 2, 1), D(2028, 2, 29)),  # leap year
        (D(2026, 4, 30), D(2026, 4, 30)),
        (D(2026, 12, 5), D(2026, 12, 31)),  # December: the year turns
    ],
)
def test_month_end(day: date, end: date) -> None:
    assert month_end(day) == end


@pytest.mark.parametrize(
    ("day", "months", "first"),
    [
        (D(2026, 11, 20), -1, D(2026, 10, 1)),
        (D(2026, 11, 20), -11, D(2025, 12, 1)),
        (D(2026, 1, 31), -1, D(2025, 12, 1)),
        (D(2026, 12, 31), 1, D(2027, 1, 1)),
        (D(2026, 3, 31), -13, D(2025, 2, 1)),
        (D(2026, 3, 31), 0, D(2026, 3, 1)),
    ],
)
def test_shift_month(day: date, months: int, first: date) -> None:
    assert shift_month(day, months) == first


def test_count_points_are_past_month_ends_then_today() -> None:
    assert count_points(D(2026, 11, 20), 3) == [D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 20)]
    assert count_points(D(2026, 3, 1), 2) == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 1)]
    points = count_points(D(2026, 11, 20), 24)
    assert len(points) == 25
    assert points[0] == D(2024, 11, 30)
    assert points == sorted(set(points))


def test_count_months_end_with_todays_month_up_to_today() -> None:
    assert count_months(D(2026, 11, 20), 3) == [
        (D(2026, 9, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 10, 31)),
        (D(2026, 11, 1), D(2026, 11, 20)),
    ]
    assert count_months(D(2026, 1, 31), 2) == [(D(2025, 12, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 1, 31))]


START, MAX_END = D(2026, 3, 15), D(2027, 3, 15)


@pytest.mark.parametrize(
    ("day", "status", "stopped_on", "finished_on", "listed"),
    [
        (D(2026, 3, 14), "public", None, None, False),  # before publication
        (D(2026, 3, 15), "public", None, None, True),  # from its first day
        (D(2027, 3, 14), "rectifying", None, None, True),
        (D(2027, 3, 15), "public", None, None, False),  # the maximum period ended
        (D(2026, 6, 9), "fulfilled", None, D(2026, 6, 10), True),  # the day before the result
        (D(2026, 6, 10), "fulfilled", None, D(2026, 6, 10), False),  # cleared the day of the result
        (D(2026, 9, 1), "repaired", D(2026, 9, 1), D(2026, 6, 10), False),  # the earliest end counts
        (D(2026, 7, 1), "repaired", D(2026, 9, 1), None, True),  # repaired later: listed until then
        (D(2026, 9, 1), "repaired", D(2026, 9, 1), None, False),
        (D(2026, 5, 1), "fulfilled", None, None, False),  # 已履行 without a dated result: never counted
        (D(2026, 5, 1), "revoked", D(2026, 9, 1), None, False),  # 已撤销: never counted
        (D(2026, 5, 1), "expired", D(2026, 8, 1), None, True),
    ],
)
def test_listed_on(day: date, status: str, stopped_on: date | None, finished_on: date | None, listed: bool) -> None:
    found = listed_on(
        day,
        status=status,
        publication_start=START,
        publication_max_end=MAX_END,
        stopped_on=stopped_on,
        finished_on=finished_on,
    )
    assert found is listed


@pytest.mark.parametrize(
    ("day", "status", "stopped_on", "public"),
    [
        (D(2026, 3, 14), "public", None, False),
        (D(2026, 3, 15), "fulfilled", None, True),  # 已履行 records stay public (the money still counts)
        (D(2027, 3, 14), "public", None, True),
        (D(2027, 3, 15), "public", None, False),
        (D(2026, 8, 31), "repaired", D(2026, 9, 1), True),
        (D(2026, 9, 1), "repaired", D(2026, 9, 1), False),
        (D(2026, 5, 1), "revoked", D(2026, 9, 1), False),
    ],
)
def test_public_on(day: date, status: str, stopped_on: date | None, public: bool) -> None:
    found = public_on(day, status=status, publication_start=START, publication_max_end=MAX_END, stopped_on=stopped_on)
    assert found is public


@pytest.mark.parametrize(
    ("kind", "level"),
    [
        ("township", GovernmentLevel.TOWNSHIP),
        ("government", GovernmentLevel.COUNTY),
        ("department", GovernmentLevel.COUNTY),
        ("institution", GovernmentLevel.COUNTY),
        ("soe", GovernmentLevel.COUNTY),
    ],
)
def test_level_of(kind: str, level: GovernmentLevel) -> None:
    assert level_of(kind) is level


@pytest.mark.parametrize(
    ("largest", "whole", "scale"),
    [
        (0, True, Scale(4, 1)),  # an empty chart still has an axis
        (1, True, Scale(4, 1)),  # small counts: steps of 1, never a one-step axis
        (4, True, Scale(4, 1)),
        (5, True, Scale(6, 2)),
        (19, True, Scale(20, 5)),
        (20, True, Scale(20, 5)),
        (21, True, Scale(30, 10)),
        (98, True, Scale(100, 25)),
        (1234, True, Scale(1500, 500)),
        (8603.18, False, Scale(10000, 2500)),
        (0.3, False, Scale(0.3, 0.1)),
        (0.026, False, Scale(0.03, 0.01)),
        (7.5, False, Scale(8, 2)),
    ],
)
def test_nice_scale(largest: float, whole: bool, scale: Scale) -> None:
    found = nice_scale(largest, whole=whole)
    assert found == scale
    assert found.top >= largest
    assert len(found.ticks) - 1 <= 4 or largest <= 4


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (2500.0, "2,500"), (10000.0, "10,000"), (2.5, "2.5"), (0.25, "0.25"), (0.1, "0.1"), (12.0, "12")],
)
def test_tick_text(value: float, text: str) -> None:
    assert tick_text(value) == text


@pytest.mark.parametrize(
    ("count", "slot", "step"),
    [(13, 26.2, 1), (25, 13.6, 2), (25, 24, 1), (49, 7, 4), (1, 5, 1)],
)
def test_label_step(count: int, slot: float, step: int) -> None:
    assert label_step(count, slot) == step


def test_month_labels_thin_out_and_show_the_year_where_it_changes() -> None:
    box = Box(left=0, top=0, width=250, height=100)
    days = count_points(D(2026, 11, 20), 24)  # 25 points, 10 units each: every 3rd label
    labels = month_labels(days, box, 10)
    assert labels[-1].text == "11"  # the last point (today) is always labelled
    assert [label.text for label in labels] == ["11", "2", "5", "8", "11", "2", "5", "8", "11"]
    # 2024 would stand 30 units from 2025 (less than 40): the first label's year gives way to the change's
    assert [label.year for label in labels] == ["", "2025", "", "", "", "2026", "", "", ""]
    far = month_labels(count_points(D(2026, 6, 20), 12), box, 20)  # 13 points, 20 units each: every 2nd label
    assert [label.text for label in far] == ["6", "8", "10", "12", "2", "4", "6"]
    assert [label.year for label in far] == ["2025", "", "", "", "2026", "", ""]


def test_time_chart_columns_grouped_and_scaled() -> None:
    days = [D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 20)]
    chart = time_chart(days, columns=[[2, 4, 0], [1, 0, 3]], lines=[[6, 8, 7]])
    box = chart.box
    assert [tick.text for tick in chart.ticks] == ["0", "2", "4", "6", "8"]  # the line's 8 sets the top
    heights = {(r.series, round(r.x)): r.height for r in chart.columns}
    assert len(chart.columns) == 6
    first, second = (r for r in chart.columns[:2])
    assert first.height == pytest.approx(box.height * 2 / 8, abs=0.1)
    assert second.height == pytest.approx(box.height * 1 / 8, abs=0.1)
    assert second.x > first.x  # side by side
    assert all(r.y + r.height == pytest.approx(box.bottom, abs=0.1) for r in chart.columns)
    assert len(heights) == 6
    (line,) = chart.lines
    assert [y for _, y in line] == [pytest.approx(box.bottom - box.height * v / 8, abs=0.1) for v in (6, 8, 7)]
    assert all(box.left < x < box.right for x, _ in line)


def test_time_chart_stacked_columns_sum_to_the_total() -> None:
    chart = time_chart([D(2026, 10, 31), D(2026, 11, 20)], columns=[[1.5, 0], [2.5, 3]], stacked=True, whole=False)
    assert chart.ticks[-1].text == "4"
    bottom, top = chart.columns[0], chart.columns[1]  # the first day: repaid below, outstanding on it
    assert top.y + top.height == pytest.approx(bottom.y, abs=0.1)
    assert bottom.height + top.height == pytest.approx(chart.box.height, abs=0.2)  # 4 of 4
    assert bottom.x == top.x
    assert bottom.width == top.width


def test_bar_chart_lengths_are_proportional_and_the_longest_fills_the_span() -> None:
    chart = bar_chart([[30], [60], [0]], width=360, value_room=60)
    lengths = [row.segments[0].width for row in chart.rows]
    assert lengths == [150, 300, 0]
    assert [row.value_x for row in chart.rows] == [156, 306, 6]
    assert chart.rows[1].label_y > chart.rows[0].label_y
    assert chart.height == 44 * 3 + 4
    stacked = bar_chart([[1, 3], [2, 0]], width=220, value_room=20)
    first = stacked.rows[0].segments
    assert (first[0].width, first[1].x, first[1].width) == (50, 50, 150)
    assert bar_chart([[0], [0]]).rows[0].segments[0].width == 0  # nothing to compare: no bars, no division by 0
