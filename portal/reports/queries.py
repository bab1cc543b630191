"""The bulletin's figures for a month, made from the data in a few grouped queries (never one per agency), and the
read-only questions of the bulletin pages.

The figures of month M count from its first day to `as_of` = min(M's last day, today) (rules.figures_as_of), each
by the date the data itself carries, so that a past month's figures are what its days saw:
- new records: published (publication_start) in M, less those revoked (已撤销) by `as_of`;
- 已履行: rectifications finished (finished_on) in M, by result (沈政办发〔2018〕117号 二(三));
- repaired: records whose publication stopped as 已修复 in M, whether by an approved repair application or by staff
  (泰信用办〔2022〕12号 二(二)(六)): the same records as the 已修复 line of the stops below;
- cleared: records whose publication stopped in M (stopped_on; a maximum period reached without the daily stop is
  公示期满 on its publication_max_end), by why;
- overdue: rectifications not finished on `as_of` and past their deadline or an open measure's, of records shown
  that day (逾期未整改, 新信用发〔2018〕6号 二(五)); a plan counts from its record's publication;
- joint measures applied (applied_on) and lifted (lifted_on) in M, by the punished body (新信用发〔2018〕6号 二(五));
- 约谈 and 现场督办 held (held_on) and letters sent (issued_on) in M (泰信用办〔2022〕12号 二(五));
- complaints received (filed_on), closed (已办结, closed_on) and closed by their close_due in M, and refused (不予受理);
- 动态清零: the bodies listed as 失信被执行人 on `as_of` and on the previous month's last day — shown that day, not
  fulfilled by it (records.queries.listed_defaulter_count is the same rule for today) — newly listed and cleared;
- a row per body (agency) with any figure, a row per 乡镇（街道） with the bodies under it (rules.townships_of);
- notable cases: the largest repayments, the defaulters cleared, the largest debts settled in M.

Names, codes and labels are copied into the figures as they are when made: a published bulletin keeps them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind, AgencyStatus
from portal.arrears.models import Payment
from portal.complaints.models import Complaint
from portal.complaints.rules import ComplaintStatus
from portal.core.months import Month
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.measures.rules import MeasureKind
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES, RecordStatus
from portal.rectifications.models import Rectification
from portal.rectifications.queries import overdue_on
from portal.rectifications.rules import Outcome
from portal.reports.models import Bulletin
from portal.reports.rules import (
    FIGURES_VERSION,
    NOTABLE_EACH,
    UNIT_KEYS,
    Body,
    BulletinState,
    changed_figures,
    empty_row,
    figures_as_of,
    has_figures,
    townships_of,
)
from portal.supervision.models import Letter, Meeting
from portal.supervision.rules import LetterKind, MeetingKind

STOPPED = (RecordStatus.REPAIRED, RecordStatus.EXPIRED, RecordStatus.REVOKED)


# --- the rules in SQL ----------------------------------------------------------------------------------------------


def shown_on(day: date, today: date) -> ColumnElement[bool]:
    """The record was shown on `day` (not after `today`): published by then, its maximum period not reached, not
    stopped by then. A record in a shown status has no stop date and a stopped one has one (the table's
    `stopped_records_are_dated`); a stop date after today (which no operation writes) counts as today, as
    records.rules.publication_stop has it. The status is asked first, so that only a stopped record's row is read
    for its date (the rest comes from the records' indexes); on today itself the status says it all."""
    in_force: list[ColumnElement[bool]] = [Record.status.in_(_SHOWN)]
    if day < today:
        in_force.append(Record.stopped_on > day)
    return and_(Record.publication_start <= day, Record.publication_max_end > day, or_(*in_force))


_SHOWN = [s.value for s in SHOWN_STATUSES]
_STOPPED = [s.value for s in STOPPED]


def _stop_day() -> Any:
    """The day a record left the public pages: its stop date, or the end of its maximum period (公示期满) when the
    daily stop has not dated it yet (a shown status)."""
    return case((Record.status.in_(_SHOWN), Record.publication_max_end), else_=Record.stopped_on)


def _stop_reason() -> Any:
    return case((Record.status.in_(_SHOWN), RecordStatus.EXPIRED.value), else_=Record.status)


def _stopped_between(start: date, day: date, today: date) -> ColumnElement[bool]:
    """Publication stopped from `start` to `day`: dated by the daily stop or by staff (a date after today counts as
    today), or the maximum period reached in a shown status. A stop date lies in the record's window, so the window
    is asked first (from the indexes)."""
    stopped = [Record.stopped_on >= start] if day >= today else [Record.stopped_on.between(start, day)]
    return or_(
        and_(Record.status.in_(_SHOWN), Record.publication_max_end.between(start, day)),
        and_(
            Record.status.in_(_STOPPED),
            Record.publication_max_end >= start,
            Record.publication_start <= day,
            *stopped,
        ),
    )


def _listed_on(day: date, today: date) -> ColumnElement[bool]:
    """A 失信被执行人 record that lists its body on `day` (泰信用办〔2022〕12号: 动态清零): shown that day and not put
    right by then — its rectification's result dated after `day` or none yet, whatever its status now (a record that
    expired or was repaired since still listed its body that day). A 已履行 record without a dated result and a
    revoked one list nobody. The same rule as statistics.queries.defaulter_series."""
    done_by_then = exists().where(Rectification.record_id == Record.id, Rectification.finished_on <= day)
    dated_result = exists().where(Rectification.record_id == Record.id, Rectification.finished_on.is_not(None))
    undated_fulfilment = and_(Record.status == RecordStatus.FULFILLED.value, ~dated_result)
    return and_(shown_on(day, today), Record.status != RecordStatus.REVOKED.value, ~done_by_then, ~undated_fulfilment)


def listed_defaulters(days: Sequence[date], today: date) -> list[set[int]]:
    """For each of `days`, the bodies listed as 失信被执行人 that day, in one pass over the 失信被执行人 records along
    their kind's index (records.queries.listed_defaulter_count counts the same for today). The rows are gathered
    by body here rather than grouped in SQL: grouped, SQLite would walk the records by body and read every row."""
    flags = [case((_listed_on(day, today), 1), else_=0) for day in days]
    rows = db.session.execute(
        select(Record.agency_id, *flags).where(
            Record.kind == Kind.JUDGMENT_DEFAULTER.value,
            Record.publication_start <= max(days),
            Record.publication_max_end > min(days),
        )
    ).all()
    return [{row[0] for row in rows if row[n + 1]} for n in range(len(days))]


# --- the figures ---------------------------------------------------------------------------------------------------


class _Tally:
    """Counts by agency (None: no agency, e.g. a complaint about a body typed in) and by a code."""

    def __init__(self) -> None:
        self.units: dict[int | None, dict[str, int]] = defaultdict(empty_row)
        self.codes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, agency_id: int | None, key: str, n: int, code: str | None = None, code_key: str = "") -> None:
        self.units[agency_id][key] += n
        if code is not None:
            self.codes[code_key or key][code] += n

    def total(self, key: str) -> int:
        return sum(row[key] for row in self.units.values())


def _grouped(query: Any) -> Iterable[Any]:
    return db.session.execute(query)


def _counted(query: Any) -> Iterable[tuple[tuple[Any, ...], int]]:
    """The rows of `query` counted here, by their values. Grouped in SQL, SQLite would walk the records by body
    along ix_records_agency and read every row; selected, it takes the index that fits the filter."""
    return Counter(tuple(row) for row in db.session.execute(query)).items()


def _code(value: Any) -> str:
    return str(getattr(value, "value", value))


def make_figures(month: Month, today: date) -> dict[str, Any]:
    """The month's figures as plain JSON (numbers, strings, lists and objects), as of min(its last day, today)."""
    start, day = month.first_day, figures_as_of(month, today)
    tally = _Tally()

    # new records, by kind and body (revoked ones were never rightly published; a revocation dated after today
    # counts as today); counted here along the newest-first index
    not_revoked: list[ColumnElement[bool]] = [Record.status != RecordStatus.REVOKED.value]
    if day < today:
        not_revoked.append(Record.stopped_on > day)
    for (agency_id, kind), n in _counted(
        select(Record.agency_id, Record.kind).where(Record.publication_start.between(start, day), or_(*not_revoked))
    ):
        tally.add(agency_id, "new_records", n, _code(kind))

    # 已履行: rectifications finished in the month, by result
    for agency_id, outcome, n in _grouped(
        select(Record.agency_id, Rectification.outcome, func.count())
        .select_from(Rectification)
        .join(Record, Record.id == Rectification.record_id)
        .where(Rectification.finished_on.between(start, day), Rectification.outcome.is_not(None))
        .group_by(Record.agency_id, Rectification.outcome)
    ):
        tally.add(agency_id, "fulfilled", n, _code(outcome))

    # publication stopped in the month, by why
    stop_day, reason = _stop_day(), _stop_reason()
    for agency_id, why, n in _grouped(
        select(Record.agency_id, reason, func.count())
        .where(_stopped_between(start, day, today), Record.publication_start <= stop_day)
        .group_by(Record.agency_id, reason)
    ):
        tally.add(agency_id, "cleared", n, _code(why))
        if why == RecordStatus.REPAIRED:  # 信用修复: stopped as 已修复, by an approved repair or by staff
            tally.add(agency_id, "repaired", n)

    # overdue rectifications on the as-of day, found from the rectifications without a result then (their index)
    for (agency_id,), n in _counted(
        select(Record.agency_id)
        .select_from(Rectification)
        .join(Record, Record.id == Rectification.record_id)
        .where(overdue_on(day), shown_on(day, today))
    ):
        tally.add(agency_id, "overdue", n)

    # joint measures applied and lifted in the month, by the punished body and the measure
    for column, key in ((JointMeasure.applied_on, "measures_applied"), (JointMeasure.lifted_on, "measures_lifted")):
        for agency_id, kind, n in _grouped(
            select(Record.agency_id, JointMeasure.kind, func.count())
            .select_from(JointMeasure)
            .join(Record, Record.id == JointMeasure.record_id)
            .where(column.between(start, day))
            .group_by(Record.agency_id, JointMeasure.kind)
        ):
            tally.add(agency_id, key, n, _code(kind))

    # 约谈 and 现场督办 held, letters sent
    for agency_id, kind, n in _grouped(
        select(Meeting.agency_id, Meeting.kind, func.count())
        .where(Meeting.held_on.between(start, day))
        .group_by(Meeting.agency_id, Meeting.kind)
    ):
        key = "interviews" if _code(kind) == MeetingKind.INTERVIEW.value else "site_visits"
        tally.add(agency_id, key, n, _code(kind), "meetings")
    for agency_id, kind, n in _grouped(
        select(Letter.agency_id, Letter.kind, func.count())
        .where(Letter.issued_on.between(start, day))
        .group_by(Letter.agency_id, Letter.kind)
    ):
        tally.add(agency_id, "letters", n, _code(kind))

    # complaints received, closed (on time), refused
    for agency_id, n in _grouped(
        select(Complaint.agency_id, func.count())
        .where(Complaint.filed_on.between(start, day))
        .group_by(Complaint.agency_id)
    ):
        tally.add(agency_id, "complaints_received", n)
    on_time = func.sum(case((Complaint.closed_on <= Complaint.close_due, 1), else_=0))
    closed_on_time = 0
    for agency_id, n, in_time in _grouped(
        select(Complaint.agency_id, func.count(), on_time)
        .where(Complaint.status == ComplaintStatus.CLOSED.value, Complaint.closed_on.between(start, day))
        .group_by(Complaint.agency_id)
    ):
        tally.add(agency_id, "complaints_closed", n)
        closed_on_time += int(in_time or 0)
    not_accepted = (
        db.session.scalar(
            select(func.count()).where(
                Complaint.status == ComplaintStatus.NOT_ACCEPTED.value, Complaint.closed_on.between(start, day)
            )
        )
        or 0
    )

    # 动态清零
    listed_now, listed_before = listed_defaulters([day, month.plus(-1).last_day], today)
    for agency_id in listed_now:
        tally.add(agency_id, "listed", 1)

    agencies = {a.id: a for a in db.session.scalars(select(Agency))}
    township = townships_of(
        Body(a.id, a.parent_id, a.kind is AgencyKind.TOWNSHIP, a.region_code) for a in agencies.values()
    )
    units = _unit_rows(tally, agencies, township)
    return {
        "version": FIGURES_VERSION,
        "month": str(month),
        "as_of": day.isoformat(),
        "totals": {
            **{key: tally.total(key) for key in UNIT_KEYS if key != "listed"},
            "complaints_on_time": closed_on_time,
            "complaints_not_accepted": int(not_accepted),
            "defaulters_listed": len(listed_now),
            "defaulters_listed_before": len(listed_before),
            "defaulters_new": len(listed_now - listed_before),
            "defaulters_cleared": len(listed_before - listed_now),
        },
        "new_by_kind": _by_code(tally.codes["new_records"], Kind),
        "fulfilled_by_outcome": _by_code(tally.codes["fulfilled"], Outcome),
        "cleared_by_status": _by_code(tally.codes["cleared"], STOPPED),
        "measures_by_kind": [
            {
                "key": kind.value,
                "label": kind.msgid,
                "applied": tally.codes["measures_applied"].get(kind.value, 0),
                "lifted": tally.codes["measures_lifted"].get(kind.value, 0),
            }
            for kind in MeasureKind
        ],
        "supervision": [
            *(
                {
                    "key": f"meeting:{kind.value}",
                    "label": kind.msgid,
                    "count": tally.codes["meetings"].get(kind.value, 0),
                }
                for kind in MeetingKind
            ),
            *(
                {"key": f"letter:{kind.value}", "label": kind.msgid, "count": tally.codes["letters"].get(kind.value, 0)}
                for kind in LetterKind
            ),
        ],
        "overdue_by_unit": sorted(
            (
                {**_name(agencies[int(row["key"])]), "count": row["overdue"]}
                for row in units
                if row["overdue"] and int(row["key"]) in agencies
            ),
            key=lambda row: (-row["count"], row["name"]),
        ),
        "defaulters": {
            "listed": [{**_name(agencies[i]), "new": i not in listed_before} for i in _ordered(listed_now, agencies)],
            "cleared": [_name(agencies[i]) for i in _ordered(listed_before - listed_now, agencies)],
        },
        "units": [row for row in units if has_figures(row)],
        "townships": _township_rows(units, agencies, township),
        "notable": _notable(start, day, today),
    }


def _name(agency: Agency) -> dict[str, Any]:
    """A body as the bulletin names it, as it is when the figures are made."""
    return {"key": str(agency.id), "id": agency.id, "uscc": agency.uscc, "name": agency.name}


def _ordered(ids: Iterable[int], agencies: dict[int, Agency]) -> list[int]:
    """Bodies in the registry's order: region, kind, name."""
    return sorted(
        (i for i in ids if i in agencies),
        key=lambda i: (agencies[i].region_code, _KIND_ORDER[agencies[i].kind], agencies[i].name),
    )


_KIND_ORDER = {kind: n for n, kind in enumerate(AgencyKind)}


def _by_code(counts: dict[str, int], codes: Iterable[Any]) -> list[dict[str, Any]]:
    """Every code of the enum (zero included), in its order, with its Chinese label."""
    return [{"key": c.value, "label": c.msgid, "count": counts.get(c.value, 0)} for c in codes]


def _unit_rows(tally: _Tally, agencies: dict[int, Agency], township: dict[int, int]) -> list[dict[str, Any]]:
    """A row per body the registry has (the figures of a body since removed are in the totals only)."""
    return [
        {
            **_name(agencies[i]),
            "kind": agencies[i].kind.value,
            "township": township.get(i),
            **{key: tally.units[i][key] if i in tally.units else 0 for key in UNIT_KEYS},
        }
        for i in _ordered(agencies, agencies)
    ]


def _township_rows(
    units: list[dict[str, Any]], agencies: dict[int, Agency], township: dict[int, int]
) -> list[dict[str, Any]]:
    """A row per 乡镇（街道） in force (or with figures): the sums of the bodies under it, itself included."""
    rows: dict[int, dict[str, Any]] = {}
    for i in _ordered((i for i, a in agencies.items() if a.kind is AgencyKind.TOWNSHIP), agencies):
        rows[i] = {**_name(agencies[i]), "bodies": 0, **empty_row()}
    for row in units:
        town = township.get(row["id"])
        if town is None or town not in rows:
            continue
        rows[town]["bodies"] += 1
        for key in UNIT_KEYS:
            rows[town][key] += row[key]
    return [row for i, row in rows.items() if agencies[i].status is AgencyStatus.ACTIVE or has_figures(row)]


def _notable(start: date, day: date, today: date) -> list[dict[str, Any]]:
    """Cases the month brought to an end, picked from the data: the largest repayments received, the 失信被执行人
    records fulfilled or repaired, the largest debts whose rectification finished — each once, with its record, and
    only records still public when the figures are made (a record whose publication stopped, was revoked or never
    began is named on no public page)."""
    picked: list[dict[str, Any]] = []
    seen: set[int] = set()

    def add(sort: str, record: Record, amount: int | None, on: date, what: Any) -> None:
        if record.id in seen:
            return
        seen.add(record.id)
        picked.append(
            {
                "key": f"{sort}:{record.id}",
                "sort": sort,
                "record_id": record.id,
                "record_kind": record.kind.value,
                "record_kind_label": record.kind.msgid,
                "agency": record.agency.name,
                "agency_uscc": record.agency.uscc,
                "amount_fen": amount,
                "on": on.isoformat(),
                "what": what.value if what is not None else "",
                "what_label": what.msgid if what is not None else "",
            }
        )

    paid = func.sum(Payment.amount_fen)
    for record, amount, last in db.session.execute(
        select(Record, paid, func.max(Payment.paid_on))
        .join(Payment, Payment.record_id == Record.id)
        .where(Payment.paid_on.between(start, day), Record.public_clause(today))
        .group_by(Record.id)
        .order_by(paid.desc(), Record.id)
        .limit(NOTABLE_EACH)
    ):
        add("repayment", record, int(amount), last, None)

    defaulters = db.session.execute(
        select(Record, Rectification.finished_on, Rectification.outcome)
        .join(Rectification, Rectification.record_id == Record.id)
        .where(
            Record.kind == Kind.JUDGMENT_DEFAULTER.value,
            Rectification.finished_on.between(start, day),
            Rectification.outcome.is_not(None),
            Record.public_clause(today),
        )
        .order_by(Rectification.finished_on, Record.id)
        .limit(NOTABLE_EACH)
    )
    for record, finished_on, outcome in defaulters:
        assert finished_on is not None  # selected so
        add("defaulter", record, None, finished_on, outcome)

    settled = db.session.execute(
        select(Record, Rectification.finished_on, Rectification.outcome)
        .join(Rectification, Rectification.record_id == Record.id)
        .where(
            Rectification.finished_on.between(start, day),
            Rectification.outcome.is_not(None),
            Record.amount_fen.is_not(None),
            Record.public_clause(today),
        )
        .order_by(Record.amount_fen.desc(), Record.id)
        .limit(NOTABLE_EACH)
    )
    for record, finished_on, outcome in settled:
        assert finished_on is not None  # selected so
        add("settled", record, record.amount_fen, finished_on, outcome)
    return picked


# --- the bulletins -------------------------------------------------------------------------------------------------


def bulletin_of(month: Month) -> Bulletin | None:
    return db.session.scalar(select(Bulletin).where(Bulletin.month == str(month)))


def published_of(month: Month) -> Bulletin | None:
    """The month's bulletin if it is published (a draft is not public)."""
    bulletin = bulletin_of(month)
    return bulletin if bulletin is not None and bulletin.is_published else None


def live_changes(bulletin: Bulletin, today: date) -> dict[str, Any]:
    """Where the live figures now differ from a draft's (path → live value): the draft page marks them. Nothing
    for a published bulletin, whose figures are never compared again."""
    if bulletin.is_published:
        return {}
    month = Month.parse(bulletin.month)
    return changed_figures(bulletin.figures, make_figures(month, today))


def published_bulletins() -> list[Bulletin]:
    """Every published bulletin, newest month first."""
    return list(
        db.session.scalars(
            select(Bulletin)
            .where(Bulletin.state == BulletinState.PUBLISHED.value)
            .options(selectinload(Bulletin.errata))
            .order_by(Bulletin.month.desc())
        )
    )


def bulletins_of(months: Iterable[Month]) -> dict[str, Bulletin]:
    """month → its bulletin, for those of `months` that have one."""
    names = [str(m) for m in months]
    return {b.month: b for b in db.session.scalars(select(Bulletin).where(Bulletin.month.in_(names)))}


def other_bulletins(months: Iterable[Month]) -> list[Bulletin]:
    """The bulletins of months not among `months` (older ones), newest first."""
    names = [str(m) for m in months]
    return list(
        db.session.scalars(select(Bulletin).where(Bulletin.month.not_in(names)).order_by(Bulletin.month.desc()))
    )
