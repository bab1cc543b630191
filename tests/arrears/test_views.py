"""The public side of arrears: the list's amount column and its sort by amount (along ix_records_kind_amount), and the
money owed and repaid on the home page and the agency profile, in 万元 exact to the fen, equal to SQL sums."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from portal.agencies.models import Agency
from portal.arrears.models import Payment
from portal.arrears.rules import format_wan
from portal.core.money import format_yuan
from portal.extensions import db
from portal.records.models import Record
from tests.factories import make_agency, make_record
from tests.html import find, one, text_of

TODAY = date(2026, 11, 20)


def arrears(agency: Agency | None = None, owed: int = 123_456_789) -> Record:
    details = {"contract_number": "C-1", "party_a": "甲", "party_b": "乙", "contract_amount": owed, "amount_owed": owed}
    return make_record(agency, kind="arrears", details=details, amount_fen=owed)


def test_arrears_sorted_by_amount_largest_first(client: FlaskClient) -> None:
    arrears(owed=999_999_999_99)  # the largest of all, on the first page
    body = client.get("/records/?kind=arrears&sort=amount").get_data(as_text=True)
    rows = one(body, "table", class_="list").findall(".//{*}tbody/{*}tr")
    titles = [text_of(row.findall("{*}td")[0]) for row in rows]
    expected = db.session.execute(
        select(Record.title, Record.amount_fen)
        .where(Record.public_clause(TODAY), Record.kind == "arrears")
        .order_by(Record.amount_fen.desc(), Record.id.desc())
        .limit(len(rows))
    ).all()
    assert titles == [title for title, _ in expected]
    assert text_of(rows[0].findall("{*}td")[-1]) == format_yuan(999_999_999_99)  # the amount column


def test_the_amount_sort_walks_its_index(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        return
    query = """EXPLAIN QUERY PLAN SELECT id FROM records WHERE kind = 'arrears' AND status IN ('public')
               AND publication_max_end > '2026-11-20' AND publication_start <= '2026-11-20'
               ORDER BY amount_fen DESC, id DESC LIMIT 20"""
    plan = " ".join(str(row[-1]) for row in db.session.execute(text(query)))
    assert "ix_records_kind_amount" in plan
    assert "TEMP B-TREE" not in plan


def test_sorting_by_amount_needs_the_arrears_kind(client: FlaskClient) -> None:
    response = client.get("/records/?sort=amount")
    assert response.status_code == 400
    error = find(response.get_data(as_text=True), "p", id="filter-sort-error")
    assert error is not None
    assert client.get("/records/?sort=cheapest&kind=arrears").status_code == 400


def _sql_money(agency_id: int | None = None) -> tuple[int, int]:
    shown = [Record.public_clause(TODAY), Record.kind == "arrears"]
    if agency_id is not None:
        shown.append(Record.agency_id == agency_id)
    owed = db.session.scalar(select(func.sum(Record.amount_fen)).where(*shown)) or 0
    repaid = (
        db.session.scalar(
            select(func.sum(Payment.amount_fen)).join(Record, Payment.record_id == Record.id).where(*shown)
        )
        or 0
    )
    return int(owed), int(repaid)  # PostgreSQL sums bigints as numeric (a Decimal)


def test_home_page_money_equals_the_sql_sums(client: FlaskClient) -> None:
    record = arrears(owed=100_000_001)
    db.session.add(Payment(record_id=record.id, paid_on=TODAY, amount_fen=33_333_337, evidence=[]))
    db.session.flush()
    owed, repaid = _sql_money()
    assert repaid >= 33_333_337
    body = client.get("/").get_data(as_text=True)
    assert text_of(one(body, "div", id="money-owed").find("{*}dd")) == format_wan(owed)  # type: ignore[arg-type]
    assert text_of(one(body, "div", id="money-repaid").find("{*}dd")) == format_wan(repaid)  # type: ignore[arg-type]


def test_agency_profile_money_equals_the_sql_sums(client: FlaskClient) -> None:
    agency = make_agency()
    first, second = arrears(agency, 12_345_678_901), arrears(agency, 1)
    make_record(agency=agency)  # another kind: not counted
    db.session.add(Payment(record_id=first.id, paid_on=TODAY, amount_fen=2_000_000_01, evidence=[]))
    db.session.add(Payment(record_id=second.id, paid_on=TODAY, amount_fen=1, evidence=[]))
    db.session.flush()
    owed, repaid = _sql_money(agency.id)
    assert (owed, repaid) == (12_345_678_902, 2_000_000_02)
    body = client.get(f"/agencies/{agency.uscc}").get_data(as_text=True)
    assert text_of(one(body, "div", id="money-owed").find("{*}dd")) == "12,345.678902 万元"  # type: ignore[arg-type]
    assert text_of(one(body, "div", id="money-repaid").find("{*}dd")) == "200.000002 万元"  # type: ignore[arg-type]
