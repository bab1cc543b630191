"""The public statistics' pure rules: which dates the time series are counted at, when a body counts as listed as
失信被执行人 and a record as public on a past day (the Python twins of the SQL in queries.py), the government level of
an agency, and the geometry of the server-rendered SVG charts. Pure: no Flask, no database; `today` is an argument.

动态清零 (泰信用办〔2022〕12号 一 and 二(五)): the bodies listed as 失信被执行人 are followed month by month until
none is left. 清欠 (沈政办发〔2018〕117号 二(三)1): what governments owe firms, against what they repaid."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portal.core.labelled import N_, LabelledEnum

# --- the dates counted at -------------------------------------------------------------------------------------------

MONTH_CHOICES = (12, 24)  # the time series' lengths a reader may choose (?months=12 or 24)
DEFAULT_MONTHS = 12


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def shift_month(day: date, months: int) -> date:
    """The first day of the month `months` months after `day`'s (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def count_points(today: date, months: int) -> list[date]:
    """The days a time series is counted at, oldest first: the last day of each of the `months` months before
    today's month, then today (the current month has not ended: its point is today, which makes the last point the
    figure every other page shows now)."""
    return [month_end(shift_month(today, -k)) for k in range(months, 0, -1)] + [today]


def count_months(today: date, months: int) -> list[tuple[date, date]]:
    """(first day, last day) of the `months` months that end with today's, oldest first; the current month is
    counted up to today."""
    spans = []
    for k in range(months - 1, -1, -1):
        first = shift_month(today, -k)
        spans.append((first, min(month_end(first), today)))
    return spans


# --- who counts, on a past day --------------------------------------------------------------------------------------


def listed_on(
    day: date,
    *,
    status: str,
    publication_start: date,
    publication_max_end: date,
    stopped_on: date | None,
    finished_on: date | None,
) -> bool:
    """Does a 失信被执行人 record keep its body on the list at the end of `day`? (SQL twin: the record's span in
    queries.defaulter_series.)

    Listed from its publication start until it is cleared (动态清零, 泰信用办〔2022〕12号 一): the day its rectification
    ended with a result (履行完毕/和解/销案: the record became 已履行), the day its publication stopped (修复, 期满),
    or the end of its maximum disclosure period, whichever comes first. A record now 已履行 without a dated result
    is taken as cleared throughout (the day is unknown). A 已撤销 record (found on objection never to have been
    due) is never counted. On today this is exactly records.queries.listed_defaulter_count's rule: public and
    公示中 or 整改中."""
    if status == "revoked" or (status == "fulfilled" and finished_on is None):
        return False
    ends = [publication_max_end, *(d for d in (stopped_on, finished_on) if d is not None)]
    return publication_start <= day < min(ends)


def public_on(
    day: date, *, status: str, publication_start: date, publication_max_end: date, stopped_on: date | None
) -> bool:
    """Was a record public at the end of `day`? Published from its start until its publication stopped or its
    maximum period ended; a 已撤销 record is never counted (SQL twin: the record's span in queries.arrears_series).
    On today this is Record.public_clause."""
    if status == "revoked":
        return False
    end = min(publication_max_end, stopped_on) if stopped_on is not None else publication_max_end
    return publication_start <= day < end


class GovernmentLevel(LabelledEnum):
    """The level of government a body belongs to, for the 清欠 figures: a township or street office (乡镇（街道）,
    AgencyKind.TOWNSHIP) or the county's own bodies (its government, departments, public institutions, SOEs and the
    development zone's committee)."""

    COUNTY = "county", N_("县级机关、事业单位和国有企业")
    TOWNSHIP = "township", N_("乡镇（街道）")


def level_of(agency_kind: str) -> GovernmentLevel:
    return GovernmentLevel.TOWNSHIP if agency_kind == "township" else GovernmentLevel.COUNTY


# --- chart geometry ---------------------------------------------------------------------------------------------------
# Every chart is an inline SVG drawn from these numbers (viewBox units; the page scales it to its width). Text and
# colours are the template's; here only where things go.

# Series colours: each at least 3:1 against white (WCAG 2.1 1.4.11), and apart in lightness so that they stay
# distinct in grey; the data table beside each chart is its accessible equivalent.
PALETTE = ("#0b4f9c", "#a3141b", "#5a5a5a", "#1e6b3a")
INK = "#1a1a1a"
GRID = "#c8c8c8"


@dataclass(frozen=True)
class Scale:
    """A value axis from 0 to `top` in steps of `step` (both "nice": 1, 2, 2.5 or 5 times a power of ten)."""

    top: float
    step: float

    @property
    def ticks(self) -> list[float]:
        count = round(self.top / self.step)
        return [round(self.step * k, 10) for k in range(count + 1)]


def nice_scale(largest: float, ticks: int = 4, *, whole: bool = True) -> Scale:
    """The smallest nice axis that holds `largest` in at most `ticks` steps; `whole` axes (counts) step by whole
    numbers, and never fewer than `ticks` steps of 1 (one complaint is not drawn as a full-height bar). An empty
    chart (largest 0) still gets an axis of `ticks` steps of 1."""
    if largest <= 0 or (whole and largest <= ticks):
        return Scale(float(ticks), 1.0)
    magnitude = 10.0 ** math.floor(math.log10(largest / ticks))
    if whole:
        magnitude = max(magnitude, 1.0)
    candidates = [m * magnitude * f for f in (1, 10) for m in (1, 2, 2.5, 5)]
    for step in sorted(candidates):
        if whole and (step < 1 or step != int(step)):
            continue
        if step * ticks >= largest:
            return Scale(round(step * math.ceil(largest / step - 1e-9), 10), step)
    raise AssertionError("unreachable: 10 × magnitude × ticks ≥ largest")  # pragma: no cover


def tick_text(value: float) -> str:
    """An axis label: 2500.0 → '2,500', 2.5 → '2.5', 0.25 → '0.25'."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Box:
    """The plot area inside the viewBox."""

    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int  # index into the series (and PALETTE)


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str  # the month number
    year: str  # the year under it where it changes, else ""


@dataclass(frozen=True)
class TimeChart:
    """Columns (grouped or stacked) and lines over a row of dates, on one value axis."""

    width: float
    height: float
    box: Box
    ticks: list[Tick]
    columns: list[Rect]
    lines: list[list[tuple[float, float]]]  # one polyline per line series
    labels: list[XLabel]


@dataclass(frozen=True)
class BarRow:
    label_y: float  # the baseline of the row's label, above its bar
    segments: list[Rect]
    value_x: float  # where the row's value is written, after the bar
    value_y: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one row per category, each a bar of one or more stacked segments."""

    width: float
    height: float
    rows: list[BarRow]


def _y(value: float, box: Box, scale: Scale) -> float:
    return round(box.bottom - value / scale.top * box.height, 1)


def value_scale(values: Sequence[float], *, whole: bool) -> Scale:
    return nice_scale(max(values, default=0.0), whole=whole)


def time_chart(
    days: Sequence[date],
    columns: Sequence[Sequence[float]] = (),
    lines: Sequence[Sequence[float]] = (),
    *,
    stacked: bool = False,
    whole: bool = True,
    width: float = 400,
    height: float = 240,
) -> TimeChart:
    """A chart over `days`: `columns` is a list of series (each a value per day) drawn as bars side by side, or one
    on another when `stacked`; `lines` are series drawn as polylines through each day's centre. One axis for all,
    from 0 to a nice top over the largest bar (stacked: the largest sum) or point."""
    box = Box(left=52, top=12, width=width - 52 - 8, height=height - 12 - 44)
    n = len(days)
    tallest = [sum(values) for values in zip(*columns, strict=True)] if stacked and columns else []
    if not stacked:
        tallest = [v for series in columns for v in series]
    scale = value_scale([*tallest, *(v for series in lines for v in series)], whole=whole)
    slot = box.width / max(n, 1)
    group = slot * 0.72
    rects: list[Rect] = []
    for i in range(n):
        left = box.left + slot * i + (slot - group) / 2
        base = 0.0
        for s, series in enumerate(columns):
            value = series[i]
            if stacked:
                top, bottom = _y(base + value, box, scale), _y(base, box, scale)
                rects.append(Rect(round(left, 1), top, round(group, 1), round(bottom - top, 1), s))
                base += value
            else:
                bar = group / len(columns)
                top = _y(value, box, scale)
                rects.append(Rect(round(left + bar * s, 1), top, round(bar, 1), round(box.bottom - top, 1), s))
    polylines = [
        [(round(box.left + slot * (i + 0.5), 1), _y(series[i], box, scale)) for i in range(n)] for series in lines
    ]
    ticks = [Tick(_y(value, box, scale), tick_text(value)) for value in scale.ticks]
    return TimeChart(width, height, box, ticks, rects, polylines, month_labels(days, box, slot))


def label_step(count: int, slot: float, least_gap: float = 24) -> int:
    """Label every k-th of `count` slots `slot` wide so that labels stand at least `least_gap` apart."""
    if count <= 1 or slot >= least_gap:
        return 1
    return math.ceil(least_gap / slot)


def month_labels(days: Sequence[date], box: Box, slot: float, least_gap: float = 40) -> list[XLabel]:
    """The month numbers under the columns (every k-th, always the last), each with its year under it where the
    year changes from the label before, and under the first label unless the next year's stands too close."""
    step = label_step(len(days), slot)
    shown = [i for i in range(len(days)) if (len(days) - 1 - i) % step == 0]
    changes = [i for n, i in enumerate(shown) if n == 0 or days[i].year != days[shown[n - 1]].year]
    if len(changes) > 1 and slot * (changes[1] - changes[0]) < least_gap:
        changes = changes[1:]
    return [
        XLabel(round(box.left + slot * (i + 0.5), 1), str(days[i].month), str(days[i].year) if i in changes else "")
        for i in shown
    ]


def bar_chart(rows: Sequence[Sequence[float]], *, width: float = 360, value_room: float = 120) -> BarChart:
    """Horizontal bars: each row's label on a line of its own, its bar (segments stacked left to right) under it,
    and its value after the bar; the longest row spans the width less `value_room` (for the written value). The
    axis is linear from 0, so bars compare by length; no ticks are needed as every value is written."""
    row_height, bar_height, label_room = 44.0, 16.0, 20.0
    longest = max((sum(segments) for segments in rows), default=0.0)
    span = width - value_room
    out: list[BarRow] = []
    for r, segments in enumerate(rows):
        top = row_height * r
        bar_top = top + label_room
        x = 0.0
        rects = []
        for s, value in enumerate(segments):
            length = span * value / longest if longest > 0 else 0.0
            rects.append(Rect(round(x, 1), bar_top, round(length, 1), bar_height, s))
            x += length
        out.append(BarRow(round(top + 14, 1), rects, round(x + 6, 1), round(bar_top + bar_height - 3, 1)))
    return BarChart(width, row_height * len(rows) + 4, out)
