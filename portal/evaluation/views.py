"""The public evaluation (政务诚信评价; 泗政秘〔2018〕145号 (三): 评价评级，并及时公布结果): ranking tables for
乡镇（街道） and 部门 for a month, and the methodology page generated from the formula (methods.toml)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _

from portal.core.months import Month
from portal.evaluation.queries import latest_scored_month, ranking, scored_months, version_use
from portal.evaluation.rules import (
    BASE_TENTHS,
    RankingGroup,
    format_tenths,
    methods,
    months_covered,
)

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


@bp.record_once
def _check_methods(state: BlueprintSetupState) -> None:
    """A bad methods.toml stops the app at start, with the message saying where (rules.MethodsError)."""
    methods()


@bp.app_template_filter("points")
def _points(tenths: int) -> str:
    return format_tenths(tenths)


@bp.app_template_filter("signed_points")
def _signed_points(tenths: int) -> str:
    return format_tenths(tenths, signed=True)


@bp.get("/")
def index() -> tuple[str, int]:
    """The month's ranking (?month=YYYY-MM; default: the latest scored). A malformed month: 400 with the message
    beside the field; a month with no scores: 404."""
    months = scored_months()
    asked = request.args.get("month", "").strip()
    problem = None
    month: Month | None = None
    if asked:
        try:
            month = Month.parse(asked)
        except ValueError:
            problem = _("请按 YYYY-MM 的格式填写月份，例如 2026-10。")
    else:
        month = latest_scored_month()
    if problem is not None:
        return render_template("evaluation/index.html", months=months, asked=asked, problem=problem, ranked=None), 400
    ranked = ranking(month) if month is not None else None
    if month is not None and ranked is None:
        abort(404)
    method = None
    if ranked is not None:
        method = next((m for m in methods() if m.version == ranked.versions[0]), None)
    return (
        render_template(
            "evaluation/index.html",
            months=months,
            asked=asked,
            problem=None,
            ranked=ranked,
            method=method,
            groups=RankingGroup,
        ),
        200,
    )


@bp.get("/method")
def method() -> str:
    """The methodology: every version, newest first, with the months it covers (by the file and as stored), its
    grades, and each indicator with its points, what it counts and its source clause."""
    known = methods()
    return render_template(
        "evaluation/method.html",
        methods=[(m, months_covered(known, m)) for m in reversed(known)],
        used=version_use(),
        base=BASE_TENTHS,
    )
