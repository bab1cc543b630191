"""The integrity evaluation's formula (政务诚信评价, 信用画像): its methods, read from methods.toml and checked, the
choice of the method for a month, and the score and grade computed from each indicator's value. Pure: no Flask, no
database; months and values are arguments.

Sources: 泰信用办〔2022〕12号 二(六) (建立政务诚信评价机制，对政府机构实施信用画像); 沈政办发〔2018〕117号
一(五) (街道乡镇政务诚信评价指标体系) and 三(三) (纳入政府绩效考核); 泗政秘〔2018〕145号 (三) (政务诚信评价评级，
并及时公布结果) and (十四) (街道和乡镇守信践诺情况纳入绩效考核); 如东县政务失信防范治理长效管理办法 五(四)
(年终整体目标考核).

How a score is made (the methodology page says the same, generated from the file):
- every agency starts from 100 points (`BASE_TENTHS`); each indicator of the month's method adds or deducts points
  from the indicator's value; the total is kept between 0 and 100 and graded A, B, C or D by the method's
  thresholds;
- a method is a version in methods.toml with the first month it applies to; a month is scored by the newest method
  whose first month is not after it, and keeps that version once stored (`choose_method`): a new version applies
  from its first month onwards and never rescores the past;
- points are kept in tenths (integers), so that 2.5 points and their sums are exact.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

from portal.agencies.rules import AgencyKind
from portal.core.labelled import N_, LabelledEnum
from portal.core.months import Month

BASE_TENTHS = 1000  # every agency starts from 100 points
GRADES = ("A", "B", "C", "D")
METHODS_PATH = Path(__file__).with_name("methods.toml")  # the settings file (tests point it elsewhere)
VERSION_PATTERN = re.compile(r"[0-9]{4}\.[0-9]{1,3}")
LONGEST_WINDOW = 36  # months an event indicator may look back


class MethodsError(ValueError):
    """methods.toml is not a valid set of methods: the message names the method, the indicator and the key."""


def last_finished_month(today: date) -> Month:
    """The month before today's: the one `flask evaluation run` scores by default."""
    return Month.of(today).plus(-1)


def window_start(month: Month, window_months: int) -> date:
    """The first day of an event indicator's window: the `window_months` months ending with `month` (12: the
    evaluated month and the eleven before it)."""
    return month.plus(1 - window_months).first_day


# --- the indicators --------------------------------------------------------------------------------------------------


class Measure(StrEnum):
    COUNT = "count"  # a number of items: points for each, up to a cap
    SHARE = "share"  # a part of a whole (late of due, broken of determined): points in proportion


@dataclass(frozen=True)
class IndicatorSpec:
    measure: Measure
    sign: int  # -1: deducted; +1: added
    windowed: bool  # counts events of the last `window_months` months (else: the state on the month's last day)
    counts: str  # what is counted, for the methodology page (a msgid: shown translated)


class Indicator(LabelledEnum):
    """What the formula can count. Which ones a method uses, with what points and source clause, is in
    methods.toml; how each is counted is the query of the same name in queries.py."""

    RECORDS_MINOR = "records_minor", N_("公示中未履行的轻微失信记录")
    RECORDS_GENERAL = "records_general", N_("公示中未履行的一般失信记录")
    RECORDS_SERIOUS = "records_serious", N_("公示中未履行的严重失信记录")
    OVERDUE_RECTIFICATIONS = "overdue_rectifications", N_("逾期未整改")
    MEASURES_IN_FORCE = "measures_in_force", N_("实施中的联合惩戒措施")
    NOTICES_LATE = "notices_late", N_("7个工作日督办事项逾期")
    COMMITMENTS_BROKEN = "commitments_broken", N_("承诺未全部履行")
    COMPLAINTS_SUBSTANTIATED = "complaints_substantiated", N_("受理并办结的投诉")
    ANSWERS_LATE = "answers_late", N_("投诉未按期反馈")
    ANSWERS_UNSATISFACTORY = "answers_unsatisfactory", N_("投诉人不满意的答复")
    POSITIVE_ITEMS = "positive_items", N_("表彰奖励")

    @property
    def spec(self) -> IndicatorSpec:
        return INDICATORS[self]


_RECORDS = N_(
    "月末仍在公示期内、尚未履行（整改未办结）的失信记录；已撤销的记录不计。严重程度按记录的认定（轻微、一般、严重）。"
)
INDICATORS: Mapping[Indicator, IndicatorSpec] = {
    # 泰信用办〔2022〕12号 二(六) 信用画像 over the body's 政务失信记录 (泗政秘〔2018〕145号 (六)), by tier
    Indicator.RECORDS_MINOR: IndicatorSpec(Measure.COUNT, -1, False, _RECORDS),
    Indicator.RECORDS_GENERAL: IndicatorSpec(Measure.COUNT, -1, False, _RECORDS),
    Indicator.RECORDS_SERIOUS: IndicatorSpec(Measure.COUNT, -1, False, _RECORDS),
    # 新信用发〔2018〕6号 二(五): 逾期未整改 — the plan's deadline or an open measure's has passed (a state)
    Indicator.OVERDUE_RECTIFICATIONS: IndicatorSpec(
        Measure.COUNT,
        -1,
        False,
        N_("月末整改未办结、且整改期限或某项整改措施的期限已过的案件（逾期未整改）。"),
    ),
    # 新信用发〔2018〕6号 二(四)(五); 如东县办法 四(一): joint measures applied and not lifted
    Indicator.MEASURES_IN_FORCE: IndicatorSpec(
        Measure.COUNT, -1, False, N_("月末已实施且尚未解除的联合惩戒措施（书面警示、约谈告诫、限制融资等）。")
    ),
    # 泰信用办〔2022〕12号 二(二)(四)(五): the 7-working-day items of the 工作台账 (SEVEN_DAY_RULES)
    Indicator.NOTICES_LATE: IndicatorSpec(
        Measure.SHARE,
        -1,
        True,
        N_(
            "涉及本单位、到期日在统计期内的7个工作日督办事项（执行立案通报、失信被执行人通报和现场督办、"
            "行政处罚到期修复提醒）中，逾期办结或到期未办结的比例；因情况变化无需办理的事项不计。"
        ),
    ),
    # 泰信用办〔2022〕12号 二(一) 履约践诺; 泗政秘〔2018〕145号 (四)(十四)
    Indicator.COMMITMENTS_BROKEN: IndicatorSpec(
        Measure.SHARE,
        -1,
        True,
        N_(
            "统计期内作出履行认定的公开承诺中，最近一次认定为部分履行或全部未履行的比例（按认定日期，"
            "每项承诺只计最近一次认定）。"
        ),
    ),
    # 泗政秘〔2018〕145号 (三)(八): complaints (投诉举报) accepted and closed
    Indicator.COMPLAINTS_SUBSTANTIATED: IndicatorSpec(
        Measure.COUNT, -1, True, N_("统计期内办结的、针对本单位且已受理的投诉（不予受理的不计）。")
    ),
    # 泗政秘〔2018〕145号 (八): the agency's answer to a complaint forwarded to it, by its due day
    Indicator.ANSWERS_LATE: IndicatorSpec(
        Measure.SHARE,
        -1,
        True,
        N_("转办给本单位、反馈期限在统计期内的投诉中，逾期反馈或到期未反馈的比例。"),
    ),
    # 泗政秘〔2018〕145号 (三) 畅通民意诉求渠道: the complainants' own ratings of the answers (issue 18)
    Indicator.ANSWERS_UNSATISFACTORY: IndicatorSpec(
        Measure.SHARE,
        -1,
        True,
        N_(
            "统计期内投诉人评价了答复的、针对本单位的投诉中，评价为不满意的比例（每件投诉只计当前的评价；"
            "退回重办的投诉在重新办结并再次评价后才计入）。"
        ),
    ),
    # 泰信用办〔2022〕12号 三(四): 表彰奖励 on the 政务诚信档案 (an addition)
    Indicator.POSITIVE_ITEMS: IndicatorSpec(
        Measure.COUNT, +1, True, N_("统计期内获得、在诚信档案上公示的表彰、奖励和守信践诺信息。")
    ),
}

# The 工作台账's rules (portal/supervision/rules.py) whose days a document sets at 7 working days:
# 泰信用办〔2022〕12号 二(四) 执行立案通报, 二(五) 失信被执行人通报 and 现场督办, 二(二) 行政处罚到期修复提醒.
SEVEN_DAY_RULES = ("execution_notice", "defaulter_notification", "site_visit", "penalty_repair_reminder")
# Fulfilment determinations that count as broken (portal/commitments/rules.Fulfilment).
BROKEN_FULFILMENTS = ("partly", "unfulfilled")


@dataclass(frozen=True)
class Value:
    """An indicator's value for one agency: a count, or for a share `count` of `of`."""

    count: int = 0
    of: int | None = None


# --- methods ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One indicator in a method: its points and source clause (tenths of points)."""

    indicator: Indicator
    clause: str
    each_tenths: int = 0  # COUNT: points per item
    cap_tenths: int = 0  # COUNT: the most points in all
    full_tenths: int = 0  # SHARE: points when the share is 100 %
    window_months: int | None = None  # windowed indicators: how many months are counted

    def points(self, value: Value) -> int:
        """The signed points in tenths for `value`."""
        if self.indicator.spec.measure is Measure.COUNT:
            magnitude = min(self.each_tenths * max(value.count, 0), self.cap_tenths)
        else:
            magnitude = share_tenths(self.full_tenths, value.count, value.of or 0)
        return self.indicator.spec.sign * magnitude


def share_tenths(full_tenths: int, count: int, of: int) -> int:
    """`full_tenths` × count / of, rounded half up to a tenth; nothing when nothing was counted."""
    if of <= 0:
        return 0
    count = min(max(count, 0), of)
    return (2 * full_tenths * count + of) // (2 * of)


@dataclass(frozen=True)
class Method:
    """A version of the formula: from `first_month` on (until the next version's first month)."""

    version: str
    first_month: Month
    summary: str  # what it is, and what changed from the version before (Chinese)
    summary_en: str
    thresholds: tuple[tuple[str, int], ...]  # (grade, the lowest score in tenths), A first; D is 0
    rules: tuple[Rule, ...]

    def grade(self, total_tenths: int) -> str:
        return next(grade for grade, lowest in self.thresholds if total_tenths >= lowest)

    def rule(self, indicator: Indicator) -> Rule | None:
        return next((r for r in self.rules if r.indicator is indicator), None)


@dataclass(frozen=True)
class Part:
    """One indicator's part of a score: its value and its signed points (tenths)."""

    indicator: Indicator
    count: int
    of: int | None
    points_tenths: int

    def as_json(self) -> dict[str, Any]:
        return {"key": self.indicator.value, "count": self.count, "of": self.of, "points": self.points_tenths}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Part | None:
        """A stored part (AgencyScore.parts); None for a key this code no longer knows."""
        if stored.get("key") not in Indicator.codes():
            return None
        of = stored.get("of")
        return cls(
            Indicator(stored["key"]), int(stored["count"]), None if of is None else int(of), int(stored["points"])
        )


@dataclass(frozen=True)
class Score:
    total_tenths: int
    grade: str
    parts: tuple[Part, ...]


def compute(method: Method, values: Mapping[Indicator, Value]) -> Score:
    """The score of one agency for one month: 100 points, each indicator's points added (a deduction is negative),
    the total kept between 0 and 100, graded by the method's thresholds."""
    parts = []
    for rule in method.rules:
        value = values.get(rule.indicator, Value())
        of = (value.of or 0) if rule.indicator.spec.measure is Measure.SHARE else None  # a share is "0 of 0"
        parts.append(Part(rule.indicator, value.count, of, rule.points(value)))
    total = min(max(BASE_TENTHS + sum(p.points_tenths for p in parts), 0), BASE_TENTHS)
    return Score(total, method.grade(total), tuple(parts))


def choose_method(methods: Sequence[Method], month: Month, stored_version: str | None = None) -> Method | None:
    """The method for `month`: the version it was stored with (`stored_version`: past months keep theirs), else the
    newest whose first month is not after it; None when the month is before every method. A stored version that the
    file no longer holds is an error: versions used by stored scores must stay in methods.toml."""
    if stored_version is not None:
        for method in methods:
            if method.version == stored_version:
                return method
        raise MethodsError(f"methods.toml: version {stored_version}, used by the stored scores of {month}, is missing")
    chosen = None
    for method in methods:  # in order of first month (checked on loading)
        if method.first_month <= month:
            chosen = method
    return chosen


def months_covered(methods: Sequence[Method], method: Method) -> tuple[Month, Month | None]:
    """The months a method applies to by the file: its first month to the month before the next version's (None:
    still in use)."""
    later = [m.first_month for m in methods if m.first_month > method.first_month]
    return method.first_month, (min(later).plus(-1) if later else None)


# --- reading methods.toml --------------------------------------------------------------------------------------------


def _tenths(value: object, where: str, *, positive: bool = True) -> int:
    """A number of points with at most one decimal, as tenths."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MethodsError(f"{where} must be a number")
    tenths = round(value * 10)
    if abs(value * 10 - tenths) > 1e-9:
        raise MethodsError(f"{where} must have at most one decimal place, not {value}")
    if tenths < (1 if positive else 0) or tenths > BASE_TENTHS:
        raise MethodsError(f"{where} must be {'more than 0' if positive else 'at least 0'} and at most 100")
    return tenths


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MethodsError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise MethodsError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def _rule(table: object, where: str) -> Rule:
    if not isinstance(table, dict):
        raise MethodsError(f"{where} must be a table")
    key = table.get("key")
    if key not in Indicator.codes():
        raise MethodsError(f"{where}: 'key' must be one of {', '.join(Indicator.codes())}, not {key!r}")
    indicator = Indicator(key)
    spec = indicator.spec
    where = f"{where} ({key})"
    points = {"each", "cap"} if spec.measure is Measure.COUNT else {"full"}
    _check_keys(table, {"key", "clause", *points, *({"window_months"} if spec.windowed else set())}, where)
    missing = sorted(points - set(table))
    if missing:
        raise MethodsError(f"{where}: {' and '.join(repr(m) for m in missing)} must be given")
    window = None
    if spec.windowed:
        window = table.get("window_months")
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= LONGEST_WINDOW:
            raise MethodsError(f"{where}: 'window_months' must be a whole number of months from 1 to {LONGEST_WINDOW}")
    clause = _text(table, "clause", where)
    if spec.measure is Measure.COUNT:
        each = _tenths(table["each"], f"{where}: 'each'")
        cap = _tenths(table["cap"], f"{where}: 'cap'")
        if cap < each:
            raise MethodsError(f"{where}: 'cap' must not be less than 'each'")
        return Rule(indicator, clause, each_tenths=each, cap_tenths=cap, window_months=window)
    return Rule(indicator, clause, full_tenths=_tenths(table["full"], f"{where}: 'full'"), window_months=window)


def _method(table: object, where: str) -> Method:
    if not isinstance(table, dict):
        raise MethodsError(f"{where} must be a table")
    _check_keys(table, {"version", "first_month", "summary", "summary_en", "grades", "indicator"}, where)
    version = table.get("version")
    if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
        raise MethodsError(f"{where}: 'version' must be text like \"2026.1\", not {version!r}")
    where = f"method {version}"
    first = table.get("first_month")
    try:
        first_month = Month.parse(first) if isinstance(first, str) else None
    except ValueError:
        first_month = None
    if first_month is None:
        raise MethodsError(f"{where}: 'first_month' must be a month written \"YYYY-MM\", not {first!r}")
    grades = table.get("grades")
    if not isinstance(grades, dict) or set(grades) != set(GRADES[:-1]):
        raise MethodsError(f"{where}: 'grades' must give the lowest score of A, B and C (D is below C)")
    lowest = [_tenths(grades[g], f"{where}: grade {g}") for g in GRADES[:-1]]
    if not all(a > b for a, b in pairwise(lowest)):
        raise MethodsError(f"{where}: 'grades' must fall from A to C (A > B > C)")
    indicators = table.get("indicator")
    if not isinstance(indicators, list) or not indicators:
        raise MethodsError(f"{where}: at least one [[method.indicator]] must be given")
    rules = tuple(_rule(entry, f"{where}, indicator {n}") for n, entry in enumerate(indicators, start=1))
    seen = [r.indicator for r in rules]
    twice = sorted({i.value for i in seen if seen.count(i) > 1})
    if twice:
        raise MethodsError(f"{where}: indicator(s) {', '.join(twice)} given more than once")
    return Method(
        version=version,
        first_month=first_month,
        summary=_text(table, "summary", where),
        summary_en=_text(table, "summary_en", where),
        thresholds=(*zip(GRADES, lowest, strict=False), (GRADES[-1], 0)),
        rules=rules,
    )


def parse_methods(text: str) -> tuple[Method, ...]:
    """The methods of a methods.toml text, checked: at least one; versions distinct; first months distinct and in
    the file's order; every indicator known, with exactly its keys. A bad file raises MethodsError saying where."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodsError(f"methods.toml is not valid TOML: {exc}") from exc
    _check_keys(document, {"method"}, "methods.toml")
    tables = document.get("method")
    if not isinstance(tables, list) or not tables:
        raise MethodsError("methods.toml: at least one [[method]] must be given")
    methods = tuple(_method(table, f"method {n}") for n, table in enumerate(tables, start=1))
    versions = [m.version for m in methods]
    if len(set(versions)) != len(versions):
        raise MethodsError("methods.toml: every method needs its own 'version'")
    for earlier, later in pairwise(methods):
        if later.first_month <= earlier.first_month:
            raise MethodsError(
                f"methods.toml: method {later.version} must start after method {earlier.version} "
                f"({later.first_month} is not after {earlier.first_month}); list the methods oldest first"
            )
    return methods


_LOADED: dict[Path, tuple[float, tuple[Method, ...]]] = {}


def methods() -> tuple[Method, ...]:
    """The methods of the settings file (METHODS_PATH), read once and again whenever the file changes."""
    path = METHODS_PATH
    try:
        changed = path.stat().st_mtime
    except OSError as exc:
        raise MethodsError(f"{path} cannot be read: {exc}") from exc
    cached = _LOADED.get(path)
    if cached is None or cached[0] != changed:
        cached = (changed, parse_methods(path.read_text(encoding="utf-8")))
        _LOADED[path] = cached
    return cached[1]


# --- rankings --------------------------------------------------------------------------------------------------------


class RankingGroup(LabelledEnum):
    """The two ranking tables (泰信用办〔2022〕12号 二(六); 沈政办发〔2018〕117号 一(五) 街道乡镇; 如东县办法 五(四)
    镇（区、街道）和部门)."""

    TOWNSHIPS = "townships", N_("乡镇（街道）")
    DEPARTMENTS = "departments", N_("部门")


def ranking_group(kind: AgencyKind | str, has_parent: bool) -> RankingGroup | None:
    """Which table an agency is ranked in: townships and sub-ordinate governments (a development zone's 管委会: the
    如东 rules' 镇（区、街道）) with the townships; departments, public institutions and SOEs (泰信用办〔2022〕12号:
    国有企业…参照执行) with the departments. A government without a parent (the county's own) is scored and shown
    on its 诚信档案 but ranked in neither table: it is the level that evaluates the others."""
    kind = AgencyKind(kind)
    if kind is AgencyKind.TOWNSHIP or (kind is AgencyKind.GOVERNMENT and has_parent):
        return RankingGroup.TOWNSHIPS
    if kind in (AgencyKind.DEPARTMENT, AgencyKind.INSTITUTION, AgencyKind.SOE):
        return RankingGroup.DEPARTMENTS
    return None


def ranks(scores: Sequence[int]) -> list[int]:
    """Competition ranks of scores already sorted from best: equal scores share a rank (1, 2, 2, 4)."""
    result: list[int] = []
    for n, score in enumerate(scores):
        result.append(result[-1] if n and score == scores[n - 1] else n + 1)
    return result


def format_tenths(tenths: int, *, signed: bool = False) -> str:
    """Points as written on the pages: 85, 92.5; signed: +2.5, −3 (a true minus sign), 0."""
    whole, tenth = divmod(abs(tenths), 10)
    text = f"{whole}" if tenth == 0 else f"{whole}.{tenth}"
    if tenths < 0:
        return ("−" if signed else "-") + text
    return ("+" if signed and tenths > 0 else "") + text
