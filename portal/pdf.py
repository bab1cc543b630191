"""The one PDF engine: HTML → PDF with WeasyPrint, for the credit office's letters, the monthly bulletin and the
agency credit report. Nothing is fetched while rendering (the style is inline; the CJK fonts, Noto Serif/Sans CJK
SC from Debian's fonts-noto-cjk, come from the system's fontconfig and are embedded as subsets). Official documents
are written in Chinese whatever the reader's language, so the date helper here writes Chinese."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

# The sender printed on every document. A deployment names its own office with a setting `office_name` when the
# settings have one; the demo county's office otherwise.
DEFAULT_OFFICE_NAME = "演示县社会信用体系建设领导小组办公室"


def office_name() -> str:
    return str(getattr(current_app.config["PORTAL_SETTINGS"], "office_name", "") or DEFAULT_OFFICE_NAME)


def chinese_date(day: date) -> str:
    """A date as an official document writes it: 2026年11月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A document needs nothing from outside: no URL is ever fetched while rendering it."""
    raise ValueError(f"the PDF fetches nothing: {url}")


def render_pdf(html: str) -> bytes:
    """HTML → PDF with WeasyPrint; the CJK fonts it uses are embedded as subsets."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # imported when a PDF is made, not at start

    pdf = HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
        raise ValueError("WeasyPrint returned no PDF")
    return pdf
