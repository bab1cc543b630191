"""Agency suggestions ("您是不是要找"): part of a name, a typo, pinyin or its initials; best first, limited."""

from __future__ import annotations

import pytest

from portal.search.suggest import MAX_LOOKUP_CHARS, spellings, suggest_agencies

AGENCIES = [
    ("演示县财政局", "11350100MB0000001A"),
    ("演示县人力资源和社会保障局", "11350100MB0000002B"),
    ("演示县住房和城乡建设局", "11350100MB0000003C"),
    ("演示县市场监督管理局", "11350100MB0000004D"),
    ("演示县教育局", "11350100MB0000005E"),
    ("演示县卫生健康委员会", "11350100MB0000006F"),
    ("演示县交通运输局", "11350100MB0000007G"),
]
CZJ = ("演示县财政局", "11350100MB0000001A")


def names(query: str, agencies: list[tuple[str, str]] = AGENCIES, limit: int = 5) -> list[str]:
    return [name for name, _ in suggest_agencies(query, agencies, limit)]


PINYIN = ["czj", "CZJ", "ｃｚｊ", "ysxczj", "caizheng", "cai zheng", "CaiZhengJu", "zhengju"]
PARTS_AND_TYPOS = ["财政", "财 政", "财政局", "演示县财政局。", "财证局", "演示县财政局局长"]


@pytest.mark.parametrize("query", [*PINYIN, *PARTS_AND_TYPOS])
def test_finds_the_finance_bureau(query: str) -> None:
    assert suggest_agencies(query, AGENCIES) == [CZJ]


@pytest.mark.parametrize(
    ("query", "name"), [("jyj", "演示县教育局"), ("jiaoyu", "演示县教育局"), ("交通", "演示县交通运输局")]
)
def test_finds_other_agencies(query: str, name: str) -> None:
    assert names(query) == [name]


def test_the_full_name_comes_first() -> None:
    assert suggest_agencies("演示县财政局", AGENCIES)[0] == CZJ


UNRELATED = ["xyz", "天气", "局长信箱", "c", "", "   ", "<script>", "\x00", "财政局局局"]
OVERLONG = ["x" * (MAX_LOOKUP_CHARS + 1), "演示县财政局" * 7]


@pytest.mark.parametrize("query", [*UNRELATED, *OVERLONG])
def test_unrelated_or_overlong_text_suggests_nothing(query: str) -> None:
    assert suggest_agencies(query, AGENCIES) == []


def test_no_agencies_suggests_nothing() -> None:
    assert suggest_agencies("czj", []) == []


def test_odd_agency_names_do_not_break_the_look_up() -> None:
    assert suggest_agencies("czj", [("", "X"), ("，", "Y"), ("  ", "Z"), CZJ]) == [CZJ]


def test_input_longer_than_max_lookup_chars_gives_nothing_even_if_it_matches() -> None:
    long_name = "演示县" + "财政局" * 13
    assert len(long_name) > MAX_LOOKUP_CHARS + 1
    agencies = [(long_name, "U")]
    assert names(long_name[:MAX_LOOKUP_CHARS], agencies) == [long_name]
    assert names(long_name[: MAX_LOOKUP_CHARS + 1], agencies) == []


def test_results_are_limited_and_shortest_names_first() -> None:
    assert names("局") == [
        "演示县教育局",
        "演示县财政局",
        "演示县交通运输局",
        "演示县市场监督管理局",
        "演示县住房和城乡建设局",
    ]
    assert names("局", limit=2) == ["演示县教育局", "演示县财政局"]
    assert len(names("演示县", limit=10)) == len(AGENCIES)


def test_order_does_not_depend_on_the_input_order() -> None:
    assert names("演示县", AGENCIES[::-1], limit=10) == names("演示县", AGENCIES, limit=10)


@pytest.mark.parametrize(
    ("query", "agencies", "best_first"),
    [
        ("cz", [("演示县财政局", "P"), ("CZ检测中心", "N")], ["CZ检测中心", "演示县财政局"]),  # name before pinyin
        ("财政局", [("演示县财证局", "T"), ("演示县财政局", "N")], ["演示县财政局"]),  # no near misses beside a match
        ("财政局", [("演示县财政局", "L"), ("财政局", "S")], ["财政局", "演示县财政局"]),  # closer match first
    ],
)
def test_best_match_first(query: str, agencies: list[tuple[str, str]], best_first: list[str]) -> None:
    assert names(query, agencies) == best_first


def test_returns_the_uscc_with_each_name() -> None:
    assert suggest_agencies("jyj", AGENCIES) == [("演示县教育局", "11350100MB0000005E")]


@pytest.mark.parametrize(
    ("name", "spelled"),
    [
        ("财政局", ("caizhengju", "czj")),
        ("教育局", ("jiaoyuju", "jyj")),
        ("重庆市", ("chongqingshi", "cqs")),
        ("银行", ("yinhang", "yh")),
        ("演示县ABC中心", ("yanshixianabczhongxin", "ysxabczx")),
        ("", ("", "")),
    ],
)
def test_spellings(name: str, spelled: tuple[str, str]) -> None:
    assert spellings(name) == spelled
