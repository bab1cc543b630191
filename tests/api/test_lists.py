"""The API's lists: the pages' own lists (same filters, same order, same publication rule), walked page by page with
the cursor, every item as its schema says, linking its page and its feed."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Select, select

from portal.agencies.models import Agency
from portal.api.endpoints import BY_NAME
from portal.commitments.queries import FILTERS as COMMITMENT_FILTERS
from portal.commitments.queries import public_commitments
from portal.complaints.models import Complaint
from portal.core.months import Month
from portal.extensions import db
from portal.listing import parse_list_query
from portal.records.queries import FILTERS as RECORD_FILTERS
from portal.records.queries import listed_defaulter_ids, public_records
from portal.rectifications.queries import FILTERS as OUTCOME_FILTERS
from portal.rectifications.queries import public_outcomes
from portal.reports.models import Bulletin
from portal.reports.operations import make_draft
from portal.reports.queries import published_bulletins
from portal.users.rules import Role
from tests.api.conftest import check, conforms, list_body
from tests.conftest import TODAY
from tests.factories import make_commitment, make_record, make_user

TODAY_DATE = date.fromisoformat(TODAY)


def walk(client: FlaskClient, path: str, **params: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every item of a list, following next_cursor (and links.next, which must say the same); and the pages."""
    pages = [client.get(path, query_string=params)]
    items: list[dict[str, Any]] = []
    while True:
        response = pages[-1]
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items += body["items"]
        if body["next_cursor"] is None:
            assert body["links"]["next"] is None
            return items, [p.get_json() for p in pages]
        assert len(body["items"]) == body["limit"]
        nxt = urlsplit(body["links"]["next"])
        assert f"cursor={body['next_cursor']}" in nxt.query
        pages.append(client.get(path, query_string={**params, "cursor": body["next_cursor"]}))


def ids(query: Select[Any], key: str = "id") -> list[Any]:
    return [getattr(item, key) for item in db.session.scalars(query)]


@pytest.mark.parametrize(
    "args",
    [{}, {"kind": "arrears"}, {"case": "overdue"}, {"severity": "serious", "year": "2026"}, {"status": "fulfilled"}],
)
def test_records_are_the_pages_list_in_its_order_page_by_page(client: FlaskClient, args: dict[str, str]) -> None:
    expected = ids(public_records(TODAY_DATE, parse_list_query(args, RECORD_FILTERS).filters))
    assert expected, "the demo has records for every filter tried"
    items, pages = walk(client, "/api/v1/records", **args, limit="37")
    assert [item["id"] for item in items] == expected
    assert {page["total"] for page in pages} == {len(expected)}
    for key, value in args.items():  # and each item shows what it was filtered by
        if key in ("kind", "status", "severity"):
            assert {item[key] for item in items} == {value}


def test_records_of_an_agency_and_of_a_region(client: FlaskClient) -> None:
    agency = db.session.scalars(select(Agency).where(Agency.kind == "township")).first()
    assert agency is not None
    for args in ({"agency": agency.uscc.lower()}, {"region": agency.region_code}):
        expected = ids(public_records(TODAY_DATE, parse_list_query(args, RECORD_FILTERS).filters))
        items, _pages = walk(client, "/api/v1/records", **args, limit="100")
        assert [item["id"] for item in items] == expected
    assert {item["agency_uscc"] for item in items} >= {agency.uscc}


def test_commitments_and_outcomes_are_the_pages_lists(client: FlaskClient) -> None:
    for args in ({}, {"fulfilment": "in_progress"}, {"type": "voluntary", "subject": "duty"}):
        expected = ids(public_commitments(parse_list_query(args, COMMITMENT_FILTERS).filters), "code")
        items, _pages = walk(client, "/api/v1/commitments", **args, limit="30")
        assert [item["code"] for item in items] == expected
    for args in ({}, {"result": "performed"}, {"kind": "arrears"}):
        filters = parse_list_query(args, OUTCOME_FILTERS).filters
        expected = ids(public_outcomes(TODAY_DATE, filters=filters), "record_id")
        items, _pages = walk(client, "/api/v1/outcomes", **args, limit="25")
        assert [item["record_id"] for item in items] == expected
        assert expected or args


def test_agencies_by_region_and_kind_and_the_listed_defaulters(client: FlaskClient) -> None:
    everyone = db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.kind, Agency.name)).all()
    items, _pages = walk(client, "/api/v1/agencies", limit="10")
    assert [item["uscc"] for item in items] == [a.uscc for a in everyone]
    listed = set(db.session.scalars(select(Agency.uscc).where(Agency.id.in_(listed_defaulter_ids(TODAY_DATE)))))
    items, _pages = walk(client, "/api/v1/agencies", listed="judgment_defaulter")
    assert {item["uscc"] for item in items} == listed
    assert listed


def test_a_new_record_between_two_pages_neither_repeats_nor_skips_an_item(client: FlaskClient) -> None:
    first = client.get("/api/v1/records", query_string={"limit": "5"}).get_json()
    make_record(decision_date=TODAY_DATE)  # published today: it goes first, before the page already read
    second = client.get("/api/v1/records", query_string={"limit": "5", "cursor": first["next_cursor"]}).get_json()
    expected = ids(public_records(TODAY_DATE))
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert seen == expected[1:11]


def test_only_published_bulletins_and_consented_complaints_are_listed(
    client: FlaskClient, bulletin: Bulletin, complaint: Complaint
) -> None:
    make_draft(Month(2026, 11), TODAY_DATE, by=make_user(Role.STAFF))  # a draft is not public
    items, _pages = walk(client, "/api/v1/bulletins")
    assert [item["month"] for item in items] == [b.month for b in published_bulletins()] == ["2026-10"]
    drafts = db.session.scalars(select(Bulletin.month).where(Bulletin.state != "published")).all()
    assert not set(drafts) & {item["month"] for item in items}
    items, _pages = walk(client, "/api/v1/complaints")
    published = db.session.scalars(
        select(Complaint.number).where(Complaint.published).order_by(Complaint.closed_on.desc(), Complaint.id.desc())
    ).all()
    assert [item["number"] for item in items] == list(published)
    assert complaint.number in published


def test_restricted_commitments_are_not_in_the_api(client: FlaskClient) -> None:
    hidden = make_commitment(scope="restricted")
    items, _pages = walk(client, "/api/v1/commitments", limit="100")
    assert hidden.code not in {item["code"] for item in items}
    assert client.get(f"/api/v1/commitments/{hidden.code}").status_code == 404


LISTS = ["records", "commitments", "outcomes", "agencies", "complaints", "bulletins"]


@pytest.mark.parametrize("name", LISTS)
def test_every_item_conforms_and_links_its_page_and_its_feed(
    request: pytest.FixtureRequest, client: FlaskClient, spec: dict[str, Any], name: str
) -> None:
    if name in ("bulletins", "complaints"):  # the test data has none of these
        request.getfixturevalue(name.removesuffix("s"))
    path = BY_NAME[name].path
    body = client.get(path, query_string={"limit": "100"}).get_json()
    conforms(spec, list_body(spec, path), body)
    assert body["items"], name
    for link in ("html", "feed"):
        target = body["links"][link]
        if target is not None:
            assert client.get(urlsplit(target).path, query_string=urlsplit(target).query).status_code == 200, target
    for item in body["items"][:3]:
        for link in ("html", "feed"):
            target = urlsplit(item["links"][link])
            assert client.get(target.path, query_string=target.query).status_code == 200, item["links"][link]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/records", "kind=nope", "kind"),
        ("/api/v1/records", "agency=123", "agency"),
        ("/api/v1/records", "region=abc", "region"),
        ("/api/v1/records", "year=20x6", "year"),
        ("/api/v1/records", "case=%00", "case"),
        ("/api/v1/records", "limit=0", "limit"),
        ("/api/v1/records", "limit=101", "limit"),
        ("/api/v1/records", "limit=ten", "limit"),
        ("/api/v1/records", "cursor=not-a-cursor", "cursor"),
        ("/api/v1/commitments", "fulfilment=done", "fulfilment"),
        ("/api/v1/outcomes", "result=won", "result"),
        ("/api/v1/agencies", "listed=yes", "listed"),
        ("/api/v1/statistics", "months=13", "months"),
        ("/api/v1/bulletins", "cursor=" + "x" * 300, "cursor"),
    ],
)
def test_bad_parameters_are_a_json_400_naming_the_parameter(
    client: FlaskClient, spec: dict[str, Any], path: str, query: str, field: str
) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    body = response.get_json()
    check(spec, "Error", body)
    assert body["error"] == "bad_request"
    assert list(body["problems"]) == [field]
    assert body["problems"][field]


def test_a_cursor_works_only_for_its_own_list(app: Flask, client: FlaskClient) -> None:
    cursor = client.get("/api/v1/commitments?limit=1").get_json()["next_cursor"]
    assert client.get(f"/api/v1/commitments?limit=1&cursor={cursor}").status_code == 200
    for other in ("records", "outcomes", "agencies", "complaints", "bulletins"):
        response = client.get(f"/api/v1/{other}?cursor={cursor}")
        assert response.status_code == 400, other
        assert "cursor" in response.get_json()["problems"]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert client.get(f"/api/v1/commitments?cursor={tampered}").status_code == 400
    with app.test_request_context():
        gone = BY_NAME["records"].cursor(2**31 - 1)  # signed, but no such record
    response = client.get(f"/api/v1/records?cursor={gone}")
    assert response.status_code == 400
    assert "cursor" in response.get_json()["problems"]


def test_unknown_parameters_and_the_pages_page_number_are_ignored(client: FlaskClient) -> None:
    plain = client.get("/api/v1/records?limit=3").get_json()
    other = client.get("/api/v1/records?limit=3&page=abc&utm_source=x").get_json()
    assert [i["id"] for i in other["items"]] == [i["id"] for i in plain["items"]]
    assert other["filters"] == {}
