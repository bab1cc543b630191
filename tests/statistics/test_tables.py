"""Every chart's data table on /statistics/ against an independent count: one plain SQL query per day, month or
group here (the page counts all of them in a few grouped statements), on the demo data plus built cases whose effect
on each row is worked out by hand. Today is 2026-11-20 (tests/conftest.py); the default range is 12 months."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from portal.agencies.models import Agency
from portal.arrears.models import ArrearsTerms, Payment
from portal.arrears.rules import Subtype, format_wan
from portal.complaints.models import Complaint, ComplaintStep
from portal.complaints.rules import Satisfaction
from portal.core.periods import Severity
from portal.extensions import db
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.queries import listed_defaulter_count
from portal.rectifications.models import Rectification
from portal.statistics.rules import count_months, count_points, listed_on, public_on
from tests.conftest import TODAY
from tests.factories import make_agency, make_record
from tests.html import find, text_of
from tests.statistics.builders import arrears, complaint, defaulter, list_total, pay, table_rows

D = date
today = date.fromisoformat(TODAY)
POINTS = count_points(today, 12)  # 2025-11-30 … 2026-10-31, then 2026-11-20
BEFORE = count_points(today, 13)[0]  # 2025-10-31: the first point's "point before"


def page(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/statistics/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- 动态清零 --------------------------------------------------------------------------------------------------------


def listed_bodies(day: date) -> set[int]:
    """The bodies listed as 失信被执行人 at the end of `day`, as the page defines it, asked plainly."""
    return set(
        db.session.scalars(
            select(Record.agency_id)
            .outerjoin(Rectification, Rectification.record_id == Record.id)
            .where(
                Record.kind == "judgment_defaulter",
                Record.status != "revoked",
                Record.publication_start <= day,
                Record.publication_max_end > day,
                or_(Record.stopped_on.is_(None), Record.stopped_on > day),
                or_(Rectification.finished_on.is_(None), Rectification.finished_on > day),
                not_(and_(Record.status == "fulfilled", Rectification.finished_on.is_(None))),
            )
        )
    )


def defaulter_table(client: FlaskClient) -> list[tuple[int, int, int]]:
    rows = table_rows(page(client), "table-defaulters")
    assert len(rows) == len(POINTS)
    return [(int(listed), int(new), int(cleared)) for _day, listed, new, cleared in rows]


def test_defaulter_table_equals_sql_per_day_and_moves_as_the_cases_say(client: FlaskClient) -> None:
    before = defaulter_table(client)
    b, c, d, e, f, g, h = (make_agency() for _ in range(7))
    defaulter(b, D(2026, 3, 15), finished_on=D(2026, 6, 10))  # listed Mar–May, cleared by the end of June
    defaulter(c, D(2026, 2, 10))  # listed from February on…
    defaulter(c, D(2026, 4, 1), status="rectifying")  # …a second record of the same body counts once
    defaulter(d, D(2026, 1, 5), status="revoked", stopped_on=D(2026, 9, 1))  # 已撤销: never counted
    defaulter(e, D(2026, 7, 7), status="repaired", stopped_on=D(2026, 9, 15))  # listed Jul–Aug, cleared in Sep
    defaulter(f, D(2026, 1, 1), status="fulfilled")  # 已履行 with no dated result: never counted
    defaulter(g, D(2026, 8, 3), finished_on=D(2026, 8, 20))  # listed and cleared within August: in no row
    defaulter(h, D(2026, 11, 10))  # listed since the last month end: new at today's point
    after = defaulter_table(client)
    change = {day: (a[0] - z[0], a[1] - z[1], a[2] - z[2]) for day, a, z in zip(POINTS, after, before, strict=True)}
    expected = {day: (0, 0, 0) for day in POINTS}
    for day in (D(2026, 2, 28), *POINTS[4:12], today):  # c: February on
        expected[day] = (1, 1 if day == D(2026, 2, 28) else 0, 0)
    for day in (D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)):  # b
        expected[day] = (expected[day][0] + 1, expected[day][1] + (day == D(2026, 3, 31)), 0)
    expected[D(2026, 6, 30)] = (1, 0, 1)  # b cleared (c still listed)
    expected[D(2026, 7, 31)] = (2, 1, 0)  # e new
    expected[D(2026, 8, 31)] = (2, 0, 0)
    expected[D(2026, 9, 30)] = (1, 0, 1)  # e cleared
    expected[today] = (2, 1, 0)  # h new
    assert change == expected
    # the whole table against the plain per-day query, new and cleared as set differences
    days = [BEFORE, *POINTS]
    bodies = [listed_bodies(day) for day in days]
    assert after == [
        (len(bodies[i]), len(bodies[i] - bodies[i - 1]), len(bodies[i - 1] - bodies[i])) for i in range(1, len(days))
    ]
    assert after[-1][0] == listed_defaulter_count(today)  # today's point is the home page's figure


def test_the_defaulter_table_over_24_months(client: FlaskClient) -> None:
    defaulter(make_agency(), D(2025, 1, 20), status="public")
    rows = table_rows(page(client, "?months=24"), "table-defaulters")
    days = count_points(today, 25)
    assert len(rows) == 25
    bodies = [listed_bodies(day) for day in days]
    assert [int(row[1]) for row in rows] == [len(b) for b in bodies[1:]]
    assert rows[0][0] == "2024年11月30日"
    assert rows[-1][0] == "2026年11月20日（今日）"


# --- 清欠 ----------------------------------------------------------------------------------------------------------


def money_on(day: date) -> tuple[int, int]:
    """Owed and repaid by `day` on the arrears records public at the end of `day`, asked plainly."""
    public = and_(
        Record.kind == "arrears",
        Record.status != "revoked",
        Record.publication_start <= day,
        Record.publication_max_end > day,
        or_(Record.stopped_on.is_(None), Record.stopped_on > day),
    )
    owed = db.session.scalar(select(func.sum(Record.amount_fen)).where(public)) or 0
    repaid = (
        db.session.scalar(
            select(func.sum(Payment.amount_fen))
            .join(Record, Record.id == Payment.record_id)
            .where(public, Payment.paid_on <= day)
        )
        or 0
    )
    return int(owed), int(repaid)


def test_arrears_table_equals_sql_per_day(client: FlaskClient) -> None:
    township = make_agency(kind="township", region_code="990121109", region_name="演示县测试镇")
    department = make_agency()
    big = arrears(township, D(2026, 2, 10), 500_000_001, subtype="construction")
    pay(big, D(2026, 5, 5), 100_000_000)
    pay(big, D(2026, 11, 1), 50_000_000)  # after the last month end: only today's point has it
    arrears(department, D(2026, 6, 1), 123_456_789)
    repaired = arrears(department, D(2026, 1, 1), 99, subtype="goods", status="repaired", stopped_on=D(2026, 8, 1))
    pay(repaired, D(2026, 7, 1), 99)  # public until 2026-08-01, then out of every later point
    arrears(department, D(2026, 3, 3), 7_000, status="revoked", stopped_on=D(2026, 4, 1))  # never counted
    rows = table_rows(page(client), "table-arrears")
    assert len(rows) == len(POINTS)
    for day, (_label, owed, repaid, outstanding) in zip(POINTS, rows, strict=True):
        sql_owed, sql_repaid = money_on(day)
        assert (owed, repaid, outstanding) == (
            format_wan(sql_owed),
            format_wan(sql_repaid),
            format_wan(max(sql_owed - sql_repaid, 0)),
        ), day
    # the cases as built: the last payment only at today's point; the repaired record's 99 fen until July
    assert money_on(D(2026, 10, 31))[1] + 50_000_000 == money_on(today)[1]
    assert money_on(D(2026, 7, 31))[1] == money_on(D(2026, 8, 31))[1] + 99  # (the demo has no payments)


def test_arrears_by_level_and_subtype_equal_sql_and_the_home_page(client: FlaskClient) -> None:
    township = make_agency(kind="township", region_code="990121109", region_name="演示县测试镇")
    county = make_agency(kind="institution")
    first = arrears(township, D(2026, 9, 1), 300_000_000, subtype="construction")
    pay(first, D(2026, 10, 1), 12_345_678)
    second = arrears(county, D(2026, 9, 2), 45_000_001, subtype="deposit")
    pay(second, D(2026, 9, 3), 1)
    arrears(county, D(2026, 9, 4), 7_777)  # no subtype yet: 未分类
    body = page(client)
    public = [Record.public_clause(today), Record.kind == "arrears"]

    def sums(*where: ColumnElement[bool]) -> tuple[int, int, int]:
        records = int(
            db.session.scalar(select(func.count()).select_from(Record).join(Agency).where(*public, *where)) or 0
        )
        owed = int(db.session.scalar(select(func.sum(Record.amount_fen)).join(Agency).where(*public, *where)) or 0)
        repaid = db.session.scalar(
            select(func.sum(Payment.amount_fen))
            .join(Record, Record.id == Payment.record_id)
            .join(Agency, Agency.id == Record.agency_id)
            .where(*public, *where)
        )
        return records, owed, int(repaid or 0)

    def shown(row: list[str]) -> tuple[int, str, str, str]:
        return int(row[1]), row[2], row[3], row[4]

    def expected(records: int, owed: int, repaid: int) -> tuple[int, str, str, str]:
        return records, format_wan(owed), format_wan(repaid), format_wan(max(owed - repaid, 0))

    levels = {row[0]: shown(row) for row in table_rows(body, "table-levels")}
    assert levels["乡镇（街道）"] == expected(*sums(Agency.kind == "township"))
    assert levels["县级机关、事业单位和国有企业"] == expected(*sums(Agency.kind != "township"))
    subtypes = {row[0]: shown(row) for row in table_rows(body, "table-subtypes")}
    with_terms = select(ArrearsTerms.record_id)
    for subtype in Subtype:
        of_subtype = Record.id.in_(select(ArrearsTerms.record_id).where(ArrearsTerms.subtype == subtype.value))
        if sums(of_subtype)[0]:
            assert subtypes[str(subtype.label)] == expected(*sums(of_subtype)), subtype
        else:
            assert str(subtype.label) not in subtypes
    assert subtypes["未分类"] == expected(*sums(Record.id.not_in(with_terms)))
    assert subtypes["工程款"][0] >= 1
    assert subtypes["保证金"][0] >= 1
    total = expected(*sums())
    assert levels["合计"] == subtypes["合计"] == total
    home = client.get("/").get_data(as_text=True)
    for figure, value in (("money-owed", total[1]), ("money-repaid", total[2]), ("money-outstanding", total[3])):
        dd = find(find(home, "div", id=figure), "dd")  # type: ignore[arg-type]
        assert dd is not None
        assert text_of(dd) == value


# --- records by kind, tier and township -------------------------------------------------------------------------


def test_record_tables_equal_sql_and_each_figure_links_to_a_list_of_that_many(client: FlaskClient) -> None:
    township = make_agency(kind="township", region_code="990121109", region_name="演示县测试镇")
    make_record(township, kind="lost_lawsuit", severity="serious")
    make_record(township, kind="lost_lawsuit", severity="minor", status="fulfilled")
    make_record(township, status="repaired", stopped_on=today)  # stopped: not public
    body = page(client)
    public = Record.public_clause(today)
    kinds = table_rows(body, "table-kinds")
    assert [row[0] for row in kinds] == [*(str(k.label) for k in Kind), "合计"]
    for kind, row in zip(Kind, kinds, strict=False):
        assert int(row[1]) == db.session.scalar(select(func.count()).where(public, Record.kind == kind.value))
    tiers = table_rows(body, "table-tiers")
    for severity, row in zip(Severity, tiers, strict=False):
        assert row[0] == str(severity.label)
        assert int(row[1]) == db.session.scalar(select(func.count()).where(public, Record.severity == severity.value))
    regions = table_rows(body, "table-regions")
    sql_regions = db.session.execute(
        select(Agency.region_name, Agency.region_code, func.count())
        .join(Record, Record.agency_id == Agency.id)
        .where(public)
        .group_by(Agency.region_name, Agency.region_code)
        .order_by(Agency.region_code)
    ).all()
    assert [(row[0], int(row[1])) for row in regions[:-1]] == [
        (f"{name}（县本级）" if len(code) == 6 else name, n) for name, code, n in sql_regions
    ]
    assert ["演示县测试镇", "2"] in regions
    total = int(db.session.scalar(select(func.count()).where(public)) or 0)
    for rows in (kinds, tiers, regions):
        assert rows[-1] == ["合计", str(total)]
    # every linked figure opens a list whose total is that figure
    for table_id in ("table-kinds", "table-tiers", "table-regions"):
        table = find(body, "table", id=table_id)
        assert table is not None
        for link in (a for a in table.iter("a")):
            listed = client.get(link.get("href", "")).get_data(as_text=True)
            assert list_total(listed) == int(text_of(link)), link.get("href")
    county_row = regions[0]  # the county's own bodies: a 6-digit code, whose list would take the townships in too
    assert county_row[0].endswith("（县本级）")
    county_table = find(body, "table", id="table-regions")
    assert county_table is not None
    first_row = next(tr for tr in county_table.iter("tr") if tr.find("td") is not None)
    assert first_row.find(".//a") is None


# --- complaints --------------------------------------------------------------------------------------------------


def complaints_in(first: date, last: date) -> tuple[int, ...]:
    """Received, answered on time, closed on time, not accepted, then rated 满意, 基本满意, 不满意: complaints filed
    between first and last."""
    filed = Complaint.filed_on.between(first, last)
    received = db.session.scalar(select(func.count()).select_from(Complaint).where(filed))
    on_time = (
        select(ComplaintStep.complaint_id)
        .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
        .where(ComplaintStep.status == "answered", ComplaintStep.on <= Complaint.answer_due)
    )
    answered = db.session.scalar(select(func.count()).where(filed, Complaint.id.in_(on_time)))
    closed = db.session.scalar(
        select(func.count()).where(filed, Complaint.status == "closed", Complaint.closed_on <= Complaint.close_due)
    )
    refused = db.session.scalar(select(func.count()).where(filed, Complaint.status == "not_accepted"))
    rated = [
        db.session.scalar(select(func.count()).where(filed, Complaint.rating == rating))
        for rating in ("satisfied", "basically_satisfied", "dissatisfied")
    ]
    return (int(received or 0), int(answered or 0), int(closed or 0), int(refused or 0), *(int(n or 0) for n in rated))


def test_complaint_table_equals_sql_per_month(client: FlaskClient) -> None:
    on_time = complaint(
        D(2026, 10, 9),
        answer_due=D(2026, 10, 23),
        close_due=D(2026, 10, 30),
        answered_on=D(2026, 10, 20),
        closed_on=D(2026, 10, 28),
        status="closed",
    )  # all on time
    late = complaint(
        D(2026, 10, 15),
        answer_due=D(2026, 10, 29),
        close_due=D(2026, 11, 5),
        answered_on=D(2026, 11, 2),
        closed_on=D(2026, 11, 10),
        status="closed",
    )  # answered and closed late
    on_time.rating, on_time.rated_on = Satisfaction.SATISFIED, D(2026, 10, 29)
    late.rating, late.rated_on = Satisfaction.DISSATISFIED, D(2026, 11, 11)
    complaint(
        D(2026, 11, 2),
        answer_due=D(2026, 11, 16),
        close_due=D(2026, 11, 23),
        closed_on=D(2026, 11, 3),
        status="not_accepted",
    )
    complaint(D(2025, 11, 15), answer_due=D(2025, 11, 28), close_due=D(2025, 12, 5))  # only in the 24-month view
    for query, months in (("", 12), ("?months=24", 24)):
        rows = table_rows(page(client, query), "table-complaints")
        spans = count_months(today, months)
        assert len(rows) == months
        for (first, last), row in zip(spans, rows, strict=True):
            assert tuple(int(cell) for cell in row[1:]) == complaints_in(first, last), first
    *_, october, november = table_rows(page(client), "table-complaints")  # the demo has no complaints of its own
    assert october == ["2026年10月", "2", "1", "1", "0", "1", "0", "1"]
    assert november == ["2026年11月（截至今日）", "1", "0", "0", "1", "0", "0", "0"]


def test_the_python_twins_of_the_rules_agree_with_the_page(client: FlaskClient) -> None:
    """rules.listed_on and rules.public_on, applied record by record in Python, give the page's figures."""
    defaulter(make_agency(), D(2026, 4, 4), finished_on=D(2026, 7, 7))
    arrears(make_agency(), D(2026, 5, 5), 1_000_000, status="expired", stopped_on=D(2026, 9, 9))
    body = page(client)
    rows = db.session.execute(
        select(Record, Rectification.finished_on).outerjoin(Rectification, Rectification.record_id == Record.id)
    ).all()
    listed = [
        len(
            {
                r.agency_id
                for r, finished_on in rows
                if r.kind == "judgment_defaulter"
                and listed_on(
                    day,
                    status=r.status.value,
                    publication_start=r.publication_start,
                    publication_max_end=r.publication_max_end,
                    stopped_on=r.stopped_on,
                    finished_on=finished_on,
                )
            }
        )
        for day in POINTS
    ]
    assert [int(row[1]) for row in table_rows(body, "table-defaulters")] == listed
    owed = [
        sum(
            r.amount_fen or 0
            for r, _ in rows
            if r.kind == "arrears"
            and public_on(
                day,
                status=r.status.value,
                publication_start=r.publication_start,
                publication_max_end=r.publication_max_end,
                stopped_on=r.stopped_on,
            )
        )
        for day in POINTS
    ]
    assert [row[1] for row in table_rows(body, "table-arrears")] == [format_wan(fen) for fen in owed]
