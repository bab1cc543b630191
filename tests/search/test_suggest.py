"""Agency suggestions ("您是不是要找"): part of a name, a typo, pinyin or its initials, in simplified or traditional
characters; best first, limited. (A query that names an agency gets its card instead: see test_residents.py.)"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from portal.search import suggest
from portal.search.suggest import MAX_LOOKUP_CHARS, character_sounds, sound, spellings, suggest_agencies

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
PARTS_AND_TYPOS = ["财政", "财 政", "财政局", "演示县财政局。", "财证局", "演示县财政局局长", "財政", "演示縣財政局"]


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


# --- how names sound, for near-sound typos (vocabulary.near_agencies) ---------------------------------------------

READINGS = ["财cai", "菜cai", "政zheng", "正zheng", "证zheng", "局ju", "邮you", "蓝lan", "南nan", "京jing", "金jin"]
READINGS += ["商shang", "散san", "税shui"]


@pytest.fixture
def sounds_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small sounds.tsv in place of the index's (the module's state is put back after the test)."""
    monkeypatch.setattr(suggest, "_SOUNDS", {})
    monkeypatch.setattr(suggest, "_SOUNDS_FILE", [])
    path = tmp_path / "sounds.tsv"
    path.write_text("\n".join(READINGS), encoding="utf-8")
    suggest.remember_sounds_file(path)
    return path


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("财政局", "财正局"),  # the same reading
        ("财政局", "菜证局"),
        ("南", "蓝"),  # n and l
        ("金", "京"),  # in and ing
        ("商", "散"),  # sh and s
    ],
)
def test_what_sounds_alike_is_heard_alike(sounds_file: Path, one: str, other: str) -> None:
    assert sound(one) == sound(other)


def test_what_sounds_otherwise_is_heard_otherwise(sounds_file: Path) -> None:
    assert sound("财政局") == "cai zen ju"
    assert sound("邮政局") != sound("财政局")
    assert sound("税") != sound("商")
    assert sound("A财") == "A cai"  # an unknown character stands for itself


def test_without_a_sounds_file_each_character_stands_for_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggest, "_SOUNDS", {})
    monkeypatch.setattr(suggest, "_SOUNDS_FILE", [])
    suggest.remember_sounds_file(tmp_path / "missing.tsv")
    assert sound("财政局") == "财 政 局"
    assert sound("财政局") != sound("财正局")


def test_character_sounds_are_lines_of_a_character_and_its_reading() -> None:
    first = list(islice(character_sounds(), 3))
    assert first[0] == "一yi"
    assert all(len(line) > 1 and "\t" not in line for line in first)
