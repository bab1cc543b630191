"""The figures of the public statistics, each chart's in a few grouped SQL statements (never one query per month,
agency or record), kept per process until the data changes.

The time series are counted at a list of days (rules.count_points: month ends, then today) given to the database
as a small table of (idx, day) rows; each record is reduced once to the span of days it counts on, the days are
matched against the spans, and the database groups.

Caching: computing every chart reads the records table several times over (about 300 ms at 100,000 records on SQLite
and PostgreSQL; bench/statistics_page.py), so the figures are kept per process, for (database, today, months), until
anything they count changes. The data version is one statement of maxima (as archive/rollup.py's): the latest write
to records (a payment, a subtype or an instalment touches its record too) and rectifications along their indexes, to
the small complaints and arrears-terms tables, and the latest payment and search-outbox entry (which every change to
a public item, an agency's kind included, writes) by primary key. A new day is a new key, so nothing counted "as of
today" outlives its day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    func,
    literal,
    not_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.selectable import CTE

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind
from portal.arrears.models import ArrearsTerms, Payment
from portal.arrears.rules import ARREARS, Subtype
from portal.complaints.models import Complaint, ComplaintStep
from portal.complaints.rules import ComplaintStatus, Satisfaction
from portal.core.periods import Severity
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.models import Rectification
from portal.statistics.rules import GovernmentLevel, count_months, count_points

DEFAULTER = Kind.JUDGMENT_DEFAULTER.value


# --- what the page shows ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaulterPoint:
    """动态清零 at one day: the bodies listed, and those newly listed and cleared since the point before."""

    day: date
    listed: int
    new: int
    cleared: int


@dataclass(frozen=True)
class MoneyPoint:
    """拖欠账款 on the records public at one day: owed (拖欠金额) and repaid by then, in fen."""

    day: date
    owed: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return max(self.owed - self.repaid, 0)


@dataclass(frozen=True)
class MoneyRow:
    """拖欠账款 now, for one group (a government level or a subtype): records, owed and repaid, in fen."""

    key: str  # a GovernmentLevel or Subtype value; "" for arrears with no subtype yet
    records: int
    owed: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return max(self.owed - self.repaid, 0)


@dataclass(frozen=True)
class CountRow:
    key: str  # a Kind or Severity value, or a region code
    label: str  # the region's name ("" for kinds and tiers: their enums label them)
    count: int


@dataclass(frozen=True)
class ComplaintMonth:
    """Complaints filed in one month, and how many of them were answered and closed within their deadlines."""

    first: date
    last: date
    received: int
    answered_on_time: int  # 部门已反馈 on or before answer_due
    closed_on_time: int  # 已办结 on or before close_due
    not_accepted: int  # 不予受理
    satisfied: int = 0  # the complainant's rating of the answer (issue 18): 满意
    basically_satisfied: int = 0  # 基本满意
    dissatisfied: int = 0  # 不满意


@dataclass(frozen=True)
class Figures:
    today: date
    defaulters: list[DefaulterPoint]
    arrears: list[MoneyPoint]
    by_level: list[MoneyRow]
    by_subtype: list[MoneyRow]
    by_kind: list[CountRow]
    by_severity: list[CountRow]
    by_region: list[CountRow]
    complaints: list[ComplaintMonth]

    @property
    def arrears_total(self) -> MoneyRow:
        rows = self.by_level
        return MoneyRow("", sum(r.records for r in rows), sum(r.owed for r in rows), sum(r.repaid for r in rows))

    @property
    def record_total(self) -> int:
        return sum(r.count for r in self.by_kind)


# --- the days, as a table -----------------------------------------------------------------------------------------


def _points(days: list[date]) -> CTE:
    """The days as a small table (idx, day), oldest first from idx 0: a UNION ALL of literal rows, which SQLite and
    PostgreSQL both take."""
    rows = [select(literal(i, Integer).label("idx"), literal(day, Date).label("day")) for i, day in enumerate(days)]
    return union_all(*rows).cte("points")


def _months(spans: list[tuple[date, date]]) -> CTE:
    """The months as a small table (idx, first, last)."""
    rows = [
        select(literal(i, Integer).label("idx"), literal(first, Date).label("first"), literal(last, Date).label("last"))
        for i, (first, last) in enumerate(spans)
    ]
    return union_all(*rows).cte("months")


def _earlier(day: Any, than: Any) -> ColumnElement[Any]:
    """The earlier of a nullable day and another day (LEAST on PostgreSQL, MIN on SQLite: a CASE for both)."""
    return case((and_(day.is_not(None), day < than), day), else_=than)


def _public_until() -> ColumnElement[Any]:
    """The first day a record is no longer public: its publication stopped, or its maximum period ended."""
    return _earlier(Record.stopped_on, Record.publication_max_end)


# Each record is reduced once to the span of days it counts on, [start, end) (rules.listed_on and rules.public_on
# are the Python twins); the days are then matched against these spans, grouped, so that no record is read once per
# day. A 已撤销 record has no span.


def defaulter_series(days: list[date]) -> list[DefaulterPoint]:
    """动态清零 (泰信用办〔2022〕12号 一, 二(五)) at each of `days` but the first (the baseline): the bodies
    listed, those listed now but not at the day before (新列入) and those listed then but not now (清零). One
    statement: each 失信被执行人 record's span (from its publication start to the earliest of its rectification's
    result, its publication's stop and its maximum end; none for a 已履行 record without a dated result), the
    distinct (day, body) pairs they cover, counted, and matched with the day before's."""
    points = _points(days)
    end = _earlier(Rectification.finished_on, _public_until())
    spans = (
        select(Record.agency_id, Record.publication_start.label("start"), end.label("end"))
        .outerjoin(Rectification, Rectification.record_id == Record.id)
        .where(
            Record.kind == DEFAULTER,
            Record.status != RecordStatus.REVOKED.value,
            not_(and_(Record.status == RecordStatus.FULFILLED.value, Rectification.finished_on.is_(None))),
        )
        .group_by(Record.agency_id, Record.publication_start, end)
        .cte("spans")
    )
    listed = (
        select(points.c.idx, spans.c.agency_id)
        .select_from(points)
        .join(spans, and_(spans.c.start <= points.c.day, spans.c.end > points.c.day))
        .distinct()
        .cte("listed")
    )
    before = listed.alias("before")
    after = listed.alias("after")
    counts = select(literal("listed").label("what"), listed.c.idx, func.count().label("n")).group_by(listed.c.idx)
    new = (
        select(literal("new"), listed.c.idx, func.count())
        .select_from(
            listed.outerjoin(before, and_(before.c.idx == listed.c.idx - 1, before.c.agency_id == listed.c.agency_id))
        )
        .where(before.c.agency_id.is_(None), listed.c.idx > 0)
        .group_by(listed.c.idx)
    )
    cleared = (
        select(literal("cleared"), listed.c.idx + 1, func.count())
        .select_from(
            listed.outerjoin(after, and_(after.c.idx == listed.c.idx + 1, after.c.agency_id == listed.c.agency_id))
        )
        .where(after.c.agency_id.is_(None), listed.c.idx < len(days) - 1)
        .group_by(listed.c.idx)
    )
    found: dict[tuple[str, int], int] = {
        (what, int(idx)): int(n) for what, idx, n in db.session.execute(union_all(counts, new, cleared))
    }
    return [
        DefaulterPoint(day, found.get(("listed", i), 0), found.get(("new", i), 0), found.get(("cleared", i), 0))
        for i, day in enumerate(days)
        if i > 0
    ]


def arrears_series(days: list[date]) -> list[MoneyPoint]:
    """清欠 (沈政办发〔2018〕117号 二(三)1) at each of `days`: on the arrears records public at that day, what was owed
    (拖欠金额) and what had been repaid by then. One statement: the amounts summed by public span, the payments by
    (day paid, span), each matched against the days."""
    points = _points(days)
    until = _public_until()
    shown = [Record.kind == ARREARS, Record.status != RecordStatus.REVOKED.value]
    amounts = (
        select(Record.publication_start.label("start"), until.label("end"), func.sum(Record.amount_fen).label("fen"))
        .where(*shown)
        .group_by(Record.publication_start, until)
        .cte("amounts")
    )
    payments = (
        select(
            Payment.paid_on,
            Record.publication_start.label("start"),
            until.label("end"),
            func.sum(Payment.amount_fen).label("fen"),
        )
        .join(Record, Record.id == Payment.record_id)
        .where(*shown)
        .group_by(Payment.paid_on, Record.publication_start, until)
        .cte("payments")
    )
    owed = (
        select(literal("owed").label("what"), points.c.idx, func.sum(amounts.c.fen).label("fen"))
        .select_from(points)
        .join(amounts, and_(amounts.c.start <= points.c.day, amounts.c.end > points.c.day))
        .group_by(points.c.idx)
    )
    repaid = (
        select(literal("repaid"), points.c.idx, func.sum(payments.c.fen))
        .select_from(points)
        .join(
            payments,
            and_(payments.c.start <= points.c.day, payments.c.end > points.c.day, payments.c.paid_on <= points.c.day),
        )
        .group_by(points.c.idx)
    )
    found = {(what, int(idx)): int(fen or 0) for what, idx, fen in db.session.execute(union_all(owed, repaid))}
    return [MoneyPoint(day, found.get(("owed", i), 0), found.get(("repaid", i), 0)) for i, day in enumerate(days)]


def arrears_now(today: date) -> tuple[list[MoneyRow], list[MoneyRow]]:
    """The public arrears records today by government level and by subtype (records, owed, repaid): one statement
    grouped by both; each breakdown sums it over the other. Their totals are the home page's figures
    (arrears.queries.arrears_money)."""
    paid = select(Payment.record_id, func.sum(Payment.amount_fen).label("fen")).group_by(Payment.record_id).subquery()
    level = case(
        (Agency.kind == AgencyKind.TOWNSHIP.value, GovernmentLevel.TOWNSHIP.value), else_=GovernmentLevel.COUNTY.value
    )
    rows = db.session.execute(
        select(
            level,
            ArrearsTerms.subtype,
            func.count(),
            func.sum(func.coalesce(Record.amount_fen, 0)),
            func.sum(func.coalesce(paid.c.fen, 0)),
        )
        .select_from(Record)
        .join(Agency, Agency.id == Record.agency_id)
        .outerjoin(ArrearsTerms, ArrearsTerms.record_id == Record.id)
        .outerjoin(paid, paid.c.record_id == Record.id)
        .where(Record.public_clause(today), Record.kind == ARREARS)
        .group_by(level, ArrearsTerms.subtype)
    ).all()
    by_level: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_subtype: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for level_code, subtype, n, owed, repaid in rows:
        for totals in (by_level[str(level_code)], by_subtype[str(subtype or "")]):
            totals[0] += int(n)
            totals[1] += int(owed or 0)
            totals[2] += int(repaid or 0)
    levels = [MoneyRow(lv.value, *by_level.get(lv.value, [0, 0, 0])) for lv in GovernmentLevel]
    subtypes = [MoneyRow(st.value, *by_subtype[st.value]) for st in Subtype if st.value in by_subtype]
    if "" in by_subtype:
        subtypes.append(MoneyRow("", *by_subtype[""]))
    return levels, subtypes


def records_now(today: date) -> tuple[list[CountRow], list[CountRow], list[CountRow]]:
    """The public records today by kind, by tier and by region (the body's 行政区划: the county's own bodies, each
    township and the development zone): three grouped counts in one statement, each along an index that holds
    what it groups by (on SQLite, grouping kind and tier together reads every record's row instead)."""
    public = Record.public_clause(today)
    # the codes read back as plain text (a UNION's columns take the first select's types)
    by_kind = select(literal("kind").label("what"), type_coerce(Record.kind, String), literal(""), func.count())
    by_tier = select(literal("severity"), type_coerce(Record.severity, String), literal(""), func.count())
    by_region = (
        select(literal("region"), Agency.region_code, Agency.region_name, func.count())
        .select_from(Record)
        .join(Agency, Agency.id == Record.agency_id)
    )
    statement: Any = union_all(  # (differently typed columns: the rows are read by position)
        by_kind.where(public).group_by(Record.kind),
        by_tier.where(public).group_by(Record.severity),
        by_region.where(public).group_by(Agency.region_code, Agency.region_name),
    )
    rows = db.session.execute(statement).all()
    found: dict[str, dict[str, int]] = defaultdict(dict)
    regions: list[CountRow] = []
    for what, key, name, n in rows:
        if what == "region":
            regions.append(CountRow(str(key), str(name), int(n)))
        else:
            found[str(what)][str(key)] = int(n)
    return (
        [CountRow(k.value, "", found["kind"].get(k.value, 0)) for k in Kind],
        [CountRow(s.value, "", found["severity"].get(s.value, 0)) for s in Severity],
        sorted(regions, key=lambda r: (r.key, r.label)),
    )


def complaint_months(spans: list[tuple[date, date]]) -> list[ComplaintMonth]:
    """Complaints (泗政秘〔2018〕145号 二(三), 三(八): the complaint channel and its handling) by the month they were
    filed: received, answered by the agency on time (its 部门已反馈 step on or before answer_due), closed on time
    (已办结 on or before close_due), not accepted, and the complainants' ratings of the answers. One grouped
    statement."""
    months = _months(spans)
    answered = (
        select(ComplaintStep.complaint_id, func.min(ComplaintStep.on).label("answered_on"))
        .where(ComplaintStep.status == ComplaintStatus.ANSWERED.value)
        .group_by(ComplaintStep.complaint_id)
        .subquery()
    )
    closed = ComplaintStatus.CLOSED.value
    rows = db.session.execute(
        select(
            months.c.idx,
            func.count(Complaint.id),
            func.sum(case((answered.c.answered_on <= Complaint.answer_due, 1), else_=0)),
            func.sum(case((and_(Complaint.status == closed, Complaint.closed_on <= Complaint.close_due), 1), else_=0)),
            func.sum(case((Complaint.status == ComplaintStatus.NOT_ACCEPTED.value, 1), else_=0)),
            *(func.sum(case((Complaint.rating == rating.value, 1), else_=0)) for rating in Satisfaction),
        )
        .select_from(months)
        .join(Complaint, Complaint.filed_on.between(months.c.first, months.c.last))
        .outerjoin(answered, answered.c.complaint_id == Complaint.id)
        .group_by(months.c.idx)
    ).all()
    found = {int(idx): tuple(int(n or 0) for n in counts) for idx, *counts in rows}
    return [ComplaintMonth(first, last, *found.get(i, (0,) * 7)) for i, (first, last) in enumerate(spans)]


def compute(today: date, months: int) -> Figures:
    """Every chart's figures, straight from the database (the page uses `figures`, which keeps them)."""
    by_level, by_subtype = arrears_now(today)
    by_kind, by_severity, by_region = records_now(today)
    points = count_points(today, months)
    return Figures(
        today=today,
        defaulters=defaulter_series(count_points(today, months + 1)),  # one more month: the first point's baseline
        arrears=arrears_series(points),
        by_level=by_level,
        by_subtype=by_subtype,
        by_kind=by_kind,
        by_severity=by_severity,
        by_region=by_region,
        complaints=complaint_months(count_months(today, months)),
    )


# --- the per-process cache ----------------------------------------------------------------------------------------

Version = tuple[Any, ...]
_VERSION = select(
    select(func.max(Record.updated_at)).scalar_subquery(),
    select(func.max(Rectification.updated_at)).scalar_subquery(),
    select(func.max(Complaint.updated_at)).scalar_subquery(),
    select(func.max(ArrearsTerms.updated_at)).scalar_subquery(),
    select(func.max(Payment.id)).scalar_subquery(),
    select(func.max(OutboxEntry.id)).scalar_subquery(),
)
# (database, today, months) -> (version, figures); dropped whole when it grows past _MOST (a new day, a new key)
_CACHE: dict[tuple[str, date, int], tuple[Version, Figures]] = {}
_MOST = 64


def data_version() -> Version:
    return tuple(v.isoformat() if isinstance(v, datetime) else v for v in db.session.execute(_VERSION).one())


def figures(today: date, months: int) -> Figures:
    """The figures, from this process's cache while the data version is unchanged, else computed afresh."""
    key = (str(current_app.config["SQLALCHEMY_DATABASE_URI"]), today, months)
    version = data_version()
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    found = compute(today, months)
    if len(_CACHE) >= _MOST:
        _CACHE.clear()
    _CACHE[key] = (version, found)
    return found
