from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from tests.factories import make_agency, make_commitment, make_record, make_rectification
from tests.html import parse_strict, title_of, visible_text


def test_list_groups_agencies_by_region_and_kind(client: FlaskClient) -> None:
    body = client.get("/agencies/").get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    agencies = db.session.scalars(select(Agency)).all()
    assert len(agencies) >= 30
    for agency in agencies:
        assert agency.name in text
    # regions in code order, each a heading; kinds as sub-headings
    assert text.index("演示县 990121") < text.index("演示县城关镇 990121100") < text.index("演示经济开发区 990121400")
    assert "政府部门" in text
    assert "事业单位" in text
    assert "国有企业" in text
    assert "乡镇（街道）" in text


def test_profile_shows_commitments_records_and_outcomes(client: FlaskClient) -> None:
    agency = make_agency(name="演示县测试档案局")
    record = make_record(agency, title="档案局测试记录")
    make_commitment(agency, title="档案局测试承诺")
    make_rectification(record, outcome="settled", finished_on=date(2026, 11, 10))
    response = client.get(f"/agencies/{agency.uscc}")
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("演示县测试档案局")
    text = visible_text(body)
    for expected in (agency.uscc, "档案局测试记录", "档案局测试承诺", "达成和解", "2026年11月10日"):
        assert expected in text


def test_profile_of_unknown_agency_is_404(client: FlaskClient) -> None:
    assert client.get("/agencies/91350100M000100Y43").status_code == 404
    assert client.get("/agencies/" + "x" * 5000).status_code == 404
