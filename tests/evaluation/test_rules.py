"""The formula's pure rules (portal/evaluation/rules.py): points per indicator (a table per indicator), the total kept
between 0 and 100 and graded, the method chosen for a month (a stored month keeps its version), the methods file
checked (a bad one is a clear error), months, ranks and how points are written."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from portal import create_app
from portal.agencies.rules import AgencyKind
from portal.core.months import Month
from portal.evaluation import rules
from portal.evaluation.rules import (
    Indicator,
    Measure,
    Method,
    MethodsError,
    Part,
    RankingGroup,
    Rule,
    Value,
    choose_method,
    compute,
    format_tenths,
    last_finished_month,
    methods,
    months_covered,
    parse_methods,
    ranking_group,
    ranks,
    share_tenths,
    window_start,
)

SHIPPED = Path(rules.__file__).with_name("methods.toml")


JANUARY = Month(2026, 1)


def method(*rules_: Rule, version: str = "2026.1", first: Month = JANUARY) -> Method:
    return Method(version, first, "说明", "summary", (("A", 900), ("B", 800), ("C", 600), ("D", 0)), rules_)


def count_rule(indicator: Indicator, each: int, cap: int, window: int | None = None) -> Rule:
    return Rule(indicator, "条款", each_tenths=each, cap_tenths=cap, window_months=window)


def share_rule(indicator: Indicator, full: int, window: int = 12) -> Rule:
    return Rule(indicator, "条款", full_tenths=full, window_months=window)


# --- a table per indicator: the value in, the signed points (tenths) out ------------------------------------------

COUNT_TABLES = {
    # indicator: [(count, points in tenths)] with each = 3 points, cap = 10 points
    Indicator.RECORDS_MINOR: [(0, 0), (1, -30), (3, -90), (4, -100), (9, -100)],
    Indicator.RECORDS_GENERAL: [(0, 0), (2, -60), (5, -100)],
    Indicator.RECORDS_SERIOUS: [(0, 0), (1, -30), (40, -100)],
    Indicator.OVERDUE_RECTIFICATIONS: [(0, 0), (1, -30), (3, -90), (4, -100)],
    Indicator.MEASURES_IN_FORCE: [(0, 0), (2, -60), (17, -100)],
    Indicator.COMPLAINTS_SUBSTANTIATED: [(0, 0), (1, -30), (10, -100)],
    Indicator.POSITIVE_ITEMS: [(0, 0), (1, 30), (3, 90), (4, 100), (12, 100)],  # an addition
}


@pytest.mark.parametrize(
    ("indicator", "count", "points"),
    [(indicator, count, points) for indicator, table in COUNT_TABLES.items() for count, points in table],
)
def test_a_count_indicator_gives_points_for_each_item_up_to_its_cap(
    indicator: Indicator, count: int, points: int
) -> None:
    assert indicator.spec.measure is Measure.COUNT
    assert count_rule(indicator, 30, 100, 12 if indicator.spec.windowed else None).points(Value(count)) == points


SHARE_TABLES = {
    # indicator: [(count, of, points in tenths)] with full = 5 points
    Indicator.NOTICES_LATE: [(0, 0, 0), (0, 4, 0), (1, 4, -13), (2, 4, -25), (1, 3, -17), (4, 4, -50)],
    Indicator.COMMITMENTS_BROKEN: [(0, 0, 0), (1, 1, -50), (1, 2, -25), (2, 3, -33)],
    Indicator.ANSWERS_LATE: [(0, 5, 0), (1, 5, -10), (3, 8, -19), (5, 5, -50)],
    Indicator.ANSWERS_UNSATISFACTORY: [(0, 3, 0), (1, 3, -17), (2, 2, -50)],
}


@pytest.mark.parametrize(
    ("indicator", "count", "of", "points"),
    [(indicator, c, of, p) for indicator, table in SHARE_TABLES.items() for c, of, p in table],
)
def test_a_share_indicator_deducts_in_proportion_rounded_half_up_to_a_tenth(
    indicator: Indicator, count: int, of: int, points: int
) -> None:
    assert indicator.spec.measure is Measure.SHARE
    assert share_rule(indicator, 50).points(Value(count, of)) == points


def test_every_indicator_has_a_table_above() -> None:
    assert set(COUNT_TABLES) | set(SHARE_TABLES) == set(Indicator)


@pytest.mark.parametrize(
    ("full", "count", "of", "tenths"),
    [(100, 1, 3, 33), (100, 2, 3, 67), (50, 1, 4, 13), (50, 3, 4, 38), (100, 0, 0, 0), (100, 5, 4, 100)],
)
def test_share_rounds_half_up_and_never_exceeds_the_whole(full: int, count: int, of: int, tenths: int) -> None:
    assert share_tenths(full, count, of) == tenths


# --- the total and the grade -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "total", "grade"),
    [
        ({}, 1000, "A"),
        ({Indicator.RECORDS_GENERAL: Value(3)}, 910, "A"),  # −9
        ({Indicator.RECORDS_GENERAL: Value(4)}, 880, "B"),  # −12
        ({Indicator.RECORDS_GENERAL: Value(4), Indicator.POSITIVE_ITEMS: Value(1)}, 900, "A"),  # −12 +2: exactly A
        ({Indicator.RECORDS_SERIOUS: Value(2), Indicator.RECORDS_GENERAL: Value(2)}, 740, "C"),  # −20 −6
        ({Indicator.RECORDS_SERIOUS: Value(9), Indicator.NOTICES_LATE: Value(1, 2)}, 575, "D"),  # −40 (cap) −2.5
        ({Indicator.RECORDS_SERIOUS: Value(9), Indicator.RECORDS_MINOR: Value(9)}, 0, "D"),  # −40 −100: kept at 0
        ({Indicator.POSITIVE_ITEMS: Value(3)}, 1000, "A"),  # +6 on 100: kept at 100
    ],
)
def test_the_total_starts_from_100_is_kept_between_0_and_100_and_graded(
    values: dict[Indicator, Value], total: int, grade: str
) -> None:
    formula = method(
        count_rule(Indicator.RECORDS_MINOR, 300, 1000),
        count_rule(Indicator.RECORDS_GENERAL, 30, 150),
        count_rule(Indicator.RECORDS_SERIOUS, 100, 400),
        share_rule(Indicator.NOTICES_LATE, 50),
        count_rule(Indicator.POSITIVE_ITEMS, 20, 60, 12),
    )
    assert compute(formula, values).total_tenths == total
    assert compute(formula, values).grade == grade


def test_the_parts_are_each_rule_in_order_with_its_value_and_points() -> None:
    formula = method(count_rule(Indicator.RECORDS_MINOR, 10, 50), share_rule(Indicator.ANSWERS_LATE, 50))
    score = compute(formula, {Indicator.RECORDS_MINOR: Value(2)})
    assert score.parts == (
        Part(Indicator.RECORDS_MINOR, 2, None, -20),
        Part(Indicator.ANSWERS_LATE, 0, 0, 0),  # a share with nothing counted is 0 of 0
    )
    assert [p.as_json() for p in score.parts] == [
        {"key": "records_minor", "count": 2, "of": None, "points": -20},
        {"key": "answers_late", "count": 0, "of": 0, "points": 0},
    ]
    assert [Part.from_json(p.as_json()) for p in score.parts] == list(score.parts)
    assert Part.from_json({"key": "gone", "count": 1, "of": None, "points": -1}) is None


@pytest.mark.parametrize(("tenths", "grade"), [(1000, "A"), (900, "A"), (899, "B"), (800, "B"), (600, "C"), (599, "D")])
def test_grade_thresholds_are_the_lowest_score_of_each_grade(tenths: int, grade: str) -> None:
    assert method().grade(tenths) == grade


# --- the method for a month ------------------------------------------------------------------------------------------

OLD = method(version="2026.1", first=Month(2026, 1))
NEW = method(version="2026.2", first=Month(2026, 7))


@pytest.mark.parametrize(
    ("month", "stored", "version"),
    [
        (Month(2025, 12), None, None),  # before every method: not scored
        (Month(2026, 1), None, "2026.1"),
        (Month(2026, 6), None, "2026.1"),
        (Month(2026, 7), None, "2026.2"),  # a new version from its first month …
        (Month(2027, 3), None, "2026.2"),  # … onwards
        (Month(2026, 7), "2026.1", "2026.1"),  # a month already stored keeps its version whatever the file says
        (Month(2026, 3), "2026.2", "2026.2"),
    ],
)
def test_a_month_gets_the_newest_method_that_has_started_unless_it_was_stored_with_one(
    month: Month, stored: str | None, version: str | None
) -> None:
    chosen = choose_method([OLD, NEW], month, stored)
    assert (chosen.version if chosen else None) == version


def test_a_stored_version_missing_from_the_file_is_an_error() -> None:
    with pytest.raises(MethodsError, match=r"2025\.9.*2026-03"):
        choose_method([OLD, NEW], Month(2026, 3), "2025.9")


def test_the_months_a_method_covers_run_to_the_next_versions_first_month() -> None:
    assert months_covered([OLD, NEW], OLD) == (Month(2026, 1), Month(2026, 6))
    assert months_covered([OLD, NEW], NEW) == (Month(2026, 7), None)


# --- months ----------------------------------------------------------------------------------------------------------


def test_the_last_finished_month_and_the_windows() -> None:
    assert last_finished_month(date(2026, 1, 5)) == Month(2025, 12)
    assert window_start(Month(2026, 9), 12) == date(2025, 10, 1)  # the 12 months ending with September
    assert window_start(Month(2026, 9), 1) == date(2026, 9, 1)


# --- the ranking tables ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "has_parent", "group"),
    [
        (AgencyKind.TOWNSHIP, True, RankingGroup.TOWNSHIPS),
        (AgencyKind.GOVERNMENT, True, RankingGroup.TOWNSHIPS),  # a development zone's 管委会: 镇（区、街道）
        (AgencyKind.GOVERNMENT, False, None),  # the county's own government is not ranked
        (AgencyKind.DEPARTMENT, True, RankingGroup.DEPARTMENTS),
        (AgencyKind.INSTITUTION, True, RankingGroup.DEPARTMENTS),
        (AgencyKind.SOE, False, RankingGroup.DEPARTMENTS),
    ],
)
def test_which_table_an_agency_is_ranked_in(kind: AgencyKind, has_parent: bool, group: RankingGroup | None) -> None:
    assert ranking_group(kind, has_parent) is group


def test_equal_scores_share_a_rank() -> None:
    assert ranks([1000, 930, 930, 900, 900, 900, 10]) == [1, 2, 2, 4, 4, 4, 7]
    assert ranks([]) == []


@pytest.mark.parametrize(
    ("tenths", "signed", "text"),
    [(930, False, "93"), (925, False, "92.5"), (0, False, "0"), (15, True, "+1.5"), (-40, True, "−4"), (0, True, "0")],
)
def test_points_are_written_without_a_needless_decimal(tenths: int, signed: bool, text: str) -> None:
    assert format_tenths(tenths, signed=signed) == text


# --- the methods file ------------------------------------------------------------------------------------------------


def test_the_shipped_file_holds_three_versions_each_changing_the_formula() -> None:
    old, new, newest = parse_methods(SHIPPED.read_text(encoding="utf-8"))
    assert (old.version, old.first_month, new.version, new.first_month) == (
        "2026.1",
        Month(2026, 1),
        "2026.2",
        Month(2026, 7),
    )
    assert {r.indicator for r in new.rules} - {r.indicator for r in old.rules} == {
        Indicator.NOTICES_LATE,
        Indicator.ANSWERS_LATE,
    }
    serious_old, serious_new = old.rule(Indicator.RECORDS_SERIOUS), new.rule(Indicator.RECORDS_SERIOUS)
    assert serious_old is not None
    assert serious_new is not None
    assert (serious_old.each_tenths, serious_new.each_tenths) == (60, 80)
    assert (newest.version, newest.first_month) == ("2026.3", Month(2026, 12))  # ratings began (issue 18)
    assert {r.indicator for r in newest.rules} - {r.indicator for r in new.rules} == {Indicator.ANSWERS_UNSATISFACTORY}
    assert all(r.clause for m in (old, new, newest) for r in m.rules)  # every indicator cites its source
    assert methods() == (old, new, newest)


GOOD = """
[[method]]
version = "2026.1"
first_month = "2026-01"
summary = "说明"
summary_en = "summary"
grades = { A = 90, B = 80, C = 60 }

[[method.indicator]]
key = "records_general"
each = 2.5
cap = 10
clause = "泰信用办〔2022〕12号 二(六)"

[[method.indicator]]
key = "commitments_broken"
full = 10
window_months = 12
clause = "泰信用办〔2022〕12号 二(一)"
"""


def test_a_good_file_is_read_into_tenths() -> None:
    (read,) = parse_methods(GOOD)
    assert read.rules == (
        Rule(Indicator.RECORDS_GENERAL, "泰信用办〔2022〕12号 二(六)", each_tenths=25, cap_tenths=100),
        Rule(Indicator.COMMITMENTS_BROKEN, "泰信用办〔2022〕12号 二(一)", full_tenths=100, window_months=12),
    )
    assert read.thresholds == (("A", 900), ("B", 800), ("C", 600), ("D", 0))


SECOND = GOOD.replace('"2026.1"', '"2026.2"').replace('"2026-01"', '"2026-07"')


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t + "\n[[method]]\n", "method 2: 'version'"),
        (lambda t: t.replace("[[method.indicator]]", "[[method.indicators]]", 1), "unknown key"),
        (lambda t: t.replace('version = "2026.1"', 'version = "v1"'), "'version' must be text like"),
        (lambda t: t.replace('"2026-01"', '"2026-13"'), "'first_month' must be a month"),
        (lambda t: t.replace('"2026-01"', "2026-01-01"), "'first_month' must be a month"),
        (lambda t: t.replace("A = 90, B = 80, C = 60", "A = 90, B = 80"), "'grades' must give"),
        (lambda t: t.replace("A = 90, B = 80, C = 60", "A = 80, B = 90, C = 60"), "must fall from A to C"),
        (lambda t: t.replace('key = "records_general"', 'key = "records_awful"'), "'key' must be one of"),
        (lambda t: t.replace("each = 2.5", "each = 2.55"), "at most one decimal"),
        (lambda t: t.replace("each = 2.5", "each = 0"), "more than 0"),
        (lambda t: t.replace("each = 2.5", 'each = "2"'), "must be a number"),
        (lambda t: t.replace("cap = 10", "cap = 2"), "'cap' must not be less than 'each'"),
        (lambda t: t.replace("cap = 10\n", ""), "'cap' must be given"),
        (lambda t: t.replace("full = 10", "each = 10"), "unknown key"),
        (lambda t: t.replace("window_months = 12", "window_months = 0"), "'window_months' must be"),
        (lambda t: t.replace("window_months = 12\n", ""), "'window_months' must be"),
        (lambda t: t.replace("cap = 10", "cap = 10\nwindow_months = 12"), "unknown key.*window_months"),
        (lambda t: t.replace('clause = "泰信用办〔2022〕12号 二(六)"', 'clause = " "'), "'clause' must be"),
        (
            lambda t: t + '[[method.indicator]]\nkey = "records_general"\neach = 1\ncap = 1\nclause = "x"\n',
            "more than once",
        ),
        (lambda t: t + SECOND.replace('"2026-07"', '"2025-12"'), "must start after method 2026.1"),
        (lambda t: t + SECOND.replace('"2026.2"', '"2026.1"'), "its own 'version'"),
        (lambda t: t.replace("grades =", "grades"), "not valid TOML"),
        (lambda t: "", "at least one"),
        (lambda t: t + "\nextra = 1\n", "unknown key"),
    ],
)
def test_a_bad_file_is_a_clear_error(change: object, message: str) -> None:
    assert callable(change)
    with pytest.raises(MethodsError, match=message):
        parse_methods(change(GOOD))


def test_two_good_methods_in_order_are_read() -> None:
    assert [m.version for m in parse_methods(GOOD + SECOND)] == ["2026.1", "2026.2"]


def test_the_settings_file_is_read_again_when_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "methods.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(rules, "METHODS_PATH", path)
    assert [m.version for m in methods()] == ["2026.1"]
    path.write_text(GOOD + SECOND, encoding="utf-8")
    os.utime(path, (1, 2_000_000_000))  # a different modification time, as an edit gives
    assert [m.version for m in methods()] == ["2026.1", "2026.2"]
    path.write_text("[[method]]\n", encoding="utf-8")
    os.utime(path, (1, 2_000_000_100))
    with pytest.raises(MethodsError):
        methods()
    monkeypatch.setattr(rules, "METHODS_PATH", tmp_path / "missing.toml")
    with pytest.raises(MethodsError, match="cannot be read"):
        methods()


def test_the_app_does_not_start_with_a_bad_methods_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "methods.toml"
    path.write_text(GOOD.replace("cap = 10", "cap = 2"), encoding="utf-8")
    monkeypatch.setattr(rules, "METHODS_PATH", path)
    settings = {
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "test-secret-key-" + "x" * 32,
    }
    with pytest.raises(MethodsError, match=r"method 2026\.1, indicator 1 \(records_general\): 'cap' must not be less"):
        create_app(settings)
    path.write_text(GOOD, encoding="utf-8")
    os.utime(path, (1, 2_000_000_000))
    assert create_app(settings).url_map.bind("x").match("/evaluation/method")[0] == "evaluation.method"
