"""What the search index holds: one flat SearchDoc per public item, built from the models.

Only what a public page shows goes in. A record's document carries its publication window, so a record whose
period ends leaves the results that day even before the daily expiry job removes it (see engines: `visible`).
Keys name the item: record:<id>, commitment:<code>, outcome:<rectification id>, agency:<USCC>, page:<slug>,
complaint:<number> (a closed complaint published with consent, anonymised as its public page shows it), news:<slug>.
Pages and news are files, not rows: `content_docs` reads them all, and the index's sync applies them again whenever
a file under content/ changed (index.py, `content_stamp`).

Each document's text starts with the words residents search its kind and state by (失信记录, 整改中, 逾期未整改 …,
issue 16), so "<agency> 整改" finds the agency's records in rectification.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nh3
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, scoped_session, selectinload

from portal.agencies.models import Agency
from portal.arrears.models import ArrearsTerms
from portal.commitments.models import Commitment
from portal.complaints.models import Complaint
from portal.core.labelled import N_
from portal.core.markup import render_markdown
from portal.news.queries import load_news, news_slugs
from portal.outbox import ItemType, item_key, split_key
from portal.pages.loader import list_pages, load_page
from portal.records.kinds import FieldType
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES
from portal.rectifications.models import Rectification
from portal.search.vocabulary import short_name
from portal.web import public_path

TYPES = ("record", "commitment", "outcome", "agency", "page", "complaint", "news")
# The words of each type, as residents call it: in its documents' text, and the search page's labels (queries.py).
TYPE_WORDS = {
    "record": N_("失信记录"),
    "commitment": N_("政务承诺"),
    "outcome": N_("整改结果"),
    "agency": N_("诚信档案"),
    "page": N_("政策与指南"),
    "complaint": N_("投诉办理结果"),
    "news": N_("信用动态与典型案例"),
}
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SearchDoc:
    key: str
    type: str
    title: str
    body: str  # plain text: searched, and cut into the highlighted snippet
    path: str  # the item's public address
    day: date | None = None  # date facet (year) and the date sort
    updated: datetime = EPOCH  # for the search feeds' validators
    kind: str = ""
    status: str = ""
    agency: str = ""  # USCC
    region: str = ""  # region code
    codes: tuple[str, ...] = ()  # exact-match identifiers: 统一社会信用代码, 案号, 决定书文号, commitment code
    visible_from: date | None = None
    visible_until: date | None = None  # first day it is no longer shown


def plain_text(markdown_text: str) -> str:
    """Markdown (or sanitised HTML) as plain text, for indexing and snippets."""
    return html.unescape(nh3.clean(render_markdown(markdown_text), tags=set())).strip()


def _join(*parts: object) -> str:
    return "\n".join(str(p) for p in parts if p)


def state_words(record: Record, today: date) -> str:
    """失信记录, the record's status and, while it has one, its rectification's state and result: 整改中 or
    逾期未整改 (新信用发〔2018〕6号 (五)), then 履行完毕, 达成和解 or 销案."""
    words = [TYPE_WORDS["record"], str(record.status.label)]
    rectification = record.rectification
    if rectification is not None:
        words.append(str(rectification.state(today).label))
        if rectification.outcome is not None:
            words.append(str(rectification.outcome.label))
    return " ".join(dict.fromkeys(words))


def record_doc(record: Record, today: date, subtype: ArrearsTerms | None = None) -> SearchDoc:
    agency = record.agency
    codes = [record.document_number, record.deciding_authority_code, agency.uscc]
    values = [f"欠款类型：{subtype.subtype.label}"] if subtype is not None else []
    for kind_field, value in record.kind_values():
        if value:
            values.append(f"{kind_field.label}：{value}")
            if kind_field.type is FieldType.CODE:
                codes.append(value)
    return SearchDoc(
        key=item_key(ItemType.RECORD, record.id),
        type="record",
        title=record.title,
        body=_join(
            agency.name,
            record.kind.label,
            state_words(record, today),
            plain_text(record.summary),
            f"{record.deciding_authority} {record.document_number}",
            *values,
        ),
        path=public_path("records.detail", record_id=record.id),
        day=record.decision_date,
        updated=max(record.updated_at, record.rectification.updated_at if record.rectification else EPOCH),
        kind=record.kind,
        status=record.status,
        agency=agency.uscc,
        region=agency.region_code,
        codes=tuple(c for c in codes if c),
        visible_from=record.publication_start,
        visible_until=record.publication_max_end,
    )


def commitment_doc(commitment: Commitment) -> SearchDoc:
    agency = commitment.agency
    return SearchDoc(
        key=item_key(ItemType.COMMITMENT, commitment.code),
        type="commitment",
        title=commitment.title,
        body=_join(
            agency.name,
            TYPE_WORDS["commitment"],
            commitment.type.label,
            commitment.subject.label,
            commitment.reason,
            commitment.content,
            commitment.liability,
            commitment.accepting_unit,
        ),
        path=public_path("commitments.detail", code=commitment.code),
        day=commitment.made_on,
        updated=max(commitment.updated_at, commitment.published_at or EPOCH),
        kind=commitment.type,
        status=commitment.fulfilment,
        agency=agency.uscc,
        region=agency.region_code,
        codes=(commitment.code or "", agency.uscc),
    )


def outcome_doc(rectification: Rectification) -> SearchDoc:
    record = rectification.record
    agency = record.agency
    return SearchDoc(
        key=item_key(ItemType.OUTCOME, rectification.id),
        type="outcome",
        title=f"{rectification.outcome.label if rectification.outcome else ''}：{record.title}",
        body=_join(
            agency.name,
            TYPE_WORDS["outcome"],
            rectification.responsible_unit,
            rectification.outcome_summary,
            rectification.measures,
        ),
        path=public_path("records.detail", record_id=record.id),
        day=rectification.finished_on,
        updated=rectification.updated_at,
        kind=record.kind,
        status=rectification.outcome or "",
        agency=agency.uscc,
        region=agency.region_code,
        visible_from=record.publication_start,
        visible_until=record.publication_max_end,
    )


def agency_doc(agency: Agency) -> SearchDoc:
    return SearchDoc(
        key=item_key(ItemType.AGENCY, agency.uscc),
        type="agency",
        title=agency.name,
        # former names (曾用名) too, so that an agency is still found by the name it had
        body=_join(
            TYPE_WORDS["agency"],
            agency.kind.label,
            agency.region_name,
            agency.uscc,
            *(f.name for f in agency.former_names),
        ),
        path=public_path("agencies.profile", uscc=agency.uscc),
        updated=agency.created_at,
        agency=agency.uscc,
        region=agency.region_code,
        codes=(agency.uscc,),
    )


def complaint_doc(complaint: Complaint) -> SearchDoc:
    """What /complaints/<number> shows: never the complainant's name, contact, code or attachments."""
    agency = complaint.agency
    return SearchDoc(
        key=item_key(ItemType.COMPLAINT, complaint.number),
        type="complaint",
        title=f"{complaint.category.label}：{complaint.agency_label}",
        body=_join(TYPE_WORDS["complaint"], complaint.agency_label, complaint.category.label, complaint.public_answer),
        path=public_path("complaints.published", number=complaint.number),
        day=complaint.closed_on,
        updated=complaint.updated_at,
        agency=agency.uscc if agency else "",
        region=agency.region_code if agency else "",
        codes=(complaint.number,),
    )


def page_doc(content_dir: Path, slug: str) -> SearchDoc | None:
    page = load_page(content_dir, slug, "zh_CN")
    if page is None:
        return None
    english = load_page(content_dir, slug, "en")
    return SearchDoc(
        key=item_key(ItemType.PAGE, slug),
        type="page",
        title=page.title,
        body=_join(
            page.summary, plain_text(page.html), english.title if english else "", english.summary if english else ""
        ),
        path=public_path("pages.show", slug=slug),
        day=page.updated,
        updated=datetime.combine(page.updated, datetime.min.time(), tzinfo=UTC) if page.updated else EPOCH,
    )


def news_doc(content_dir: Path, slug: str) -> SearchDoc | None:
    """A news item (portal/news), found from its date on (visible_from), with its English twin's words."""
    item = load_news(content_dir, slug, "zh_CN")
    if item is None:
        return None
    english = load_news(content_dir, slug, "en")
    english_words = (english.title, english.summary) if english is not None and english != item else ()
    return SearchDoc(
        key=item_key(ItemType.NEWS, slug),
        type="news",
        title=item.title,
        body=_join(TYPE_WORDS["news"], item.kind.label, item.summary, plain_text(item.html), *english_words),
        path=public_path("news.show", slug=slug),
        day=item.day,
        updated=datetime.combine(item.updated, datetime.min.time(), tzinfo=UTC),
        visible_from=item.day,
    )


def content_docs(content_dir: Path) -> list[SearchDoc]:
    """The documents of every content page and news item (files under content/)."""
    with force_locale("zh_CN"):
        pages = [page_doc(content_dir, page.slug) for page in list_pages(content_dir, "zh_CN")]
        news = [news_doc(content_dir, slug) for slug in news_slugs(content_dir)]
    return [doc for doc in (*pages, *news) if doc is not None]


def _shown_record(record: Record | None, today: date) -> Record | None:
    """A record that is or will be public: its dates are in the document, and searches apply them."""
    if record is None or record.status not in SHOWN_STATUSES or record.publication_max_end <= today:
        return None
    return record


def load_doc(session: Session | scoped_session[Any], key: str, today: date, content_dir: Path) -> SearchDoc | None:
    """The document for `key` as the public sees it now, or None if it is not (or no longer) public."""
    with force_locale("zh_CN"):
        kind, ident = split_key(key)
        if kind is ItemType.RECORD and ident.isdigit():
            record = _shown_record(session.get(Record, int(ident)), today)
            return record_doc(record, today, session.get(ArrearsTerms, record.id)) if record else None
        if kind is ItemType.OUTCOME and ident.isdigit():
            rectification = session.get(Rectification, int(ident))
            if rectification is None or rectification.finished_on is None:
                return None
            return outcome_doc(rectification) if _shown_record(rectification.record, today) else None
        if kind is ItemType.COMMITMENT:
            commitment = session.scalar(select(Commitment).where(Commitment.code == ident))
            return commitment_doc(commitment) if commitment is not None and commitment.is_public else None
        if kind is ItemType.AGENCY:
            agency = session.scalar(select(Agency).where(Agency.uscc == ident))
            return agency_doc(agency) if agency is not None else None
        if kind is ItemType.PAGE:
            return page_doc(content_dir, ident)
        if kind is ItemType.NEWS:
            return news_doc(content_dir, ident)
        if kind is ItemType.COMPLAINT:
            complaint = session.scalar(select(Complaint).where(Complaint.number == ident, Complaint.published))
            return complaint_doc(complaint) if complaint is not None else None
    return None


def all_docs(
    session: Session | scoped_session[Any], today: date, content_dir: Path, batch: int = 2000
) -> Iterator[SearchDoc]:
    """Every public item, for a fresh index."""
    with force_locale("zh_CN"):
        for agency in session.scalars(select(Agency).order_by(Agency.id)):
            yield agency_doc(agency)
        commitments = select(Commitment).where(Commitment.public_clause()).options(joinedload(Commitment.agency))
        for commitment in session.scalars(commitments.execution_options(yield_per=batch)):
            yield commitment_doc(commitment)
        records = (
            select(Record)
            .where(Record.status.in_([s.value for s in SHOWN_STATUSES]), Record.publication_max_end > today)
            .options(joinedload(Record.agency), selectinload(Record.rectification).selectinload(Rectification.steps))
            .order_by(Record.id)
        )
        subtypes = {terms.record_id: terms for terms in session.scalars(select(ArrearsTerms))}
        for record in session.scalars(records.execution_options(yield_per=batch)):
            yield record_doc(record, today, subtypes.get(record.id))
            if record.rectification is not None and record.rectification.finished_on is not None:
                yield outcome_doc(record.rectification)
        published = select(Complaint).where(Complaint.published).options(joinedload(Complaint.agency))
        for complaint in session.scalars(published.order_by(Complaint.id)):
            yield complaint_doc(complaint)
        yield from content_docs(content_dir)


def agency_names(session: Session | scoped_session[Any]) -> list[str]:
    """Every agency's name: the segmenter keeps these whole, and the look-up spells them in pinyin."""
    return list(session.scalars(select(Agency.name).distinct().order_by(Agency.name)))


def agency_short_names(session: Session | scoped_session[Any]) -> list[str]:
    """Every agency's name without its region (财政局), which the vocabulary also spells in pinyin (czj)."""
    return sorted(
        {short_name(name, region) for name, region in session.execute(select(Agency.name, Agency.region_name))}
    )
