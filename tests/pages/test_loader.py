"""parse_page: YAML front matter + markdown body, sanitised."""

from __future__ import annotations

from datetime import date

import pytest

from portal.pages.loader import ContentPage, PageError, parse_page

GOOD = """---
title: 关于本站
summary: 本站公示政务诚信信息。
order: 2
updated: 2025-10-09
---
## 公示期限

一般失信 **至少 3 个月**，详见[信用中国](https://www.creditchina.gov.cn/)。
"""


def test_good_page() -> None:
    page = parse_page("about", GOOD)
    assert page == ContentPage(
        slug="about",
        title="关于本站",
        summary="本站公示政务诚信信息。",
        order=2,
        updated=date(2025, 10, 9),
        html=(
            "<h2>公示期限</h2>\n<p>一般失信 <strong>至少 3 个月</strong>，详见"
            '<a href="https://www.creditchina.gov.cn/" rel="noopener noreferrer">信用中国</a>。</p>'
        ),
    )


@pytest.mark.parametrize(
    ("text", "summary", "order", "updated"),
    [
        ("---\ntitle: 只有标题\n---\n正文\n", "", 100, None),
        ("---\ntitle: 日期是文字\nupdated: soon\n---\n正文\n", "", 100, None),
        ("---\ntitle: 引号日期\nupdated: '2025-10-09'\n---\n正文\n", "", 100, None),
        ("---\ntitle: 数字\norder: '7'\nsummary: 42\n---\n正文\n", "42", 7, None),
        ("---\ntitle: 负序\norder: -1\nupdated: 2026-02-28\n---\n", "", -1, date(2026, 2, 28)),
        ("---\ntitle: 空摘要\nsummary:\n---\n正文\n", "", 100, None),
    ],
)
def test_defaults_and_conversions(text: str, summary: str, order: int, updated: date | None) -> None:
    page = parse_page("p", text)
    assert (page.summary, page.order, page.updated) == (summary, order, updated)


def test_title_is_text_even_when_yaml_reads_a_number() -> None:
    assert parse_page("p", "---\ntitle: 2025\n---\n正文\n").title == "2025"


def test_empty_body() -> None:
    page = parse_page("p", "---\ntitle: 空\n---\n")
    assert (page.title, page.html) == ("空", "")


def test_separator_in_body_is_kept_as_a_rule() -> None:
    page = parse_page("p", "---\ntitle: 分隔\n---\n上\n\n---\n\n下\n")
    assert page.html == "<p>上</p>\n<hr>\n<p>下</p>"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "正文，没有前置元数据",
        "title: 关于\n---\n正文\n",
        "# 关于\n\n正文\n",
        "--- \ntitle: 关于\n---\n正文\n",
        "\n---\ntitle: 关于\n---\n正文\n",
        "----\ntitle: 关于\n---\n正文\n",
    ],
)
def test_missing_front_matter(text: str) -> None:
    with pytest.raises(PageError, match=r"^about: missing front matter$"):
        parse_page("about", text)


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: [未闭合\n---\n正文\n",
        "---\ntitle: 关于\n  bad: indent\n---\n正文\n",
        "---\ntitle: 'unterminated\n---\n正文\n",
        "---\ntitle: 关于\n\tsummary: tab\n---\n正文\n",
        "---\ntitle: 关于\nupdated: 2025-13-45\n---\n正文\n",
    ],
)
def test_bad_yaml(text: str) -> None:
    with pytest.raises(PageError, match=r"^about: unreadable front matter"):
        parse_page("about", text)


def test_unclosed_front_matter() -> None:
    with pytest.raises(PageError, match=r"^about: front matter is not closed"):
        parse_page("about", "---\ntitle: 关于\n正文没有结束的分隔线\n")


@pytest.mark.parametrize(
    "text",
    [
        "---\nsummary: 没有标题\n---\n正文\n",
        "---\ntitle: ''\n---\n正文\n",
        "---\ntitle:\n---\n正文\n",
        "---\n\n---\n正文\n",
        "---\n- title\n- 关于\n---\n正文\n",
        "---\n只是一行字\n---\n正文\n",
        "---\nTitle: 大小写不对\n---\n正文\n",
    ],
)
def test_missing_title(text: str) -> None:
    with pytest.raises(PageError, match=r"^about: front matter needs a title$"):
        parse_page("about", text)


@pytest.mark.parametrize("order", ["abc", "[1, 2]", "{a: 1}", "'3.5'"])
def test_bad_order_is_a_page_error(order: str) -> None:
    with pytest.raises(PageError, match=r"^about: "):
        parse_page("about", f"---\ntitle: 关于\norder: {order}\n---\n正文\n")


def test_page_error_is_a_value_error() -> None:
    assert issubclass(PageError, ValueError)


def test_markdown_body_is_sanitised() -> None:
    body = (
        "正文\n\n<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[点我](javascript:alert(1))\n\n"
        '<iframe src="https://evil.example/"></iframe>\n\n'
        "<style>p { display: none }</style>\n\n结尾\n"
    )
    html = parse_page("p", "---\ntitle: 测试\n---\n" + body).html
    for bad in (
        "<script",
        "alert",
        "onerror",
        "<img",
        "javascript:",
        "<iframe",
        "evil.example",
        "<style",
        "display",
    ):
        assert bad not in html
    assert html.startswith("<p>正文</p>")
    assert html.endswith("<p>结尾</p>")
    assert "点我" in html


def test_title_and_summary_are_plain_text_not_rendered() -> None:
    page = parse_page("p", "---\ntitle: '<b>粗</b>'\nsummary: '**摘要**'\n---\n正文\n")
    assert page.title == "<b>粗</b>"  # the template escapes it
    assert page.summary == "**摘要**"
