"""Query syntax: words are all required, "quoted phrases", -exclusion; any input parses, bounded."""

from __future__ import annotations

import pytest

from portal.search.analyzer import Analyzer
from portal.search.query import MAX_CLAUSES, MAX_QUERY_CHARS, Clause, ParsedQuery, code_form, parse_query


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(["演示县财政局"])


def clause(*words: str, phrase: bool = False, code: str = "") -> Clause:
    return Clause(words, phrase, code)


@pytest.mark.parametrize(
    ("text", "required", "excluded"),
    [
        ("财政局", [clause("财政局")], []),
        ("财政局 拖欠账款", [clause("财政局"), clause("拖欠账款")], []),
        ("演示县财政局拖欠账款", [clause("演示县财政局", "拖欠账款")], []),
        ("财政局\t信用\n修复", [clause("财政局"), clause("信用"), clause("修复")], []),
        ("ＡＢＣ", [clause("abc")], []),
        ('"信用 修复"', [clause("信用", "修复", phrase=True)], []),
        ('"信用修复 整改"', [clause("信用修复", "整改", phrase=True)], []),
        ('"财政局"', [clause("财政局")], []),
        ("-财政局 信用", [clause("信用")], [clause("财政局")]),
        ("--财政局", [], [clause("财政局")]),
        ("- 财政局", [clause("财政局")], []),
        ('-"拖欠 账款" 财政局', [clause("财政局")], [clause("拖欠", "账款", phrase=True)]),
        ('"信用修复 财政局', [clause("信用修复", "财政局", phrase=True)], []),
        ('财政局 "', [clause("财政局")], []),
        ('a"b', [clause("a", "b")], []),
        ("\x00财政局\x1b", [clause("财政局")], []),
        ("财政局\x00信用修复", [clause("财政局"), clause("信用修复")], []),
        ("\u202e财政局", [clause("财政局")], []),
    ],
)
def test_parse_query(analyzer: Analyzer, text: str, required: list[Clause], excluded: list[Clause]) -> None:
    assert parse_query(text, analyzer) == ParsedQuery(tuple(required), tuple(excluded))


WITHOUT_WORDS = ["", "   ", "-", "- - -", '"', '""', '"""', '-""', '-"', '"-"', '-"-"', "，。！", "((((", "*?:^~"]
CONTROL_AND_SYMBOLS = ["\x00\x1b", "\u200b", "\ud800", "\U0001f600"]


@pytest.mark.parametrize("text", [*WITHOUT_WORDS, *CONTROL_AND_SYMBOLS])
def test_queries_without_words_are_empty(analyzer: Analyzer, text: str) -> None:
    parsed = parse_query(text, analyzer)
    assert parsed == ParsedQuery()
    assert parsed.is_empty
    assert parsed.highlight_words == []


def test_excluded_only_query_is_empty(analyzer: Analyzer) -> None:
    parsed = parse_query("-财政局", analyzer)
    assert parsed.is_empty
    assert parsed.excluded == (clause("财政局"),)


@pytest.mark.parametrize(
    "text",
    ["财政局 " * 1300, "财" * 5000, "x" * 5000, '"' + "信用 修复 " * 900, "-财政局 " * 1300, "\x00" * 5000],
)
def test_long_input_is_cut_and_bounded(analyzer: Analyzer, text: str) -> None:
    assert len(text.encode()) >= 5000
    parsed = parse_query(text, analyzer)
    assert len(parsed.required) <= MAX_CLAUSES
    assert len(parsed.excluded) <= MAX_CLAUSES
    for part in parsed.required + parsed.excluded:
        assert sum(len(word) for word in part.words) <= MAX_QUERY_CHARS
        assert len(part.code) <= MAX_QUERY_CHARS


def test_long_single_word_is_cut_at_max_query_chars(analyzer: Analyzer) -> None:
    assert parse_query("x" * 5000, analyzer).required == (clause("x" * MAX_QUERY_CHARS),)


def test_more_than_max_clauses_keeps_the_first(analyzer: Analyzer) -> None:
    text = " ".join(f"词{i}" for i in range(MAX_CLAUSES + 10))
    parsed = parse_query(text, analyzer)
    assert len(parsed.required) == MAX_CLAUSES
    assert parsed.required[0] == clause("词", "0", code="词0")
    assert parsed.required[-1].code == f"词{MAX_CLAUSES - 1}"


def test_more_than_max_excluded_clauses_keeps_the_first(analyzer: Analyzer) -> None:
    text = "财政局 " + " ".join(f"-词{i}" for i in range(MAX_CLAUSES + 10))
    parsed = parse_query(text, analyzer)
    assert parsed.required == (clause("财政局"),)
    assert [c.code for c in parsed.excluded] == [f"词{i}" for i in range(MAX_CLAUSES)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("（2023）演0121执1000号", "(2023)演0121执1000号"),
        ("（２０２３）演０１２１执１０００号", "(2023)演0121执1000号"),
        ('"（２０２３） 演0121 执1000号"', "(2023)演0121执1000号"),
        ("91350100MA2XY0AB1C", "91350100ma2xy0ab1c"),
        ("ＣＮ－２０２３－００１", "cn-2023-001"),
        ("财政局", ""),
        ("ＡＢＣ", ""),
        ('"信用 修复"', ""),
    ],
)
def test_code_is_set_only_when_the_chunk_has_a_digit(analyzer: Analyzer, text: str, code: str) -> None:
    (only,) = parse_query(text, analyzer).required
    assert only.code == code


def test_excluded_code(analyzer: Analyzer) -> None:
    parsed = parse_query("财政局 -（2023）演0121执1000号", analyzer)
    assert [c.code for c in parsed.excluded] == ["(2023)演0121执1000号"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("（２０２３） 演0121 执1000号", "(2023)演0121执1000号"),
        (" a b\tc\u3000d ", "abcd"),
        ("ＵＳＣＣ９１", "uscc91"),
        ("", ""),
    ],
)
def test_code_form(text: str, code: str) -> None:
    assert code_form(text) == code


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("财政局 拖欠账款 失信被执行人", ["失信被执行人", "拖欠账款", "财政局"]),
        ("财政局 财政局 财政局", ["财政局"]),
        ("财政局 -拖欠账款", ["财政局"]),
        ('"演示县财政局 信用修复" -拖欠 -"整改 结果"', ["演示县财政局", "信用修复"]),
        ("-财政局", []),
    ],
)
def test_highlight_words_are_required_words_longest_first(analyzer: Analyzer, text: str, words: list[str]) -> None:
    assert parse_query(text, analyzer).highlight_words == words


def test_highlight_words_of_a_case_number(analyzer: Analyzer) -> None:
    words = parse_query("（2023）演0121执1000号", analyzer).highlight_words
    assert sorted(words) == sorted({"2023", "演", "0121", "执", "1000", "号"})
    assert [len(w) for w in words] == sorted((len(w) for w in words), reverse=True)
