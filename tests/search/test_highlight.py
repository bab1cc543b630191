"""Highlighting: stored text escaped, query words wrapped in <mark> across case, NFKC and traditional/simplified
characters, snippets around the match."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import Markup, escape

from portal.search.analyzer import Analyzer
from portal.search.highlight import SNIPPET_CHARS, mark, snippet
from portal.search.query import parse_query
from portal.search.vocabulary import Vocabulary
from tests.html import css

QUARTER = SNIPPET_CHARS // 4


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def unmarked(html: str) -> str:
    return html.replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize(
    ("text", "words", "html"),
    [
        ("演示县财政局拖欠账款", ["财政局"], "演示县<mark>财政局</mark>拖欠账款"),
        ("财政局财政局", ["财政局"], "<mark>财政局</mark><mark>财政局</mark>"),
        ("财政局", ["财政局", "财政局"], "<mark>财政局</mark>"),
        ("公示：财政局拖欠账款", ["拖欠账款", "财政局"], "公示：<mark>财政局</mark><mark>拖欠账款</mark>"),
        ("财政局", ["无关"], "财政局"),
        ("财政局", [], "财政局"),
        ("财政局", [""], "财政局"),
        ("", ["财政局"], ""),
    ],
)
def test_mark(text: str, words: list[str], html: str) -> None:
    assert mark(text, words) == Markup(html)


@pytest.mark.parametrize(
    ("text", "words", "html"),
    [
        ("<script>alert(1)</script>财政局", ["财政局"], "&lt;script&gt;alert(1)&lt;/script&gt;<mark>财政局</mark>"),
        ('<a href="x">财政局</a>', [], "&lt;a href=&#34;x&#34;&gt;财政局&lt;/a&gt;"),
        ("a<b>c", ["<b>"], "a<mark>&lt;b&gt;</mark>c"),
        ('x "&" y', ['"&"'], "x <mark>&#34;&amp;&#34;</mark> y"),
        ("财政局 & 公示", ["<mark>"], "财政局 &amp; 公示"),
    ],
)
def test_mark_escapes_text_and_words(text: str, words: list[str], html: str) -> None:
    assert str(mark(text, words)) == html


@pytest.mark.parametrize(
    ("text", "words", "html"),
    [
        ("ABC abc Abc", ["abc"], "<mark>ABC</mark> <mark>abc</mark> <mark>Abc</mark>"),
        ("（２０２３）演0121执1000号", ["2023"], "（<mark>２０２３</mark>）演0121执1000号"),
        ("ＡＢＣ公司", ["abc"], "<mark>ＡＢＣ</mark>公司"),
        ("（2023）", ["(2023)"], "<mark>（2023）</mark>"),
        ("㍿财政局", ["会社"], "<mark>㍿</mark>财政局"),
    ],
)
def test_mark_matches_case_insensitively_and_across_nfkc_keeping_the_original(
    text: str, words: list[str], html: str
) -> None:
    assert str(mark(text, words)) == html


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("e\u0301", "é"),  # decomposed é, as some input methods and macOS produce it
        ("ｶﾞ", "ガ"),  # half-width katakana with a separate voiced mark
    ],
)
def test_mark_normalises_character_sequences_like_the_analyzer(analyzer: Analyzer, text: str, query: str) -> None:
    # The analyzer normalises the whole text, so the document is found by the query: its word must be marked too.
    words = parse_query(query, analyzer).highlight_words
    assert analyzer.words_of(text) == words
    assert str(mark(text, words)) == f"<mark>{text}</mark>"


@pytest.mark.parametrize(
    ("text", "words", "html"),
    [
        ("演示县财政局", ["演示县财政局", "财政局", "财政"], "<mark>演示县财政局</mark>"),
        ("演示县财政局", ["财政", "演示县财政局", "县财"], "<mark>演示县财政局</mark>"),
        ("财政局财政", ["财政局", "财政"], "<mark>财政局</mark><mark>财政</mark>"),
        ("失信被执行人", ["被执行人", "失信被执行人"], "<mark>失信被执行人</mark>"),
    ],
)
def test_overlapping_words_give_one_mark(text: str, words: list[str], html: str) -> None:
    assert str(mark(text, words)) == html


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("演示县财政局拖欠账款，<b>公示</b>", ["演示县财政局", "财政局", "财政", "公示"]),
        ("（２０２３）演０１２１执１０００号", ["2023", "演", "0121", "执", "1000", "号"]),
        ("2023年㋀", ["2023", "年", "1", "月"]),  # ㋀ is NFKC "1月": the words of the query "2023年1月"
        ("㍿", ["株式", "会社"]),  # ㍿ is NFKC "株式会社"
    ],
)
def test_marking_never_changes_or_repeats_the_text(text: str, words: list[str]) -> None:
    html = str(mark(text, words))
    assert unmarked(html) == escape(text)
    assert css(html, "mark mark") == []  # no <mark> inside another


def test_mark_is_the_same_in_every_process() -> None:
    # Equal-length overlapping words: which one is marked must not depend on the process's hash seed.
    code = "from portal.search.highlight import mark; print(mark('财政局', ['财政', '政局']))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(outputs) == 1


def test_mark_returns_markup_that_is_not_escaped_again() -> None:
    marked = mark("<i>财政局</i>", ["财政局"])
    assert isinstance(marked, Markup)
    assert Markup("<p>{}</p>").format(marked) == "<p>&lt;i&gt;<mark>财政局</mark>&lt;/i&gt;</p>"


def test_snippet_is_cut_around_the_first_match() -> None:
    text = "甲" * 200 + "财政局" + "乙" * 200 + "财政局"
    assert snippet(text, ["财政局"]) == Markup(
        "…" + "甲" * QUARTER + "<mark>财政局</mark>" + "乙" * (SNIPPET_CHARS - QUARTER - 3) + "…"
    )


@pytest.mark.parametrize(
    ("text", "words", "html"),
    [
        ("财政局" + "乙" * 300, ["财政局"], "<mark>财政局</mark>" + "乙" * (SNIPPET_CHARS - 3) + "…"),
        ("甲" * 300 + "财政局", ["财政局"], "…" + "甲" * QUARTER + "<mark>财政局</mark>"),
        ("甲" * 300, ["财政局"], "甲" * SNIPPET_CHARS + "…"),
        ("甲" * 300, [], "甲" * SNIPPET_CHARS + "…"),
        ("短文本", ["财政局"], "短文本"),
        ("短文本，财政局公示", ["财政局"], "短文本，<mark>财政局</mark>公示"),
        ("a   b\n\nc\t财政局", ["财政局"], "a b c <mark>财政局</mark>"),
        ("", ["财政局"], ""),
    ],
)
def test_snippet(text: str, words: list[str], html: str) -> None:
    assert snippet(text, words) == Markup(html)


def test_snippet_matches_across_nfkc() -> None:
    text = "甲" * 200 + "（２０２３）演0121执1000号" + "乙" * 200
    html = str(snippet(text, ["2023"]))
    assert html.startswith("…" + "甲" * (QUARTER - 1) + "（<mark>２０２３</mark>）演0121")
    assert html.endswith("乙…")


def test_snippet_escapes_html() -> None:
    text = "<script>alert(1)</script>" + "甲" * 200 + "财政局" + "<b>" + "乙" * 200
    html = str(snippet(text, ["财政局"]))
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<mark>财政局</mark>&lt;b&gt;乙" in html


def test_snippet_marks_every_word_inside_the_window() -> None:
    assert str(snippet("财政局拖欠账款，财政局整改", ["财政局", "整改"])) == (
        "<mark>财政局</mark>拖欠账款，<mark>财政局</mark><mark>整改</mark>"
    )


def test_snippet_size() -> None:
    assert (
        str(snippet("甲" * 20 + "财政局" + "乙" * 20, ["财政局"], size=12)) == "…甲甲甲<mark>财政局</mark>乙乙乙乙乙乙…"
    )


@pytest.mark.parametrize(
    ("text", "query", "html"),
    [
        ("演示县财政局拖欠账款", "財政局", "演示县<mark>财政局</mark>拖欠账款"),  # a traditional query, simplified text
        ("演示縣財政局拖欠賬款", "财政局", "演示縣<mark>財政局</mark>拖欠賬款"),  # and the reverse
        ("演示縣財政局拖欠賬款", "拖欠账款", "演示縣財政局<mark>拖欠賬款</mark>"),
        ("被列为失信被执行人", "失信被執行人", "被列为<mark>失信被执行人</mark>"),
        ("ＡＢＣ財政局", "abc 财政局", "<mark>ＡＢＣ</mark><mark>財政局</mark>"),  # with NFKC and case too
    ],
)
def test_mark_matches_traditional_and_simplified_characters_alike(
    analyzer: Analyzer, text: str, query: str, html: str
) -> None:
    assert str(mark(text, parse_query(query, analyzer).highlight_words)) == html


def test_snippet_is_cut_around_a_traditional_match() -> None:
    text = "甲" * 200 + "財政局" + "乙" * 200
    assert snippet(text, ["财政局"]) == Markup(
        "…" + "甲" * QUARTER + "<mark>財政局</mark>" + "乙" * (SNIPPET_CHARS - QUARTER - 3) + "…"
    )


def test_what_a_synonym_stands_for_is_marked(analyzer: Analyzer) -> None:
    words = parse_query("欠钱", analyzer, Vocabulary({"欠钱": ["拖欠账款"]})).highlight_words
    assert str(mark("演示县司法局拖欠账款", words)) == "演示县司法局<mark>拖欠账款</mark>"
