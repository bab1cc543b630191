"""What the front page and the site map read (issue 17): the statistics band, counted with the very queries of the
lists each figure links to (so a figure and its list's total cannot differ), and every public address for the site
map (/sitemap and /sitemap.xml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from portal.agencies.models import Agency
from portal.clock import local_time
from portal.commitments.models import Commitment
from portal.commitments.queries import public_commitments
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.news.queries import shown_news
from portal.news.rules import NewsKind
from portal.pages.loader import list_pages
from portal.records.queries import listed_defaulter_count, public_records
from portal.rectifications.queries import public_outcomes
from portal.rectifications.rules import CaseState
from portal.reports.queries import published_bulletins
from portal.statistics.queries import ComplaintMonth, complaint_months
from portal.statistics.rules import count_months

POLICY_PREFIX = "policy-"  # content/policy-*.md: the 政策法规 (policy summaries) of the front page


@dataclass(frozen=True)
class Band:
    """The front page's figures, each the total of the list (or statistics table) it links to."""

    defaulters: int  # bodies listed as 失信被执行人 now (动态清零): /agencies/?listed=judgment_defaulter
    records: int  # public records: /records/
    overdue: int  # of them 逾期未整改 (新信用发〔2018〕6号 二(五), the overdue list): /records/?case=overdue
    outcomes: int  # finished rectifications (整改结果): /outcomes/
    commitments: int  # public commitments: /commitments/
    published_complaints: int  # closed complaints published with consent: /complaints/
    complaints: ComplaintMonth  # this month's complaints (statistics, issue 10): /statistics/#complaints


def _total(query: Select[Any]) -> Any:
    """How many rows a list's query gives: the count its pagination states."""
    return select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()


def band(today: date) -> Band:
    """Four statements: the bodies listed (动态清零), the list totals in one, and this month's complaints (the
    statistics' own query)."""
    records, overdue, outcomes, commitments, published = db.session.execute(
        select(
            _total(public_records(today)),
            _total(public_records(today, {"case": CaseState.OVERDUE.value})),
            _total(public_outcomes(today)),
            _total(public_commitments({})),
            select(func.count()).where(Complaint.published).scalar_subquery(),
        )
    ).one()
    return Band(
        defaulters=listed_defaulter_count(today),
        records=int(records),
        overdue=int(overdue),
        outcomes=int(outcomes),
        commitments=int(commitments),
        published_complaints=int(published),
        complaints=complaint_months(count_months(today, 1))[-1],
    )


def policy_pages(content_dir: Path, lang: str) -> list[Any]:
    """The policy summaries (政策法规) among the content pages, in their order."""
    return [page for page in list_pages(content_dir, lang) if page.slug.startswith(POLICY_PREFIX)]


# --- the site map -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One address of the site map: its endpoint and values (for url_for), its name, and when it last changed."""

    endpoint: str
    title: Any  # a string, or a lazy msgid shown in the reader's language
    values: tuple[tuple[str, str], ...] = ()
    updated: date | None = None

    @property
    def args(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    places: list[Place]


LISTS = [
    Place("home.index", _l("首页")),
    Place("records.index", _l("失信记录")),
    Place("commitments.index", _l("政务承诺")),
    Place("agencies.index", _l("诚信档案")),
    Place("evaluation.index", _l("诚信评价")),
    Place("evaluation.method", _l("诚信评价方法")),
    Place("outcomes.index", _l("整改结果")),
    Place("reports.index", _l("月度通报")),
    Place("statistics.index", _l("统计数据")),
    Place("news.index", _l("信用动态与典型案例")),
    Place("complaints.index", _l("投诉办理结果")),
    Place("opendata.index", _l("开放数据")),
    Place("opendata.dictionary", _l("数据字典")),
    Place("developers.page", _l("开放数据接口（API）")),
    Place("pages.index", _l("政策与指南")),
]
SERVICES = [
    Place("complaints.new", _l("我要投诉")),
    Place("complaints.status", _l("投诉进度查询")),
    Place("objections.status", _l("异议进度查询")),
    Place("agencies.report_check", _l("政务诚信报告核验")),
    Place("search.page", _l("搜索")),
]


def content_sections(content_dir: Path, lang: str, today: date) -> list[Section]:
    """The lists, the services, the content pages and the news: the site map page shows these."""
    pages = [Place("pages.show", p.title, (("slug", p.slug),), p.updated) for p in list_pages(content_dir, lang)]
    news = shown_news(content_dir, lang, today)
    return [
        Section("lists", _l("栏目"), LISTS),
        Section("services", _l("办事服务"), SERVICES),
        Section("pages", _l("政策与指南"), pages),
        *(
            Section(
                f"news-{kind.value}",
                kind.label,
                [Place("news.show", n.title, (("slug", n.slug),), n.updated) for n in news if n.kind is kind],
            )
            for kind in NewsKind
        ),
    ]


def item_places() -> list[Place]:
    """Every published bulletin, agency (诚信档案), public commitment and published complaint: sitemap.xml lists these
    too. Records are left out: there can be 100,000 (a sitemap file holds 50,000) and each stops being public on its
    own date (410), so the lists and the agencies' pages lead to them instead."""
    bulletins = [
        Place(
            "reports.show",
            b.month,
            (("month", b.month),),
            local_time(b.published_at).date() if b.published_at else None,
        )
        for b in published_bulletins()
    ]
    agencies = [
        Place("agencies.profile", name, (("uscc", uscc),))
        for uscc, name in db.session.execute(select(Agency.uscc, Agency.name).order_by(Agency.id))
    ]
    commitments = [
        Place("commitments.detail", title, (("code", str(code)),), updated.date() if updated else None)
        for code, title, updated in db.session.execute(
            select(Commitment.code, Commitment.title, Commitment.updated_at)
            .where(Commitment.public_clause(), Commitment.code.is_not(None))
            .order_by(Commitment.id)
        )
    ]
    complaints = [
        Place("complaints.published", number, (("number", number),), closed)
        for number, closed in db.session.execute(
            select(Complaint.number, Complaint.closed_on).where(Complaint.published).order_by(Complaint.id)
        )
    ]
    return [*bulletins, *agencies, *commitments, *complaints]
