"""The search analyzer: NFKC, lower case and simplified characters, word positions, sub-words at their word's
position, domain terms kept whole."""

from __future__ import annotations

import pytest

from portal.search.analyzer import DOMAIN_TERMS, Analyzer, Token, fold, normalise

AGENCY = "演示县财政局"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([AGENCY])


@pytest.fixture(scope="module")
def plain() -> Analyzer:
    return Analyzer()


def positions(analyzer: Analyzer, text: str) -> dict[str, int]:
    return {token.text: token.position for token in analyzer.tokens(text)}


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("（２０２３）", "(2023)"),
        ("ＡＢＣ", "abc"),
        ("ABC 财政局", "abc 财政局"),
        ("\u3000", " "),
        ("㍿", "株式会社"),
        ("財政局", "财政局"),
        ("演示縣ＡＢＣ財政局", "演示县abc财政局"),
        ("失信被執行人", "失信被执行人"),
        ("", ""),
    ],
)
def test_normalise_is_nfkc_in_lower_case_with_simplified_characters(text: str, normalised: str) -> None:
    assert normalise(text) == normalised


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("財政局", "财政局"),
        ("後來瞭解", "后来了解"),
        ("财政局", "财政局"),  # simplified stays as it is
        ("ABC 123，。", "ABC 123，。"),
        ("𠀀財政局𠀀", "𠀀财政局𠀀"),
        ("", ""),
    ],
)
def test_fold_is_character_for_character(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert len(fold(text)) == len(text)  # offsets in the folded text are offsets in the text


def test_traditional_text_gives_the_words_of_simplified_text(analyzer: Analyzer) -> None:
    assert analyzer.words_of("演示縣財政局拖欠賬款") == analyzer.words_of("演示县财政局拖欠账款")
    assert analyzer.tokens("演示縣財政局拖欠賬款") == analyzer.tokens("演示县财政局拖欠账款")
    assert analyzer.words_of("失信被執行人") == ["失信被执行人"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("演示县财政局拖欠账款", ["演示县财政局", "拖欠账款"]),
        ("列入失信被执行人名单", ["列入", "失信被执行人", "名单"]),
        ("（２０２３）ＡＢＣ号", ["2023", "abc", "号"]),
        ("财政局，  公示。信用修复", ["财政局", "公示", "信用修复"]),
        ("Hello, World! 2023年", ["hello", "world", "2023", "年"]),
        ("", []),
        ("   ，。！？——", []),
        ("\n\t\u3000", []),
    ],
)
def test_words_of(analyzer: Analyzer, text: str, words: list[str]) -> None:
    assert analyzer.words_of(text) == words


def test_agency_name_is_one_word_and_its_sub_words_share_its_position(analyzer: Analyzer) -> None:
    found = analyzer.tokens("演示县财政局拖欠账款")
    assert found[0] == Token("演示县财政局", 0, 0, 6)
    assert positions(analyzer, "演示县财政局拖欠账款") == {
        "演示县财政局": 0,
        "演示": 0,
        "县": 0,
        "财政": 0,
        "政局": 0,
        "财政局": 0,
        "拖欠账款": 1,
        "拖欠": 1,
        "账款": 1,
    }


def test_without_the_agency_name_its_parts_are_separate_words(plain: Analyzer) -> None:
    found = positions(plain, "演示县财政局")
    assert (found["演示"], found["县"], found["财政局"], found["财政"]) == (0, 1, 2, 2)
    assert "演示县财政局" not in found


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_stay_one_word(plain: Analyzer, term: str) -> None:
    assert plain.words_of(f"关于{term}的公告") == ["关于", term, "的", "公告"]


def test_sub_word_of_a_domain_term_is_at_the_term_position(analyzer: Analyzer) -> None:
    found = positions(analyzer, "列入失信被执行人名单")
    assert (found["列入"], found["失信被执行人"], found["被执行人"], found["失信"], found["名单"]) == (0, 1, 1, 1, 2)


def test_full_width_text_gives_ascii_tokens_with_offsets_into_the_normalised_text(analyzer: Analyzer) -> None:
    assert analyzer.tokens("（２０２３）ＡＢＣ号") == [
        Token("2023", 0, 1, 5),
        Token("abc", 1, 6, 9),
        Token("号", 2, 9, 10),
    ]


@pytest.mark.parametrize("separator", ["，", "。 ", " ", "\u3000", "——", "!!!", "\n\n", "、", "（）", "\t"])
def test_punctuation_and_spaces_take_no_position(analyzer: Analyzer, separator: str) -> None:
    assert [(t.text, t.position) for t in analyzer.tokens(f"公示{separator}整改")] == [("公示", 0), ("整改", 1)]


@pytest.mark.parametrize(
    "text",
    [
        "演示县财政局，失信被执行人。",
        "（２０２３）演0121执1000号 ＡＢＣ",
        "㍿财政局公示",
        "𠀀财政局𠀀公示",
        "Hello, World! 信用修复 2023年",
    ],
)
def test_offsets_point_into_the_normalised_text(analyzer: Analyzer, text: str) -> None:
    normalised = normalise(text)
    found = analyzer.tokens(text)
    assert found
    for token in found:
        assert normalised[token.start : token.end] == token.text


@pytest.mark.parametrize("text", ["", " ", "，。！", "\n\t"])
def test_text_without_words_gives_no_tokens(analyzer: Analyzer, text: str) -> None:
    assert analyzer.tokens(text) == []


def test_positions_are_consecutive_word_numbers(analyzer: Analyzer) -> None:
    text = "2023年，演示县财政局拖欠账款未按期整改，被列为失信被执行人。"
    words = analyzer.words_of(text)
    found = analyzer.tokens(text)
    assert [t.text for t in found if t.text in words][: len(words)] == words
    assert sorted({t.position for t in found}) == list(range(len(words)))
    assert [t.position for t in found] == sorted(t.position for t in found)


def test_short_words_have_no_sub_words(analyzer: Analyzer) -> None:
    assert analyzer.tokens("公示") == [Token("公示", 0, 0, 2)]


def test_agency_names_are_normalised_and_blank_names_ignored() -> None:
    built = Analyzer(["演示县ＡＢＣ中心", " ", ""])
    assert "演示县abc中心" in built.words
    assert "" not in built.words
    assert set(DOMAIN_TERMS) <= set(built.words)
    assert built.words_of("演示县ABC中心公示") == ["演示县abc中心", "公示"]
