"""Helpers for asserting on HTML that users see."""

from __future__ import annotations

import re

import html5lib


def parse_strict(body: str) -> None:
    """Fail on any HTML parse error (unclosed tags, bad nesting, duplicate attributes...)."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body)


def title_of(body: str) -> str:
    match = re.search(r"<title>(.*?)</title>", body, re.S)
    assert match, "page has no <title>"
    return match.group(1).strip()


def visible_text(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
