"""Markdown rendering and HTML sanitising: dangerous markup never survives, ordinary content does."""

from __future__ import annotations

import pytest

from portal.core.markup import render_markdown, sanitise_html

# (payload, substrings that must not appear in the output, compared in lower case)
XSS = [
    ("<script>alert(1)</script>", ["<script", "alert(1)"]),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", ["<script", "evil.example"]),
    ("正文<script>document.cookie</script>结束", ["<script", "document.cookie"]),
    ('<iframe src="https://evil.example/"></iframe>', ["<iframe", "evil.example"]),
    ("<img src=x onerror=alert(1)>", ["<img", "onerror", "alert(1)"]),
    ('<p onclick="alert(1)">点我</p>', ["onclick", "alert(1)"]),
    ('<a href="https://ok.example/" onmouseover="alert(1)">x</a>', ["onmouseover", "alert(1)"]),
    ("<svg onload=alert(1)><circle r=1></circle></svg>", ["<svg", "onload", "alert(1)"]),
    ("<style>body { background: url(javascript:alert(1)) }</style>", ["<style", "background", "javascript:"]),
    ('<p style="color:red">红</p>', ["style=", "color:red"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript:", "alert(1)"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript:", "alert(1)"]),
    ('<a href="jav&#x61;script:alert(1)">x</a>', ["javascript", "alert(1)"]),
    ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript", "msgbox"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:", "base64"]),
    ('<object data="https://evil.example/x.swf"></object>', ["<object", "evil.example"]),
    ('<embed src="https://evil.example/x.swf">', ["<embed", "evil.example"]),
    ('<form action="https://evil.example/"><input name="q"></form>', ["<form", "<input", "evil.example"]),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', ["<meta", "evil.example"]),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', ["<link", "evil.example"]),
    ("<!-- <script>alert(1)</script> -->", ["<script", "<!--", "alert(1)"]),
    ('<div id="x"><span class="y">文字</span></div>', ["<div", "<span", "class=", "id="]),
]

# Markdown syntax that produces dangerous HTML only once rendered.
MARKDOWN_XSS = [
    ("[点我](javascript:alert(1))", ["javascript:", "alert(1)"]),
    ("[点我](JAVASCRIPT:alert(1))", ["javascript:", "alert(1)"]),
    ("[点我]( javascript:alert(1) )", ["javascript:", "alert(1)"]),
    ("[点我](data:text/html;base64,PHNjcmlwdD4=)", ["data:", "base64"]),
    ("![图](javascript:alert(1))", ["javascript:", "<img"]),
    ("![图](https://evil.example/x.png)", ["<img", "evil.example"]),
    ("[x]: javascript:alert(1)\n\n[点我][x]", ["javascript:", "alert(1)"]),
]


@pytest.mark.parametrize(("payload", "forbidden"), XSS + MARKDOWN_XSS)
def test_render_markdown_removes_dangerous_markup(payload: str, forbidden: list[str]) -> None:
    html = render_markdown(payload).lower()
    for bad in forbidden:
        assert bad.lower() not in html


@pytest.mark.parametrize(("payload", "forbidden"), XSS)
def test_sanitise_html_removes_dangerous_markup(payload: str, forbidden: list[str]) -> None:
    html = sanitise_html(payload).lower()
    for bad in forbidden:
        assert bad.lower() not in html


def test_text_around_removed_tags_survives() -> None:
    assert sanitise_html("正文<script>x()</script>结束") == "正文结束"
    assert sanitise_html('<p style="color:red" onclick="x()">红</p>') == "<p>红</p>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**粗体** 与 *斜体*", "<p><strong>粗体</strong> 与 <em>斜体</em></p>"),
        (
            "[信用中国](https://www.creditchina.gov.cn/)",
            '<p><a href="https://www.creditchina.gov.cn/" rel="noopener noreferrer">信用中国</a></p>',
        ),
        (
            "[站点](http://example.cn/a?b=1)",
            '<p><a href="http://example.cn/a?b=1" rel="noopener noreferrer">站点</a></p>',
        ),
        (
            "[写信](mailto:xyb@example.cn)",
            '<p><a href="mailto:xyb@example.cn" rel="noopener noreferrer">写信</a></p>',
        ),
        ("## 公示期限", "<h2>公示期限</h2>"),
        ("1 < 2 & 3", "<p>1 &lt; 2 &amp; 3</p>"),
        ("`code`", "<p><code>code</code></p>"),
        ("> 引用", "<blockquote>\n<p>引用</p>\n</blockquote>"),
        ("- 一\n- 二", "<ul>\n<li>一</li>\n<li>二</li>\n</ul>"),
        ("1. 一\n2. 二", "<ol>\n<li>一</li>\n<li>二</li>\n</ol>"),
        ("", ""),
    ],
)
def test_render_markdown_exact(text: str, expected: str) -> None:
    assert render_markdown(text) == expected


def test_markdown_table_survives_without_style() -> None:
    html = render_markdown("| 等级 | 最短 | 最长 |\n|:--|--:|:-:|\n| 一般 | 3 个月 | 1 年 |\n")
    for piece in (
        "<table>",
        "<thead>",
        "<tbody>",
        "<th>等级</th>",
        "<th>最长</th>",
        "<td>一般</td>",
        "<td>1 年</td>",
    ):
        assert piece in html
    assert "style" not in html
    assert "text-align" not in html


def test_allowed_attributes_survive_in_html() -> None:
    html = sanitise_html(
        '<table><caption>表</caption><tr><th scope="col">甲</th></tr><tr><td>乙</td></tr></table>'
        '<abbr title="统一社会信用代码">USCC</abbr>'
    )
    assert '<th scope="col">甲</th>' in html
    assert "<caption>表</caption>" in html
    assert "<td>乙</td>" in html
    assert '<abbr title="统一社会信用代码">USCC</abbr>' in html


def test_link_rel_is_forced_and_title_kept() -> None:
    html = sanitise_html('<a href="https://example.cn/" rel="opener" title="说明" target="_blank">x</a>')
    assert html == '<a href="https://example.cn/" title="说明" rel="noopener noreferrer">x</a>'


def test_disallowed_heading_keeps_its_text() -> None:
    html = render_markdown("# 一级标题")
    assert "<h1" not in html
    assert "一级标题" in html
