"""A government's 诚信档案 shows its own items and, separately, the roll-up of every body under it (含下属单位):
public records, open rectifications, public commitments and money owed on arrears records — the same sums as SQL,
computed with a fixed number of queries however many bodies are under it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from portal import clock
from portal.agencies.models import Agency
from portal.archive.rollup import rollup
from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import amount_owed_by_agencies
from portal.rectifications.rules import Outcome
from tests.factories import make_agency, make_commitment, make_positive_item, make_record, make_rectification
from tests.html import find, find_all, parse_strict, text_of, visible_text


def arrears(agency: Agency, fen: int, **fields: Any) -> Record:
    return make_record(
        agency,
        kind="arrears",
        details={"contract_number": "HT-1", "amount_owed": fen},
        amount_fen=fen,
        **fields,
    )


def county_tree() -> tuple[Agency, Agency, Agency, Agency]:
    """A county government, a department under it, a unit under the department, and an agency outside."""
    county = make_agency(kind="government", name="演示县汇总测试政府")
    department = make_agency(name="汇总测试局", parent_id=county.id)
    unit = make_agency(kind="institution", name="汇总测试中心", parent_id=department.id)
    outside = make_agency(name="汇总测试无关局")
    return county, department, unit, outside


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_roll_up_sums_every_body_under_the_government(client: FlaskClient) -> None:
    county, department, unit, outside = county_tree()
    make_record(county, title="政府本级记录")
    make_rectification(make_record(department))
    arrears(department, 123_456_78)
    arrears(unit, 1)
    arrears(outside, 999_999_00)
    arrears(unit, 5_000_00, status="revoked", stopped_on=date(2026, 11, 1))  # no longer public: not counted
    make_commitment(unit)
    make_commitment(unit, scope="restricted")  # not public: not counted

    today = clock.today()
    figures = rollup(county, today)
    assert figures is not None
    assert [b.agency.id for b in figures.bodies] == sorted([department.id, unit.id], key=lambda i: i)
    ids = [county.id, department.id, unit.id]
    sql_records = db.session.scalar(select(func.count()).where(Record.public_clause(today), Record.agency_id.in_(ids)))
    sql_owed = db.session.scalar(
        select(func.sum(Record.amount_fen)).where(
            Record.public_clause(today), Record.kind == "arrears", Record.agency_id.in_(ids)
        )
    )
    assert figures.records == sql_records == 4
    assert figures.owed == sql_owed == 123_456_79
    assert figures.open_rectifications == 1
    assert figures.commitments == 1
    assert amount_owed_by_agencies([unit.id, outside.id], today) == {unit.id: 1, outside.id: 999_999_00}

    body = client.get(f"/agencies/{county.uscc}").get_data(as_text=True)
    parse_strict(body)
    section = find(body, "section", aria_labelledby="rollup-heading")
    assert section is not None
    heading = find(section, "h2")
    assert heading is not None
    assert "含下属单位" in text_of(heading)
    text = visible_text(section)
    assert "汇总测试局" in text
    assert "汇总测试中心" in text
    assert "汇总测试无关局" not in text
    assert "123,456.79" in text or "12.35 万元" in text or "12.345679 万元" in text
    # its own items stay in their own sections: the records list shows only the county's own record
    records = find(body, "section", aria_labelledby="records-heading")
    assert records is not None
    assert "政府本级记录" in visible_text(records)
    rows = find_all(section, "tr")
    assert len(rows) == 1 + 3  # header, 本级, department, unit


def test_a_body_with_nothing_under_it_has_no_roll_up(client: FlaskClient) -> None:
    _, _, unit, _ = county_tree()
    assert rollup(unit, clock.today()) is None
    body = client.get(f"/agencies/{unit.uscc}").get_data(as_text=True)
    assert find(body, "section", aria_labelledby="rollup-heading") is None


def test_the_roll_up_takes_the_same_queries_for_two_bodies_or_twelve(client: FlaskClient) -> None:
    small, _, _, _ = county_tree()
    big = make_agency(kind="government")
    for n in range(12):
        child = make_agency(parent_id=big.id)
        make_record(child)
        arrears(child, 100 * n)
    client.get(f"/agencies/{make_agency().uscc}")  # warm what every page reads once (not the roll-up)
    with counted_queries() as few:
        assert client.get(f"/agencies/{small.uscc}").status_code == 200
    with counted_queries() as many:
        assert client.get(f"/agencies/{big.uscc}").status_code == 200
    assert len(many) == len(few)


def test_positive_information_has_its_own_section(client: FlaskClient) -> None:
    agency = make_agency()
    make_positive_item(agency, title="守信践诺示范单位", kind="kept_faith", note="按期兑现全部承诺")
    body = client.get(f"/agencies/{agency.uscc}").get_data(as_text=True)
    section = find(body, "section", aria_labelledby="positive-heading")
    assert section is not None
    text = visible_text(section)
    for expected in ("守信践诺示范单位", "守信践诺", "演示市人民政府", "按期兑现全部承诺"):
        assert expected in text
    empty = find(
        client.get(f"/agencies/{make_agency().uscc}").get_data(as_text=True),
        "section",
        aria_labelledby="positive-heading",
    )
    assert empty is not None
    assert "暂无表彰奖励和守信信息" in visible_text(empty)


def test_kept_figures_follow_every_change(client: FlaskClient) -> None:
    """The roll-up is kept per process between changes: a new record, an outcome, a new parent all show at once."""
    county, department, unit, outside = county_tree()
    assert rollup(county, clock.today()) == rollup(county, clock.today())  # the second one kept
    figures = rollup(county, clock.today())
    assert figures is not None
    assert figures.records == 0
    record = make_record(unit)
    rectification = make_rectification(record)
    arrears(department, 500)
    figures = rollup(county, clock.today())
    assert figures is not None
    assert (figures.records, figures.open_rectifications, figures.owed) == (2, 1, 500)
    rectification.outcome, rectification.finished_on = Outcome.SETTLED, date(2026, 11, 19)
    db.session.flush()
    figures = rollup(county, clock.today())
    assert figures is not None
    assert figures.open_rectifications == 0
    outside.parent_id = county.id
    arrears(outside, 1)
    db.session.flush()
    figures = rollup(county, clock.today())
    assert figures is not None
    assert (len(figures.bodies), figures.owed) == (3, 501)
