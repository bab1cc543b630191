"""Public statistics: server-rendered SVG charts, each with its data table (the table is the accessible equivalent;
no JavaScript). The figures come from queries.figures (grouped SQL, kept per process until the data changes); the
geometry from rules (pure); the SVG and the tables from templates/statistics/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template
from flask import request as http_request
from flask_babel import gettext as _

from portal import clock
from portal.arrears.rules import Subtype
from portal.core.periods import Severity
from portal.listing import choice, parse_list_query
from portal.records.kinds import Kind
from portal.statistics.queries import Figures, figures
from portal.statistics.rules import (
    DEFAULT_MONTHS,
    MONTH_CHOICES,
    PALETTE,
    BarChart,
    GovernmentLevel,
    TimeChart,
    bar_chart,
    time_chart,
)

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

WAN = 1_000_000  # fen in 1 万元: the money charts are drawn in 万元
MONTHS = {"months": choice(str(m) for m in MONTH_CHOICES)}


@dataclass(frozen=True)
class Charts:
    defaulters: TimeChart
    arrears: TimeChart
    by_level: BarChart
    by_subtype: BarChart
    by_kind: BarChart
    by_severity: BarChart
    by_region: BarChart
    complaints: TimeChart


def charts(found: Figures) -> Charts:
    """Every chart's geometry from the figures (money in 万元)."""
    return Charts(
        defaulters=time_chart(
            [p.day for p in found.defaulters],
            columns=[[p.new for p in found.defaulters], [p.cleared for p in found.defaulters]],
            lines=[[p.listed for p in found.defaulters]],
        ),
        arrears=time_chart(
            [p.day for p in found.arrears],
            columns=[[p.repaid / WAN for p in found.arrears], [p.outstanding / WAN for p in found.arrears]],
            stacked=True,
            whole=False,
        ),
        by_level=bar_chart([[r.repaid / WAN, r.outstanding / WAN] for r in found.by_level]),
        by_subtype=bar_chart([[r.repaid / WAN, r.outstanding / WAN] for r in found.by_subtype]),
        by_kind=bar_chart([[r.count] for r in found.by_kind], value_room=60),
        by_severity=bar_chart([[r.count] for r in found.by_severity], value_room=60),
        by_region=bar_chart([[r.count] for r in found.by_region], value_room=60),
        complaints=time_chart(
            [m.last for m in found.complaints],
            columns=[
                [m.received for m in found.complaints],
                [m.answered_on_time for m in found.complaints],
                [m.closed_on_time for m in found.complaints],
            ],
        ),
    )


def labels(found: Figures) -> dict[str, list[str]]:
    """Each breakdown's row names, in the reader's language."""
    return {
        "levels": [str(GovernmentLevel(r.key).label) for r in found.by_level],
        "subtypes": [str(Subtype(r.key).label) if r.key else _("未分类") for r in found.by_subtype],
        "kinds": [str(Kind(r.key).label) for r in found.by_kind],
        "tiers": [str(Severity(r.key).label) for r in found.by_severity],
        # a 6-digit 行政区划 is the county itself (its own bodies); a 9-digit one a township, street or zone
        "regions": [_("%(name)s（县本级）", name=r.label) if len(r.key) == 6 else r.label for r in found.by_region],
    }


@bp.get("/")
def index() -> tuple[str, int]:
    # Only ?months= is read (12 or 24); other parameters are ignored, as on every list. A bad value: 400, with the
    # message beside the field and no charts.
    asked = parse_list_query({"months": http_request.args.get("months", "")}, MONTHS)
    context: dict[str, Any] = {"asked": asked, "month_choices": MONTH_CHOICES, "palette": PALETTE}
    if asked.problems:
        return render_template("statistics/index.html", found=None, months=DEFAULT_MONTHS, **context), 400
    months = int(asked.filters.get("months", DEFAULT_MONTHS))
    found = figures(clock.today(), months)
    return (
        render_template(
            "statistics/index.html", found=found, charts=charts(found), labels=labels(found), months=months, **context
        ),
        200,
    )


@bp.app_template_filter("year_month")
def month_label(day: Any) -> str:
    """A month as the tables name it: 2026年11月 / 2026-11."""
    return _("%(year)d年%(month)d月", year=day.year, month=day.month)
