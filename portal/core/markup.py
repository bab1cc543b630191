"""Markdown to HTML for content pages and user text, always sanitised with nh3."""

from __future__ import annotations

import threading

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "abbr",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}


_PER_THREAD = threading.local()


def _converter() -> markdown_lib.Markdown:
    """One converter per thread, reset before each use: building one costs more than converting a short text
    (a search rebuild renders every record's summary)."""
    converter: markdown_lib.Markdown | None = getattr(_PER_THREAD, "converter", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        _PER_THREAD.converter = converter
    return converter


def render_markdown(text: str) -> str:
    """Safe HTML: no scripts, iframes, styles, event attributes or javascript: links survive."""
    html = _converter().reset().convert(text)
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
