"""What the evaluation asks of the data: each indicator's value for every agency as of a month's last day (one
grouped statement per indicator, never one per agency: at 100,000 records a month is scored in well under a second),
and the stored scores the pages show — rankings, an agency's history, the months and versions scored, and the
yearly 考核 sheet's figures.

"As of" a day: a record counts while it was in publication that day (started, not yet at its maximum end, not
stopped by then; a revoked record never counts: it was withdrawn as wrong); a rectification was finished if its
finished_on is on or before the day; a measure was in force if applied by then and not yet lifted; dated events
(fulfilment determinations, complaints, ledger items, positive items) count by their own dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select

from portal.agencies.models import Agency, PositiveItem
from portal.commitments.models import Commitment, FulfilmentEntry
from portal.complaints.models import Complaint, ComplaintStep
from portal.complaints.rules import ComplaintStatus, Satisfaction
from portal.core.months import Month
from portal.evaluation.models import AgencyScore
from portal.evaluation.rules import (
    BROKEN_FULFILMENTS,
    SEVEN_DAY_RULES,
    Indicator,
    Method,
    Part,
    RankingGroup,
    Rule,
    Value,
    methods,
    ranking_group,
    ranks,
    window_start,
)
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.models import Rectification
from portal.rectifications.queries import overdue_on
from portal.supervision.models import LedgerItem
from portal.supervision.rules import ClosedHow

Counts = dict[int, Value]  # agency id -> value


# --- the indicators, as of a day -------------------------------------------------------------------------------------


def _in_publication(day: date) -> ColumnElement[bool]:
    """The record was published on `day` (records.rules.is_published, as of a past day by its dates): started,
    before its maximum end, not stopped (repaired, expired) by then; a revoked record never counts."""
    return and_(
        Record.status != RecordStatus.REVOKED.value,
        Record.publication_start <= day,
        Record.publication_max_end > day,
        or_(Record.stopped_on.is_(None), Record.stopped_on > day),
    )


def _not_fulfilled(day: date) -> ColumnElement[bool]:
    """Not yet put right on `day`: its rectification (outer-joined) not finished by then. A record marked 已履行 (or
    已修复) without a finished rectification has no date of fulfilment: it counts as fulfilled."""
    return or_(
        Rectification.finished_on > day,
        and_(
            Rectification.finished_on.is_(None),
            Record.status.not_in([RecordStatus.FULFILLED.value, RecordStatus.REPAIRED.value]),
        ),
    )


@dataclass(frozen=True)
class RecordStates:
    """What one pass over the records in publication on a day finds (open_records and overdue_rectifications)."""

    open_by_tier: dict[str, Counts]  # severity code -> agency -> records not yet fulfilled
    overdue: Counts  # agency -> rectifications overdue (逾期未整改)


def record_states(day: date) -> RecordStates:
    """One grouped statement over the records in publication on `day` with their rectifications:
    - open (by tier): not fulfilled by then (`_not_fulfilled`);
    - 逾期未整改 (rectifications.rules.is_overdue as of that day): the rectification not finished by then, and its
      deadline or an open measure's deadline before the day.
    One pass, as both read the same rows: at 100,000 records nearly all of them (see the README's figures)."""
    overdue = and_(Rectification.id.is_not(None), overdue_on(day))  # (outer-joined: no rectification, not overdue)
    rows = db.session.execute(
        select(
            Record.agency_id,
            Record.severity,
            func.sum(case((_not_fulfilled(day), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .select_from(Record)
        .outerjoin(Rectification, Rectification.record_id == Record.id)
        .where(_in_publication(day))
        .group_by(Record.agency_id, Record.severity)
    )
    by_tier: dict[str, Counts] = {}
    late: dict[int, int] = {}
    for agency_id, severity, n_open, n_overdue in rows:
        if n_open:
            by_tier.setdefault(str(severity), {})[agency_id] = Value(int(n_open))
        late[agency_id] = late.get(agency_id, 0) + int(n_overdue or 0)
    return RecordStates(by_tier, {agency_id: Value(n) for agency_id, n in late.items() if n})


def measures_in_force(day: date) -> Counts:
    """Joint measures on the agency's records applied by `day` and not lifted by then (not on revoked records)."""
    rows = db.session.execute(
        select(Record.agency_id, func.count())
        .select_from(JointMeasure)
        .join(Record, Record.id == JointMeasure.record_id)
        .where(
            Record.status != RecordStatus.REVOKED.value,
            JointMeasure.applied_on <= day,
            or_(JointMeasure.lifted_on.is_(None), JointMeasure.lifted_on > day),
        )
        .group_by(Record.agency_id)
    )
    return {agency_id: Value(int(n)) for agency_id, n in rows}


def notices_late(day: date, start: date) -> Counts:
    """The 7-working-day items of the ledger (rules.SEVEN_DAY_RULES) concerning the agency, due from `start` to
    `day`: of those decided by `day` (closed by then, or past due and still open), how many were late (closed
    after the due day, or past due and open). Items closed as no longer needed (情况变化，无需办理) do not count."""
    closed_by_then = and_(LedgerItem.closed_on.is_not(None), LedgerItem.closed_on <= day)
    open_past_due = and_(or_(LedgerItem.closed_on.is_(None), LedgerItem.closed_on > day), LedgerItem.due_on < day)
    late = or_(and_(closed_by_then, LedgerItem.closed_on > LedgerItem.due_on), open_past_due)
    rows = db.session.execute(
        select(
            LedgerItem.agency_id,
            func.sum(case((late, 1), else_=0)),
            func.count(),
        )
        .where(
            LedgerItem.agency_id.is_not(None),
            LedgerItem.rule.in_(SEVEN_DAY_RULES),
            LedgerItem.due_on >= start,
            LedgerItem.due_on <= day,
            or_(LedgerItem.closed_how.is_(None), LedgerItem.closed_how != ClosedHow.LAPSED.value),
            or_(closed_by_then, open_past_due),
        )
        .group_by(LedgerItem.agency_id)
    )
    return {agency_id: Value(int(bad or 0), int(total)) for agency_id, bad, total in rows}


def commitments_broken(day: date, start: date) -> Counts:
    """Public commitments whose latest fulfilment determination by `day` was made from `start` on: how many were
    found 部分履行 or 全部未履行, of how many."""
    latest = (
        select(FulfilmentEntry.commitment_id, func.max(FulfilmentEntry.id).label("entry_id"))
        .where(FulfilmentEntry.determined_on <= day)
        .group_by(FulfilmentEntry.commitment_id)
        .subquery()
    )
    broken = FulfilmentEntry.fulfilment.in_(BROKEN_FULFILMENTS)
    rows = db.session.execute(
        select(Commitment.agency_id, func.sum(case((broken, 1), else_=0)), func.count())
        .select_from(latest)
        .join(FulfilmentEntry, FulfilmentEntry.id == latest.c.entry_id)
        .join(Commitment, Commitment.id == FulfilmentEntry.commitment_id)
        .where(
            Commitment.public_clause(),
            FulfilmentEntry.determined_on >= start,
            FulfilmentEntry.fulfilment != "in_progress",
        )
        .group_by(Commitment.agency_id)
    )
    return {agency_id: Value(int(bad or 0), int(total)) for agency_id, bad, total in rows}


def complaints_substantiated(day: date, start: date) -> Counts:
    """Complaints against the agency accepted and closed (已办结; 不予受理 is the other end) from `start` to `day`."""
    rows = db.session.execute(
        select(Complaint.agency_id, func.count())
        .where(
            Complaint.agency_id.is_not(None),
            Complaint.status == ComplaintStatus.CLOSED.value,
            Complaint.closed_on >= start,
            Complaint.closed_on <= day,
        )
        .group_by(Complaint.agency_id)
    )
    return {agency_id: Value(int(n)) for agency_id, n in rows if agency_id is not None}


def _first_step(status: ComplaintStatus, label: str) -> ColumnElement[date]:
    return (
        select(func.min(ComplaintStep.on))
        .where(ComplaintStep.complaint_id == Complaint.id, ComplaintStep.status == status.value)
        .correlate(Complaint)
        .scalar_subquery()
        .label(label)
    )


def answers_late(day: date, start: date) -> Counts:
    """Complaints forwarded to the agency (已转办 by `day`) whose answer was due from `start` to `day`: of those
    decided by `day` (answered by then, or past due), how many were answered after the due day or not at all."""
    inner = (
        select(
            Complaint.agency_id.label("agency_id"),
            Complaint.answer_due.label("due"),
            _first_step(ComplaintStatus.TRANSFERRED, "transferred_on"),
            _first_step(ComplaintStatus.ANSWERED, "answered_on"),
        )
        .where(Complaint.agency_id.is_not(None), Complaint.answer_due >= start, Complaint.answer_due <= day)
        .subquery()
    )
    answered = and_(inner.c.answered_on.is_not(None), inner.c.answered_on <= day)
    unanswered_past_due = and_(or_(inner.c.answered_on.is_(None), inner.c.answered_on > day), inner.c.due < day)
    late = or_(and_(answered, inner.c.answered_on > inner.c.due), unanswered_past_due)
    rows = db.session.execute(
        select(inner.c.agency_id, func.sum(case((late, 1), else_=0)), func.count())
        .where(inner.c.transferred_on.is_not(None), inner.c.transferred_on <= day, or_(answered, unanswered_past_due))
        .group_by(inner.c.agency_id)
    )
    return {agency_id: Value(int(bad or 0), int(total)) for agency_id, bad, total in rows}


def answers_unsatisfactory(day: date, start: date) -> Counts:
    """Complaints against the agency whose answer the complainant rated from `start` to `day`: how many 不满意."""
    dissatisfied = case((Complaint.rating == Satisfaction.DISSATISFIED.value, 1), else_=0)
    rows = db.session.execute(
        select(Complaint.agency_id, func.sum(dissatisfied), func.count())
        .where(
            Complaint.agency_id.is_not(None),
            Complaint.rating.is_not(None),
            Complaint.rated_on >= start,
            Complaint.rated_on <= day,
        )
        .group_by(Complaint.agency_id)
    )
    return {agency_id: Value(int(bad or 0), int(total)) for agency_id, bad, total in rows}


def positive_items(day: date, start: date) -> Counts:
    """表彰奖励 and 守信践诺 items awarded from `start` to `day`, shown on the 诚信档案 (a removed one never counts)."""
    rows = db.session.execute(
        select(PositiveItem.agency_id, func.count())
        .where(PositiveItem.removed_at.is_(None), PositiveItem.awarded_on >= start, PositiveItem.awarded_on <= day)
        .group_by(PositiveItem.agency_id)
    )
    return {agency_id: Value(int(n)) for agency_id, n in rows}


WINDOWED: Mapping[Indicator, Callable[[date, date], Counts]] = {
    Indicator.NOTICES_LATE: notices_late,
    Indicator.COMMITMENTS_BROKEN: commitments_broken,
    Indicator.COMPLAINTS_SUBSTANTIATED: complaints_substantiated,
    Indicator.ANSWERS_LATE: answers_late,
    Indicator.ANSWERS_UNSATISFACTORY: answers_unsatisfactory,
    Indicator.POSITIVE_ITEMS: positive_items,
}
TIERS: Mapping[Indicator, str] = {
    Indicator.RECORDS_MINOR: "minor",
    Indicator.RECORDS_GENERAL: "general",
    Indicator.RECORDS_SERIOUS: "serious",
}


def indicator_values(month: Month, method: Method) -> dict[Indicator, Counts]:
    """Each of the method's indicators for every agency, as of the month's last day (an agency absent from an
    indicator's counts has nothing counted: 0)."""
    day = month.last_day
    values: dict[Indicator, Counts] = {}
    states: RecordStates | None = None
    for rule in method.rules:
        indicator = rule.indicator
        if indicator in TIERS or indicator is Indicator.OVERDUE_RECTIFICATIONS:
            states = record_states(day) if states is None else states
            if indicator is Indicator.OVERDUE_RECTIFICATIONS:
                values[indicator] = states.overdue
            else:
                values[indicator] = states.open_by_tier.get(TIERS[indicator], {})
        elif indicator is Indicator.MEASURES_IN_FORCE:
            values[indicator] = measures_in_force(day)
        else:
            assert rule.window_months is not None  # windowed indicators have one (rules._rule checks it)
            values[indicator] = WINDOWED[indicator](day, window_start(month, rule.window_months))
    return values


def agencies_to_score(month: Month) -> list[Agency]:
    """The agencies scored for a month: every one in the registry that was not closed or merged before it began."""
    return list(
        db.session.scalars(
            select(Agency)
            .where(or_(Agency.closed_on.is_(None), Agency.closed_on >= month.first_day))
            .order_by(Agency.id)
        )
    )


def stored_versions(month: Month) -> dict[int, str]:
    """agency id -> the method version of its stored score for the month."""
    rows = db.session.execute(
        select(AgencyScore.agency_id, AgencyScore.method_version).where(AgencyScore.month == str(month))
    )
    return {agency_id: version for agency_id, version in rows}


# --- the stored scores -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredMonth:
    month: Month
    version: str
    agencies: int
    as_of: date


def scored_months() -> list[ScoredMonth]:
    """Every month with stored scores, newest first, with its method version and how many agencies were scored."""
    rows = db.session.execute(
        select(AgencyScore.month, AgencyScore.method_version, func.count(), func.max(AgencyScore.as_of))
        .group_by(AgencyScore.month, AgencyScore.method_version)
        .order_by(AgencyScore.month.desc())
    )
    return [ScoredMonth(Month.parse(month), version, int(n), as_of) for month, version, n, as_of in rows]


def latest_scored_month() -> Month | None:
    month = db.session.scalar(select(func.max(AgencyScore.month)))
    return Month.parse(month) if month else None


def is_scored(month: Month) -> bool:
    return db.session.scalar(select(exists().where(AgencyScore.month == str(month)))) is True


@dataclass(frozen=True)
class RankedRow:
    rank: int
    score: AgencyScore
    previous_tenths: int | None  # the same agency's score the month before, if stored

    @property
    def change_tenths(self) -> int | None:
        return None if self.previous_tenths is None else self.score.score_tenths - self.previous_tenths


@dataclass(frozen=True)
class Ranking:
    month: Month
    versions: list[str]  # the method version(s) of the month (one, unless a late agency was scored by another)
    as_of: date
    groups: dict[RankingGroup, list[RankedRow]]
    unranked: list[AgencyScore]  # scored, ranked in neither table (the county's own government)


def ranking(month: Month) -> Ranking | None:
    """The month's stored scores in the two tables, best first (equal scores share a rank), each with the change from
    the month before; None when the month has no scores."""
    scores = db.session.scalars(
        select(AgencyScore)
        .join(Agency, Agency.id == AgencyScore.agency_id)
        .where(AgencyScore.month == str(month))
        .order_by(AgencyScore.score_tenths.desc(), Agency.name, Agency.id)
    ).all()
    if not scores:
        return None
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_([s.agency_id for s in scores])))}
    previous = dict(
        db.session.execute(
            select(AgencyScore.agency_id, AgencyScore.score_tenths).where(AgencyScore.month == str(month.plus(-1)))
        ).all()
    )
    grouped: dict[RankingGroup, list[AgencyScore]] = {group: [] for group in RankingGroup}
    unranked: list[AgencyScore] = []
    for score in scores:
        agency = agencies[score.agency_id]
        group = ranking_group(agency.kind, agency.parent_id is not None)
        (grouped[group] if group is not None else unranked).append(score)
    groups = {
        group: [
            RankedRow(rank, score, previous.get(score.agency_id))
            for rank, score in zip(ranks([s.score_tenths for s in members]), members, strict=True)
        ]
        for group, members in grouped.items()
    }
    return Ranking(
        month=month,
        versions=sorted({s.method_version for s in scores}),
        as_of=max(s.as_of for s in scores),
        groups=groups,
        unranked=unranked,
    )


def agency_history(agency_id: int) -> list[AgencyScore]:
    """An agency's stored scores, newest month first (its 诚信档案's history)."""
    return list(
        db.session.scalars(
            select(AgencyScore).where(AgencyScore.agency_id == agency_id).order_by(AgencyScore.month.desc())
        )
    )


@dataclass(frozen=True)
class PartShown:
    """A stored part with the rule it was scored by (None when the version or indicator is no longer in the file)."""

    part: Part
    rule: Rule | None


@dataclass(frozen=True)
class AgencyEvaluation:
    """The 诚信档案's evaluation: the latest score with "why this score", and the history by month."""

    latest: AgencyScore
    method: Method | None  # the version the latest month was scored by, from methods.toml
    parts: list[PartShown]
    history: list[tuple[AgencyScore, int | None]]  # newest first, each with the change from the month before


def agency_evaluation(agency_id: int) -> AgencyEvaluation | None:
    """An agency's latest stored score, each indicator's value and points, and its history; None if never scored."""
    history = agency_history(agency_id)
    if not history:
        return None
    latest = history[0]
    method = next((m for m in methods() if m.version == latest.method_version), None)
    parts = []
    for stored in latest.parts:
        part = Part.from_json(stored)
        if part is not None:
            parts.append(PartShown(part, method.rule(part.indicator) if method is not None else None))
    by_month = {s.month: s.score_tenths for s in history}
    changes: list[tuple[AgencyScore, int | None]] = []
    for score in history:
        before = by_month.get(str(Month.parse(score.month).plus(-1)))
        changes.append((score, None if before is None else score.score_tenths - before))
    return AgencyEvaluation(latest, method, parts, changes)


@dataclass(frozen=True)
class VersionUse:
    version: str
    first: Month
    last: Month
    months: int


def version_use() -> dict[str, VersionUse]:
    """For each method version, the months stored with it (the methodology page shows them)."""
    rows = db.session.execute(
        select(
            AgencyScore.method_version,
            func.min(AgencyScore.month),
            func.max(AgencyScore.month),
            func.count(func.distinct(AgencyScore.month)),
        ).group_by(AgencyScore.method_version)
    )
    return {
        version: VersionUse(version, Month.parse(first), Month.parse(last), int(n)) for version, first, last, n in rows
    }


# --- the yearly 考核 sheet -------------------------------------------------------------------------------------------


@dataclass
class YearRow:
    """One agency's year: its stored monthly scores and the year's counts."""

    agency: Agency
    scores: list[AgencyScore]  # the year's stored months, oldest first
    records_opened: int = 0  # records whose publication started in the year (revoked ones aside)
    rectifications_finished: int = 0  # rectifications finished in the year
    measures_applied: int = 0  # joint measures applied in the year
    complaints_received: int = 0  # complaints filed against it in the year
    complaints_substantiated: int = 0  # accepted and closed in the year
    positive_items: int = 0  # 表彰奖励 awarded in the year

    @property
    def average_tenths(self) -> int | None:
        """The mean of the year's monthly scores, rounded half up to a tenth."""
        if not self.scores:
            return None
        total = sum(s.score_tenths for s in self.scores)
        return (2 * total + len(self.scores)) // (2 * len(self.scores))

    def months_graded(self, grade: str) -> int:
        return sum(1 for s in self.scores if s.grade == grade)

    @property
    def latest(self) -> AgencyScore | None:
        return self.scores[-1] if self.scores else None

    def latest_count(self, indicator: Indicator) -> int | None:
        """The indicator's count in the latest stored month of the year (e.g. 逾期未整改 at the last month's end)."""
        latest = self.latest
        if latest is None:
            return None
        return next((int(p["count"]) for p in latest.parts if p.get("key") == indicator.value), None)


@dataclass(frozen=True)
class YearSheet:
    year: int
    months: list[Month]  # the months of the year with stored scores
    groups: dict[RankingGroup, list[YearRow]]


def _counted(rows: Iterable[tuple[int | None, int]]) -> dict[int, int]:
    return {agency_id: int(n) for agency_id, n in rows if agency_id is not None}


def year_sheet(year: int) -> YearSheet:
    """The yearly 考核 sheet (如东县办法 五(四); 沈政办发〔2018〕117号 三(三); 泗政秘〔2018〕145号 (十四)): for each
    township and each department, the year's stored monthly scores (average, months per grade, latest grade) and the
    year's counts, from the same data as the monthly scores. Grouped statements, one per count."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    scores = db.session.scalars(
        select(AgencyScore)
        .where(AgencyScore.month >= f"{year:04d}-01", AgencyScore.month <= f"{year:04d}-12")
        .order_by(AgencyScore.month)
    ).all()
    by_agency: dict[int, list[AgencyScore]] = {}
    for score in scores:
        by_agency.setdefault(score.agency_id, []).append(score)
    in_year = {
        "records_opened": select(Record.agency_id, func.count())
        .where(
            Record.status != RecordStatus.REVOKED.value,
            Record.publication_start >= first,
            Record.publication_start <= last,
        )
        .group_by(Record.agency_id),
        "rectifications_finished": select(Record.agency_id, func.count())
        .select_from(Rectification)
        .join(Record, Record.id == Rectification.record_id)
        .where(Rectification.finished_on >= first, Rectification.finished_on <= last)
        .group_by(Record.agency_id),
        "measures_applied": select(Record.agency_id, func.count())
        .select_from(JointMeasure)
        .join(Record, Record.id == JointMeasure.record_id)
        .where(JointMeasure.applied_on >= first, JointMeasure.applied_on <= last)
        .group_by(Record.agency_id),
        "complaints_received": select(Complaint.agency_id, func.count())
        .where(Complaint.filed_on >= first, Complaint.filed_on <= last)
        .group_by(Complaint.agency_id),
        "complaints_substantiated": select(Complaint.agency_id, func.count())
        .where(
            Complaint.status == ComplaintStatus.CLOSED.value,
            Complaint.closed_on >= first,
            Complaint.closed_on <= last,
        )
        .group_by(Complaint.agency_id),
        "positive_items": select(PositiveItem.agency_id, func.count())
        .where(PositiveItem.removed_at.is_(None), PositiveItem.awarded_on >= first, PositiveItem.awarded_on <= last)
        .group_by(PositiveItem.agency_id),
    }
    counts = {name: _counted(db.session.execute(query).all()) for name, query in in_year.items()}
    agencies = db.session.scalars(
        select(Agency)
        .where(or_(Agency.closed_on.is_(None), Agency.closed_on >= first, Agency.id.in_(list(by_agency))))
        .order_by(Agency.region_code, Agency.name)
    ).all()
    groups: dict[RankingGroup, list[YearRow]] = {group: [] for group in RankingGroup}
    for agency in agencies:
        group = ranking_group(agency.kind, agency.parent_id is not None)
        if group is None:
            continue
        row = YearRow(agency, by_agency.get(agency.id, []), **{name: c.get(agency.id, 0) for name, c in counts.items()})
        groups[group].append(row)
    for rows in groups.values():  # the best average first; unscored agencies last, by name
        rows.sort(key=lambda r: (r.average_tenths is None, -(r.average_tenths or 0), r.agency.name))
    return YearSheet(year, sorted({Month.parse(s.month) for s in scores}), groups)


def scored_years() -> list[int]:
    """Years with stored scores, newest first."""
    months = db.session.scalars(select(func.distinct(func.substr(AgencyScore.month, 1, 4)))).all()
    return sorted({int(m) for m in months}, reverse=True)
