"""Published complaints in the feeds (issue 18): /complaints/feed.atom and .rss are the twins of /complaints/, and an
agency's feed carries its published complaints. An entry shows only what the published page shows — the category,
the agency, the dates and the public version of the answer — never the complainant's name or contact, the
description, the answer to the complainant or the agency's own answer."""

from __future__ import annotations

import itertools
from datetime import date
from urllib.parse import urlsplit

import feedparser
import pytest
from flask.testing import FlaskClient

from portal.agencies.models import Agency
from portal.complaints.models import Complaint
from portal.complaints.operations import publish_answer
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_closed_complaint, make_user
from tests.html import attr, css, find_all, text_of

_numbers = itertools.count(900001)
PUBLIC_ANSWER = "经核实，被投诉单位已于本月付清全部款项。"
PRIVATE_ANSWER = "王小明先生：您反映的款项已付清，请查收。"  # the answer to the complainant: never public
AGENCY_ANSWER = "经办人李四已电话联系投诉人13800000000。"  # the agency's own answer: never public
PRIVATE = ["私密公司", "13800000000", "private@example.com", "91990121MA0000000X", PRIVATE_ANSWER, AGENCY_ANSWER]


def published(agency: Agency, staff: User, *, closed_on: date = date(2026, 11, 20)) -> Complaint:
    """A complaint closed with a private answer, then published with consent and a public answer of its own."""
    number = f"TS-2026-{next(_numbers)}"
    complaint = make_closed_complaint(
        agency, number, PRIVATE_ANSWER, staff, email="private@example.com", filed_on=closed_on, publish_consent=False
    )
    complaint.agency_answer = AGENCY_ANSWER
    complaint.publish_consent = True
    publish_answer(complaint, PUBLIC_ANSWER, by=staff)
    return complaint


def parse(client: FlaskClient, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, path
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_published_complaint_is_in_the_complaints_feed_with_its_public_answer_only(
    client: FlaskClient, fmt: str
) -> None:
    agency = make_agency(name="演示县测试住建局")
    complaint = published(agency, make_user(Role.STAFF))
    response = client.get(f"/complaints/feed.{fmt}")
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    for private in PRIVATE:
        assert private not in raw, private
    parsed = feedparser.parse(response.data)
    assert parsed.feed.title.startswith("投诉办理结果")
    [entry] = [e for e in parsed.entries if e.id.endswith(f"complaints/{complaint.number}")]
    assert entry.title == "投诉办理结果：拖欠账款 · 演示县测试住建局"
    assert entry.link.endswith(f"/complaints/{complaint.number}")
    assert entry.summary == PUBLIC_ANSWER
    assert entry.tags[0].term == ("arrears" if fmt == "atom" else "拖欠账款")  # RSS has the label only
    assert entry.published_parsed[:3] == (2026, 11, 19)  # 00:00 of the closing day in Shanghai, in UTC
    assert client.get(urlsplit(entry.link).path).status_code == 200


def test_the_feed_holds_what_the_list_shows_newest_closed_first(client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    agency = make_agency()
    older = published(agency, staff, closed_on=date(2026, 11, 2))
    newer = published(agency, staff, closed_on=date(2026, 11, 19))
    unpublished = make_closed_complaint(
        agency, f"TS-2026-{next(_numbers)}", PRIVATE_ANSWER, staff, publish_consent=False
    )
    ids = [e.id.rsplit("/", 1)[1] for e in parse(client, "/complaints/feed.atom").entries]
    assert ids.index(newer.number) < ids.index(older.number)
    assert unpublished.number not in ids
    listed = [text_of(a) for a in css(client.get("/complaints/").get_data(as_text=True), "td.title a")]
    assert ids[: len(listed)] == listed


def test_an_agency_feed_carries_its_published_complaints(client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    agency, other = make_agency(), make_agency()
    mine = published(agency, staff)
    theirs = published(other, staff)
    response = client.get(f"/agencies/{agency.uscc}/feed.atom")
    raw = response.get_data(as_text=True)
    ids = [e.id for e in feedparser.parse(response.data).entries]
    assert any(i.endswith(f"complaints/{mine.number}") for i in ids)
    assert not any(i.endswith(f"complaints/{theirs.number}") for i in ids)
    for private in PRIVATE:
        assert private not in raw, private


def test_publishing_a_complaint_changes_the_feeds_validators(client: FlaskClient) -> None:
    first = client.get("/complaints/feed.atom")
    etag = first.headers["ETag"]
    assert client.get("/complaints/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    published(make_agency(), make_user(Role.STAFF))
    after = client.get("/complaints/feed.atom", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert PUBLIC_ANSWER in after.get_data(as_text=True)


def test_the_complaints_list_links_its_feeds_and_alerts(client: FlaskClient) -> None:
    body = client.get("/complaints/").get_data(as_text=True)
    heads = {attr(link, "type"): attr(link, "href") for link in find_all(body, "link", rel="alternate")}
    assert heads == {"application/atom+xml": "/complaints/feed.atom", "application/rss+xml": "/complaints/feed.rss"}
    [paragraph] = css(body, "p.subscribe")
    hrefs = [attr(a, "href") for a in css(paragraph, "a")]
    assert hrefs[:2] == ["/complaints/feed.atom", "/complaints/feed.rss"]
    assert hrefs[2] == "/alerts/new?to=/complaints/feed.atom"
    assert text_of(css(paragraph, "a")[2]) == "订阅邮件提醒"


@pytest.mark.parametrize(
    "path", ["/complaints/feed.atom?page=abc", "/complaints/feed.rss?page=99", "/complaints/feed.json"]
)
def test_bad_complaint_feed_requests_get_4xx(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code in (400, 404)
