"""Query syntax: words are all required, "quoted phrases", -exclusion; any input parses, bounded. Residents' input
(issue 16): operator twins, question words, synonyms and named agencies (with a Vocabulary), codes typed in groups,
and the any-word fallback."""

from __future__ import annotations

import pytest

from portal.search.analyzer import Analyzer
from portal.search.query import (
    MAX_CLAUSES,
    MAX_QUERY_CHARS,
    Clause,
    ParsedQuery,
    Term,
    code_form,
    operators,
    parse_query,
)
from portal.search.vocabulary import AgencyNames, Vocabulary, data_file


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(["演示县财政局"])


def clause(*words: str, phrase: bool = False, code: str = "", quoted: bool = False) -> Clause:
    return Clause(words, phrase, code, (), quoted)


@pytest.mark.parametrize(
    ("text", "required", "excluded"),
    [
        ("财政局", [clause("财政局")], []),
        ("财政局 拖欠账款", [clause("财政局"), clause("拖欠账款")], []),
        ("演示县财政局拖欠账款", [clause("演示县财政局", "拖欠账款")], []),
        ("财政局\t信用\n修复", [clause("财政局"), clause("信用"), clause("修复")], []),
        ("ＡＢＣ", [clause("abc")], []),
        ('"信用 修复"', [clause("信用", "修复", phrase=True, quoted=True)], []),
        ('"信用修复 整改"', [clause("信用修复", "整改", phrase=True, quoted=True)], []),
        ('"财政局"', [clause("财政局", quoted=True)], []),
        ("-财政局 信用", [clause("信用")], [clause("财政局")]),
        ("--财政局", [], [clause("财政局")]),
        ("- 财政局", [clause("财政局")], []),
        ('-"拖欠 账款" 财政局', [clause("财政局")], [clause("拖欠", "账款", phrase=True, quoted=True)]),
        ('"信用修复 财政局', [clause("信用修复", "财政局", phrase=True, quoted=True)], []),
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
        ("ＣＮ－２０２３－００１", "cn2023001"),  # without the hyphens people type inside codes
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
        ("YSX-2026-04287", "ysx202604287"),
        ("1199 0121-1000_0433/2J", "11990121100004332j"),
        ("ＹＳＸ－２０２６－０４２８７", "ysx202604287"),
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


# --- residents' input (issue 16) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ascii"),
    [
        ("“信用 修复”", '"信用 修复"'),  # curly quotes
        ("「信用 修复」", '"信用 修复"'),  # corner brackets
        ("『信用 修复』", '"信用 修复"'),
        ("〝信用 修复〞", '"信用 修复"'),
        ("„信用 修复‟", '"信用 修复"'),
        ("＂信用 修复＂", '"信用 修复"'),  # full-width, by NFKC
        ("财政局 －拖欠", "财政局 -拖欠"),  # full-width minus, by NFKC
        ("财政局 −拖欠", "财政局 -拖欠"),  # minus sign
        ("财政局 –拖欠", "财政局 -拖欠"),  # en dash
        ("财政局 ‐拖欠", "财政局 -拖欠"),  # hyphen
        ("财政局 ‑拖欠", "财政局 -拖欠"),  # non-breaking hyphen
        ("财政局 ﹣拖欠", "财政局 -拖欠"),  # small hyphen-minus
        ("-“拖欠 账款” 财政局", '-"拖欠 账款" 财政局'),
    ],
)
def test_operator_twins_act_as_the_operators(analyzer: Analyzer, typed: str, ascii: str) -> None:
    assert operators(typed) == ascii
    assert parse_query(typed, analyzer) == parse_query(ascii, analyzer)


def test_operator_twins_change_nothing_else() -> None:
    assert operators("财政局（2023）ＡＢＣ") == "财政局(2023)ABC"  # NFKC only
    assert operators("信用修复") == "信用修复"


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("怎样才能修复信用", [clause("修复", "信用")]),
        ("如何修复信用", [clause("修复", "信用")]),
        ("怎样才能 修复信用", [clause("修复", "信用")]),  # a chunk of question words only is left out
        ("财政局怎么办", [clause("财政局")]),
        ("我想查询财政局的欠款", [clause("财政局", "欠款")]),
        ("怎么办", [clause("怎么办")]),  # nothing else: still searched
        ("怎么办 吗", [clause("怎么办"), clause("吗")]),
        ('"怎么办"', [clause("怎么办", quoted=True)]),  # inside quotes they stay
        ('"如何 修复"', [clause("如何", "修复", phrase=True, quoted=True)]),
    ],
)
def test_question_words_are_dropped_unless_nothing_else_is_left(
    analyzer: Analyzer, text: str, required: list[Clause]
) -> None:
    assert parse_query(text, analyzer).required == tuple(required)


def test_question_words_are_the_data_files(analyzer: Analyzer) -> None:
    assert {"怎样", "怎么办", "如何", "吗"} <= data_file().question_words
    assert "财政局" not in data_file().question_words


def test_an_excluded_question_word_is_still_excluded(analyzer: Analyzer) -> None:
    parsed = parse_query("财政局 -怎么办", analyzer)
    assert parsed.required == (clause("财政局"),)
    assert parsed.excluded == (clause("怎么办"),)


FINANCE = AgencyNames("U-FINANCE", "演示县财政局", "演示县")
REFORM = AgencyNames("U-REFORM", "演示县发展和改革局", "演示县")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(
        {"欠钱": ["拖欠账款"], "修复信用": ["信用修复"], "赖账": ["拖欠账款", "失信被执行人"]},
        [FINANCE, REFORM],
        data_file().abbreviations,
    )


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("欠钱", [Term(("欠钱",), (("拖欠账款",),))]),
        ("赖账", [Term(("赖账",), (("拖欠账款",), ("失信被执行人",)))]),
        ("修复信用", [Term(("修复", "信用"), (("信用修复",),))]),  # a run of words
        ("怎样才能修复信用", [Term(("修复", "信用"), (("信用修复",),))]),
        ("财政局欠钱", [Term(("财政局",), (), (FINANCE.uscc,)), Term(("欠钱",), (("拖欠账款",),))]),
        ("财政局拖欠账款", [Term(("财政局",), (), (FINANCE.uscc,)), Term(("拖欠账款",))]),
        ("演示县财政局", [Term(("演示县财政局",), (), (FINANCE.uscc,))]),
        ("发改委", [Term(("发改委",), (), (REFORM.uscc,))]),
        ("拖欠账款", []),  # nothing stands for anything: each word alone
        ("天气", []),
        ("财政局2026", []),  # a code is not looked up
    ],
)
def test_terms_group_the_words_that_stand_for_something(
    analyzer: Analyzer, vocabulary: Vocabulary, text: str, terms: list[Term]
) -> None:
    (only,) = parse_query(text, analyzer, vocabulary).required
    assert only.terms == tuple(terms)
    assert only.match_terms == (tuple(terms) or tuple(Term((w,)) for w in only.words))


def test_without_a_vocabulary_nothing_stands_for_anything(analyzer: Analyzer) -> None:
    assert parse_query("财政局欠钱", analyzer) == ParsedQuery((clause("财政局", "欠钱"),))


def test_an_exclusion_excludes_what_the_same_words_would_find(analyzer: Analyzer, vocabulary: Vocabulary) -> None:
    parsed = parse_query("拖欠 -欠钱 -发改委", analyzer, vocabulary)
    assert parsed.excluded == (
        Clause(("欠钱",), False, "", (Term(("欠钱",), (("拖欠账款",),)),)),
        Clause(("发改委",), False, "", (Term(("发改委",), (), (REFORM.uscc,)),)),
    )
    assert parsed.agencies == ()  # an excluded agency is not named


def test_phrases_are_taken_as_typed(analyzer: Analyzer, vocabulary: Vocabulary) -> None:
    parsed = parse_query('"修复 信用" "如何 欠钱"', analyzer, vocabulary)
    assert parsed.required == (
        clause("修复", "信用", phrase=True, quoted=True),
        clause("如何", "欠钱", phrase=True, quoted=True),
    )


@pytest.mark.parametrize(
    ("text", "agencies", "only"),
    [
        ("财政局", ("U-FINANCE",), ()),
        ('"财政局"', ("U-FINANCE",), ("U-FINANCE",)),  # a quoted agency name: its items only
        ('"演示县财政局"', ("U-FINANCE",), ("U-FINANCE",)),
        ("“发改委”", ("U-REFORM",), ("U-REFORM",)),
        ("发改委 财政局", ("U-REFORM", "U-FINANCE"), ()),  # in the order named
        ("财政局 财政局", ("U-FINANCE",), ()),
        ('"财政局 欠钱"', (), ()),  # a phrase that is more than a name
        ("财政局欠钱", ("U-FINANCE",), ()),
        ("-财政局 欠钱", (), ()),
        ("天气", (), ()),
    ],
)
def test_named_agencies(
    analyzer: Analyzer, vocabulary: Vocabulary, text: str, agencies: tuple[str, ...], only: tuple[str, ...]
) -> None:
    parsed = parse_query(text, analyzer, vocabulary)
    assert parsed.agencies == agencies
    assert tuple(u for c in parsed.required for u in c.only_agencies) == only


def test_highlight_words_include_what_synonyms_stand_for(analyzer: Analyzer, vocabulary: Vocabulary) -> None:
    assert parse_query("赖账", analyzer, vocabulary).highlight_words == ["失信被执行人", "拖欠账款", "赖账"]
    assert parse_query("-欠钱 财政局", analyzer, vocabulary).highlight_words == ["财政局"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("YSX 2026 04287", "ysx202604287"),  # a code typed in groups
        ("1199 0121 1000 0433 2J", "11990121100004332j"),
        ("（2026） 演0121 执1000号", "(2026)演0121执1000号"),
        ("YSX-2026 04287", "ysx202604287"),
        ("YSX-2026-04287", ""),  # one chunk: its clause has the code
        ("财政局 拖欠", ""),  # no digit
        ("YSX 2026 -04287", ""),  # with an exclusion
        ('"YSX 2026" 04287', ""),  # with quotes
    ],
)
def test_the_whole_query_as_one_code(analyzer: Analyzer, text: str, code: str) -> None:
    assert parse_query(text, analyzer).code == code


def test_loosened_is_each_term_on_its_own(analyzer: Analyzer) -> None:
    parsed = parse_query("财政局 天气 -拖欠", analyzer)
    assert parsed.loosened() == ParsedQuery(parsed.required, parsed.excluded, "", any_word=True)
    assert not parsed.any_word
    one_chunk = parse_query("财政局天气 -拖欠", analyzer)
    assert one_chunk.loosened() == ParsedQuery(
        (Clause(("财政局",), False, "", (Term(("财政局",)),)), Clause(("天气",), False, "", (Term(("天气",)),))),
        one_chunk.excluded,
        "",
        any_word=True,
    )


def test_loosened_splits_a_chunk_into_its_terms_and_keeps_phrases_and_runs(
    analyzer: Analyzer, vocabulary: Vocabulary
) -> None:
    loosened = parse_query('财政局天气 "信用 修复" 修复信用', analyzer, vocabulary).loosened()
    assert loosened is not None
    assert [(c.words, c.phrase) for c in loosened.required] == [
        (("财政局",), False),
        (("天气",), False),
        (("信用", "修复"), True),
        (("修复", "信用"), False),  # a synonym's run stays one term
    ]
    assert loosened.agencies == ("U-FINANCE",)  # the agency it names is still named


@pytest.mark.parametrize("text", ["YSX 2026 04287", "财政局 YSX-2026-04287", "（2026）演0121执1000号 天气"])
def test_an_identifier_is_not_loosened(analyzer: Analyzer, text: str) -> None:
    # a case number that is not listed must find nothing, not everything with its digits
    assert parse_query(text, analyzer).loosened() is None


@pytest.mark.parametrize("text", ["财政局", '"信用 修复"', "修复信用", "", "-财政局", "财政局 -天气"])
def test_nothing_to_loosen(analyzer: Analyzer, vocabulary: Vocabulary, text: str) -> None:
    assert parse_query(text, analyzer, vocabulary).loosened() is None


def _heard(text: str) -> str:
    readings = {"财": "cai", "政": "zen", "正": "zen", "证": "zen", "局": "ju", "邮": "you", "演": "yan", "示": "si"}
    return " ".join(readings.get(ch, ch) for ch in text)


@pytest.fixture(scope="module")
def heard() -> Vocabulary:
    return Vocabulary({"欠钱": ["拖欠账款"]}, [FINANCE, REFORM], data_file().abbreviations, None, (), _heard)


@pytest.mark.parametrize(
    ("text", "near", "agencies"),
    [
        ("财正局", False, ()),  # as typed: a near miss names nothing
        ("财正局", True, ("U-FINANCE",)),  # when asked for near misses (nothing was found as typed)
        ("财正局欠钱", True, ("U-FINANCE",)),
        ("财政局", True, ("U-FINANCE",)),
        ('"财正局"', True, ()),  # quoted: exact names only
        ("-财正局 欠钱", True, ()),
        ("邮政局", True, ()),
    ],
)
def test_near_misses_only_when_asked(
    analyzer: Analyzer, heard: Vocabulary, text: str, near: bool, agencies: tuple[str, ...]
) -> None:
    parsed = parse_query(text, analyzer, heard, near=near)
    assert parsed.agencies == agencies
    assert not parsed.excluded or parsed.excluded[0].agencies == ()
