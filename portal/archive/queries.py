"""What the agency credit report (政务诚信报告) says about a body as of a day, and the reports already issued.

The report answers the 信用档案查询 of 泰信用办〔2022〕12号 二(六) ("将政府机构信用状况作为文明单位评选、评先树优…的
重要参考"): it is the body's 政务诚信档案 — records, rectifications, joint measures, commitments and their fulfilment,
complaint results, 表彰奖励 and 履约践诺 (同 三(四)), arrears, the latest 政务诚信评价 — and nothing that is not public
on the site that day: no record outside its publication period or stopped (修复、期满、撤销), no commitment that is not
社会公开, no complaint that is not published, and of the published ones only the count (never a complainant's data).

Every figure is counted in SQL over the whole of it; the lists are capped at LIST_MOST rows (newest first), the total
is always printed beside them, so that a body with thousands of records still gets its report in well under a
second (README: the measured time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.agencies.models import Agency, PositiveItem
from portal.agencies.queries import shown_positive_items
from portal.archive.models import AgencyReport
from portal.arrears.queries import Money, arrears_money
from portal.commitments.models import Commitment
from portal.commitments.rules import Fulfilment
from portal.complaints.models import Complaint
from portal.core.periods import Severity
from portal.evaluation.models import AgencyScore
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.measures.rules import MeasureKind
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.queries import listed_defaulter_ids
from portal.rectifications.models import Rectification
from portal.rectifications.queries import overdue_clause

# Rows of each list printed in the report; the totals always count everything, and the note beside a cut list gives
# the address of the full one. Twenty keeps the busiest body's report (thousands of records at 100,000) to a few
# pages, and so its making under a second: WeasyPrint lays out CJK table rows at about 3 ms each.
LIST_MOST = 20

# The report number: XYBG (信用报告) - the day it was issued (= its as-of day) - ten random digits. Random, not a
# sequence: a number is then known only to whoever holds the report (an agency's 评先评优 file), so nobody can walk
# the numbers to learn which bodies were checked on which day; and two bodies' first reports of a day never race for
# the same next number (only one body's twin requests can race, and the unique (agency, day) settles that).
# 10^10 numbers a day against at most one report per body and day: a guess hits with odds of about 1 in 10^7 even
# for a county of a thousand bodies all reported that day.
NUMBER_PREFIX = "XYBG"
NUMBER_DIGITS = 10
NUMBER_PATTERN = re.compile(rf"{NUMBER_PREFIX}-(\d{{8}})-(\d{{{NUMBER_DIGITS}}})")
NUMBER_INPUT_MOST = 60  # characters of a typed number kept (to show it back beside the field)


def report_number(day: date, serial: int) -> str:
    """XYBG-20261204-0123456789 (24 characters, the column's length)."""
    return f"{NUMBER_PREFIX}-{day:%Y%m%d}-{serial:0{NUMBER_DIGITS}d}"


def normalise_number(text: str) -> str:
    """A number as typed: spaces dropped, full-width characters made plain, upper-cased."""
    plain = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return re.sub(r"\s+", "", plain).replace("—", "-").replace("－", "-").upper()[:NUMBER_INPUT_MOST]


def is_report_number(number: str) -> bool:
    """XYBG-YYYYMMDD-NNNNNNNNNN with a real date."""
    match = NUMBER_PATTERN.fullmatch(number)
    if match is None:
        return False
    try:
        date(int(match[1][:4]), int(match[1][4:6]), int(match[1][6:]))
    except ValueError:
        return False
    return True


def report_of(agency_id: int, day: date) -> AgencyReport | None:
    """The report already issued for this body and day."""
    return db.session.scalar(
        select(AgencyReport)
        .where(AgencyReport.agency_id == agency_id, AgencyReport.as_of == day)
        .options(joinedload(AgencyReport.pdf))
    )


def report_by_number(number: str) -> AgencyReport | None:
    """The report with this number (None for an unknown or malformed one, before any query)."""
    if not is_report_number(number):
        return None
    return db.session.scalar(
        select(AgencyReport)
        .where(AgencyReport.number == number)
        .options(joinedload(AgencyReport.agency), joinedload(AgencyReport.pdf))
    )


def number_taken(number: str) -> bool:
    return db.session.scalar(select(AgencyReport.id).where(AgencyReport.number == number)) is not None


# --- the report's content --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindRow:
    """Public records of one kind, by tier (泰信用办〔2022〕12号 二(六): the 信用状况 a 评先 check weighs)."""

    kind: Kind
    by_tier: dict[Severity, int]

    @property
    def total(self) -> int:
        return sum(self.by_tier.values())


@dataclass(frozen=True)
class OpenRectification:
    rectification: Rectification
    overdue: bool


@dataclass(frozen=True)
class ReportFacts:
    """Everything the report prints, counted as of `as_of`: only what the public site shows that day."""

    agency: Agency
    as_of: date
    kinds: list[KindRow]  # every kind with at least one public record
    record_total: int
    records: list[Record]  # LIST_MOST of them: the most serious, then the newest
    open_rectification_total: int
    overdue_total: int
    open_rectifications: list[OpenRectification]  # overdue first, then by deadline
    measure_total: int
    no_honours_total: int  # of them, 取消评先评优 (新信用发〔2018〕6号 (五)3)
    measures: list[JointMeasure]  # in force (not lifted), on the body's public records: 取消评先评优 first
    commitment_total: int
    by_fulfilment: dict[Fulfilment, int]
    commitments: list[Commitment]
    complaint_total: int  # published complaint results (the count only)
    positive_total: int
    positive_items: list[PositiveItem]
    money: Money
    score: AgencyScore | None

    def tier_total(self, severity: Severity) -> int:
        return sum(row.by_tier.get(severity, 0) for row in self.kinds)


def _public_records(agency_id: int, today: date) -> list[ColumnElement[bool]]:
    return [Record.agency_id == agency_id, Record.public_clause(today)]


def _open_rectifications(agency_id: int, today: date) -> tuple[int, int, list[OpenRectification]]:
    shown = [*_public_records(agency_id, today), Rectification.outcome.is_(None)]
    counted = select(func.count(Rectification.id), func.count(Rectification.id).filter(overdue_clause(today)))
    total, overdue = db.session.execute(counted.join(Rectification.record).where(*shown)).one()
    late = overdue_clause(today)
    rows = db.session.execute(
        select(Rectification, late)
        .join(Rectification.record)
        .where(*shown)
        .options(joinedload(Rectification.record))
        .order_by(late.desc(), Rectification.deadline, Rectification.id)
        .limit(LIST_MOST)
    )
    return int(total), int(overdue), [OpenRectification(r, bool(is_late)) for r, is_late in rows]


def _measures(agency_id: int, today: date) -> tuple[int, int, list[JointMeasure]]:
    """Joint measures in force against the body: applied by today, not lifted, on a record still public (a stopped
    record's measures leave the public pages with it; an approved repair lifts them anyway). 取消评先评优 first:
    it is what a 评先 check looks for (新信用发〔2018〕6号 (五)3)."""
    in_force = [
        Record.agency_id == agency_id,
        Record.public_clause(today),
        JointMeasure.lifted_on.is_(None),
        JointMeasure.applied_on <= today,
    ]
    no_honours = JointMeasure.kind == MeasureKind.NO_HONOURS
    total, honours = db.session.execute(
        select(func.count(JointMeasure.id), func.count(JointMeasure.id).filter(no_honours))
        .join(Record, JointMeasure.record_id == Record.id)
        .where(*in_force)
    ).one()
    measures = db.session.scalars(
        select(JointMeasure)
        .join(Record, JointMeasure.record_id == Record.id)
        .where(*in_force)
        .options(contains_eager(JointMeasure.record), joinedload(JointMeasure.implementing_agency))
        .order_by(no_honours.desc(), JointMeasure.applied_on.desc(), JointMeasure.id.desc())
        .limit(LIST_MOST)
    ).all()
    return int(total), int(honours), list(measures)


def _commitments(agency_id: int) -> tuple[int, dict[Fulfilment, int], list[Commitment]]:
    public = [Commitment.agency_id == agency_id, Commitment.public_clause()]
    by_fulfilment = {
        Fulfilment(code): int(n)
        for code, n in db.session.execute(
            select(Commitment.fulfilment, func.count()).where(*public).group_by(Commitment.fulfilment)
        )
    }
    commitments = db.session.scalars(
        select(Commitment).where(*public).order_by(Commitment.made_on.desc(), Commitment.id.desc()).limit(LIST_MOST)
    ).all()
    return sum(by_fulfilment.values()), by_fulfilment, list(commitments)


def latest_score(agency_id: int, today: date) -> AgencyScore | None:
    """The body's latest stored 政务诚信评价 (泰信用办〔2022〕12号 二(六) 信用画像): the last month scored, up to
    today's month."""
    return db.session.scalar(
        select(AgencyScore)
        .where(AgencyScore.agency_id == agency_id, AgencyScore.month <= f"{today:%Y-%m}")
        .order_by(AgencyScore.month.desc())
        .limit(1)
    )


def report_facts(agency: Agency, today: date) -> ReportFacts:
    """The body's 政务诚信档案 as the public site shows it on `today`, for the report."""
    public = _public_records(agency.id, today)
    tiers: dict[Kind, dict[Severity, int]] = {}
    for kind, severity, n in db.session.execute(
        select(Record.kind, Record.severity, func.count()).where(*public).group_by(Record.kind, Record.severity)
    ):
        tiers.setdefault(Kind(kind), {})[Severity(severity)] = int(n)
    kinds = [KindRow(kind, tiers[kind]) for kind in Kind if kind in tiers]
    tier_order = case({Severity.SERIOUS.value: 0, Severity.GENERAL.value: 1}, value=Record.severity, else_=2)
    newest = (tier_order, Record.decision_date.desc(), Record.id.desc())  # the most serious first, then the newest
    records = db.session.scalars(select(Record).where(*public).order_by(*newest).limit(LIST_MOST)).all()
    open_total, overdue_total, open_rectifications = _open_rectifications(agency.id, today)
    measure_total, no_honours_total, measures = _measures(agency.id, today)
    commitment_total, by_fulfilment, commitments = _commitments(agency.id)
    complaint_total = db.session.scalar(
        select(func.count(Complaint.id)).where(Complaint.published, Complaint.agency_id == agency.id)
    )
    positive = shown_positive_items(agency.id).where(PositiveItem.awarded_on <= today)
    positive_total = db.session.scalar(select(func.count()).select_from(positive.subquery())) or 0
    return ReportFacts(
        agency=agency,
        as_of=today,
        kinds=kinds,
        record_total=sum(row.total for row in kinds),
        records=list(records),
        open_rectification_total=open_total,
        overdue_total=overdue_total,
        open_rectifications=open_rectifications,
        measure_total=measure_total,
        no_honours_total=no_honours_total,
        measures=measures,
        commitment_total=commitment_total,
        by_fulfilment=by_fulfilment,
        commitments=commitments,
        complaint_total=int(complaint_total or 0),
        positive_total=positive_total,
        positive_items=list(db.session.scalars(positive.limit(LIST_MOST))),
        money=arrears_money(today, [agency.id]),  # 沈政办发〔2018〕117号 二(三)1: owed and repaid, in SQL
        score=latest_score(agency.id, today),
    )


def listed_agencies(today: date, *, listed: bool = False) -> Select[Any]:
    """The agencies list (/agencies/, its exports and the API): every body by region, kind and name; `listed` narrows
    it to the bodies listed as 失信被执行人 today (动态清零, 泰信用办〔2022〕12号 一)."""
    query = (
        select(Agency)
        .options(joinedload(Agency.parent), joinedload(Agency.merged_into))
        .order_by(Agency.region_code, Agency.kind, Agency.name)
    )
    if listed:
        query = query.where(Agency.id.in_(listed_defaulter_ids(today)))
    return query
