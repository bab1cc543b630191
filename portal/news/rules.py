"""News as content files (issue 17): 信用动态 (the credit office's news) and 典型案例 — positive cases of government
bodies that put a breach of faith right, which 新信用发〔2018〕6号 二(七) asks to publicise
(对失信政府机构进行积极整改的正面案例进行宣传).

content/news/<slug>.md holds YAML front matter and a markdown body, read as content/ pages are (portal/pages/loader):

    ---
    title: "……"
    date: 2026-11-12        # the day it is published: not shown before it
    kind: 典型案例            # 信用动态 or 典型案例
    summary: "……"           # lists, feeds, search and the page's meta description
    updated: 2026-11-15     # optional: a later correction (feeds' `updated`)
    ---

<slug>.en.md beside it is the English twin: its title, summary and body; the date and kind are always the Chinese
file's, so the two cannot disagree. Pure: no Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.core.labelled import N_, LabelledEnum
from portal.core.markup import render_markdown
from portal.pages.loader import PageError, read_front_matter


class NewsKind(LabelledEnum):
    UPDATE = "update", N_("信用动态")
    CASE = "case", N_("典型案例")  # 新信用发〔2018〕6号 二(七)


KINDS_BY_LABEL = {kind.msgid: kind for kind in NewsKind}  # the front matter names the kind by its Chinese label


@dataclass(frozen=True)
class NewsItem:
    slug: str
    title: str
    kind: NewsKind
    day: date  # the front matter's `date`: the day it is published
    summary: str
    html: str
    updated: date  # the front matter's `updated`, else the day


def _day(slug: str, name: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise PageError(f"{slug}: {name} must be a date such as 2026-11-12, not {value!r}")
    return value


def parse_news(slug: str, text: str, original: NewsItem | None = None) -> NewsItem:
    """A news file. `original` is the Chinese item when `text` is its English twin: the twin's date and kind are the
    original's, whatever it says. PageError (naming the file) when the front matter lacks what a news item needs."""
    front, body = read_front_matter(slug, text)
    summary = str(front.get("summary") or "").strip()
    if not summary:
        raise PageError(f"{slug}: front matter needs a summary")
    if original is not None:
        kind, day = original.kind, original.day
    else:
        if str(front.get("kind")) not in KINDS_BY_LABEL:
            raise PageError(f"{slug}: kind must be one of {', '.join(KINDS_BY_LABEL)}, not {front.get('kind')!r}")
        kind, day = KINDS_BY_LABEL[str(front["kind"])], _day(slug, "date", front.get("date"))
    unchanged = original.updated if original is not None else day
    updated = _day(slug, "updated", front["updated"]) if front.get("updated") else unchanged
    return NewsItem(
        slug=slug,
        title=str(front["title"]),
        kind=kind,
        day=day,
        summary=summary,
        html=render_markdown(body),
        updated=max(updated, day),
    )


def is_shown(item: NewsItem, today: date) -> bool:
    """An item is public from its date on (a file may be put in place before the day it is to appear)."""
    return item.day <= today


def newest_first(items: list[NewsItem]) -> list[NewsItem]:
    return sorted(items, key=lambda item: (item.day, item.slug), reverse=True)
