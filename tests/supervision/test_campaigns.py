"""Commitment campaigns (承诺征集; 泰信用办〔2022〕12号 二(一), 泗政秘〔2018〕145号 (十四)): staff open one for a set of
agencies with a due date; an agency has answered once it has submitted or published a commitment of the campaign's
subject since the campaign opened; until then it is a ledger item its officer sees. Officers see only the campaigns
that include their agency (another's is 404). Today is 2026-11-20 (tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyStatus
from portal.audit.models import AuditEntry
from portal.commitments.rules import CommitmentSubject
from portal.errors import InputRefusedError
from portal.extensions import db
from portal.supervision.models import Campaign, LedgerItem
from portal.supervision.operations.campaigns import open_campaign
from portal.supervision.queries.campaigns import answered_agency_ids, answers, unanswered
from portal.supervision.rules import LedgerRule
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_commitment, make_user
from tests.forms import post_form, sign_in
from tests.html import attr, find, find_all, parse_strict, text_of, visible_text

TODAY = date(2026, 11, 20)
OPENED = date(2026, 11, 10)
AFTER_OPENING = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
# 2026-11-10 00:30 in Asia/Shanghai is still 2026-11-09 in UTC: made on the day the campaign opened
OPENING_MORNING = datetime(2026, 11, 9, 16, 30, tzinfo=UTC)
BEFORE_OPENING = datetime(2026, 11, 9, 15, 30, tzinfo=UTC)  # 23:30 the evening before, in Asia/Shanghai


@pytest.fixture
def staff(app: Flask) -> User:
    return make_user(Role.STAFF)


def campaign_for(*agencies: Agency, by: User, opened: date = OPENED, title: str = "2027 年度履职尽责承诺") -> Campaign:
    return open_campaign(title, CommitmentSubject.DUTY, list(agencies), date(2026, 12, 31), "", opened, by=by)


def campaign_items(campaign: Campaign) -> dict[int | None, LedgerItem]:
    rows = db.session.scalars(
        select(LedgerItem).where(LedgerItem.subject_type == "campaign", LedgerItem.subject_id == campaign.id)
    )
    return {item.agency_id: item for item in rows}


def error_beside(body: str, field: str) -> str:
    error = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert error is not None, f"no error beside {field}"
    return text_of(error)


def campaigns_titled(title: str) -> int:
    return db.session.scalar(select(func.count(Campaign.id)).where(Campaign.title == title)) or 0


# --- who has answered ------------------------------------------------------------------------------------------------


def test_an_agency_has_answered_once_it_submits_a_commitment_of_the_subject(app: Flask, staff: User) -> None:
    answering, silent = make_agency(), make_agency()
    campaign = campaign_for(answering, silent, by=staff)
    assert answered_agency_ids(campaign) == set()
    # none of these answers: a draft, another subject, one made before the campaign opened, another agency's
    make_commitment(silent, subject="duty", state="draft", code=None, published_at=None, created_at=AFTER_OPENING)
    make_commitment(
        silent, subject="service", state="submitted", code=None, published_at=None, created_at=AFTER_OPENING
    )
    make_commitment(silent, subject="duty", state="published", created_at=BEFORE_OPENING)
    make_commitment(make_agency(), subject="duty", state="submitted", code=None, published_at=None)
    assert answered_agency_ids(campaign) == set()
    submitted = make_commitment(
        answering, subject="duty", state="submitted", code=None, published_at=None, created_at=OPENING_MORNING
    )
    assert answered_agency_ids(campaign) == {answering.id}
    assert answers(campaign) == {answering.id: submitted}
    assert [c.id for c in unanswered(silent.id)] == [campaign.id]
    assert unanswered(answering.id) == []


def test_a_published_commitment_answers_too(app: Flask, staff: User) -> None:
    agency = make_agency()
    campaign = campaign_for(agency, by=staff)
    make_commitment(agency, subject="duty", state="published", created_at=AFTER_OPENING)
    assert answered_agency_ids(campaign) == {agency.id}


# --- opening one -----------------------------------------------------------------------------------------------------


def test_staff_open_a_campaign_and_each_agency_is_on_the_ledger(client: FlaskClient, staff: User) -> None:
    first, second = make_agency(name="演示县甲局（测试）"), make_agency(name="演示县乙局（测试）")
    sign_in(client, staff)
    data = {
        "title": "2027 年度廉洁自律承诺",
        "subject": "integrity",
        "agencies": [str(first.id), str(second.id)],
        "due_on": "2026-12-31",
        "note": "请于年底前报送。",
    }
    response = post_form(client, "/workspace/campaigns/new", data)
    assert response.status_code == 303
    campaign = db.session.scalars(select(Campaign).where(Campaign.title == "2027 年度廉洁自律承诺")).one()
    assert response.headers["Location"].endswith(f"/workspace/campaigns/{campaign.id}")
    assert (campaign.subject, campaign.opened_on, campaign.due_on) == (
        CommitmentSubject.INTEGRITY,
        TODAY,
        date(2026, 12, 31),
    )
    assert {a.id for a in campaign.agencies} == {first.id, second.id}
    items = campaign_items(campaign)
    assert set(items) == {first.id, second.id}
    assert all(i.rule is LedgerRule.CAMPAIGN_SUBMISSION and i.due_on == date(2026, 12, 31) for i in items.values())
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.open", AuditEntry.entity_id == str(campaign.id))
    ).one()

    make_commitment(first, subject="integrity", state="submitted", code=None, published_at=None)
    listing = client.get("/workspace/campaigns/").get_data(as_text=True)
    parse_strict(listing)
    row = next(r for r in find_all(listing, "tr") if "2027 年度廉洁自律承诺" in text_of(r))
    assert "1 / 2" in text_of(row)
    page = client.get(f"/workspace/campaigns/{campaign.id}").get_data(as_text=True)
    parse_strict(page)
    rows = {text_of(cells[0]): text_of(r) for r in find_all(page, "tr") if (cells := find_all(r, "td"))}
    assert "已报送" in rows["演示县甲局（测试）"]
    assert "未报送" in rows["演示县乙局（测试）"]


def test_all_open_agencies_of_a_kind_at_once(client: FlaskClient, staff: User) -> None:
    town = make_agency(kind="township", name="演示县测试镇")
    gone = make_agency(kind="township", name="演示县已撤并镇", status=AgencyStatus.CLOSED.value, closed_on=OPENED)
    sign_in(client, staff)
    data = {"title": "乡镇公开承诺", "subject": "service", "kinds": ["township"], "due_on": "2026-12-31"}
    assert post_form(client, "/workspace/campaigns/new", data).status_code == 303
    campaign = db.session.scalars(select(Campaign).where(Campaign.title == "乡镇公开承诺")).one()
    ids = {a.id for a in campaign.agencies}
    assert town.id in ids
    assert gone.id not in ids
    assert all(a.kind == "township" and a.is_active for a in campaign.agencies)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"due_on": "2026-11-19"}, "due_on", "不能早于今天"),
        ({"agencies": []}, "agencies", "至少选择一个单位"),
        ({"agencies": ["x1"]}, "agencies", "请从列表中选择单位"),
        ({"agencies": ["2147483000"]}, "agencies", "请从列表中选择单位"),
        ({"subject": "nonsense"}, "subject", "承诺主题"),
        ({"title": ""}, "title", "必填"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(
    client: FlaskClient, staff: User, fields: dict[str, object], field: str, words: str
) -> None:
    agency = make_agency()
    sign_in(client, staff)
    data = {
        "title": "年度承诺（测试）",
        "subject": "duty",
        "agencies": [str(agency.id)],
        "due_on": "2026-12-31",
    } | fields
    response = post_form(client, "/workspace/campaigns/new", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert words in error_beside(body, field)
    assert campaigns_titled("年度承诺（测试）") == 0


def test_a_closed_agency_is_refused(client: FlaskClient, staff: User) -> None:
    closed = make_agency(name="演示县已撤销局", status=AgencyStatus.CLOSED.value, closed_on=OPENED)
    with pytest.raises(InputRefusedError) as refused:
        campaign_for(closed, make_agency(), by=staff)
    assert "演示县已撤销局" in str(refused.value.problems["agencies"])
    sign_in(client, staff)
    data = {"title": "年度承诺（测试）", "subject": "duty", "agencies": [str(closed.id)], "due_on": "2026-12-31"}
    response = post_form(client, "/workspace/campaigns/new", data)
    assert response.status_code == 400
    assert "已撤销或合并" in error_beside(response.get_data(as_text=True), "agencies")
    assert campaigns_titled("年度承诺（测试）") == 0


# --- officers --------------------------------------------------------------------------------------------------------


def test_an_officer_sees_only_the_campaigns_of_their_agency(client: FlaskClient, staff: User) -> None:
    own, other = make_agency(), make_agency()
    mine = campaign_for(own, other, by=staff, title="本单位的征集（测试）")
    theirs = campaign_for(other, by=staff, title="别人的征集（测试）")
    officer = make_user(Role.OFFICER, own)
    sign_in(client, officer)
    listing = client.get("/workspace/campaigns/")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    parse_strict(body)
    shown = visible_text(body)
    assert "本单位的征集（测试）" in shown
    assert "别人的征集（测试）" not in shown
    row = next(r for r in find_all(body, "tr") if "本单位的征集（测试）" in text_of(r))
    assert "未报送" in text_of(row)
    assert "/workspace/commitments/new" in [attr(a, "href") for a in find_all(row, "a", href=True)]
    assert "本单位未报送的承诺征集：1" in visible_text(client.get("/workspace/").get_data(as_text=True))

    page = client.get(f"/workspace/campaigns/{mine.id}")
    assert page.status_code == 200
    page_text = visible_text(page.get_data(as_text=True))
    assert own.name in page_text
    assert other.name not in page_text
    assert client.get(f"/workspace/campaigns/{theirs.id}").status_code == 404
    assert client.get("/workspace/campaigns/new").status_code == 403

    commitment = make_commitment(own, subject="duty", state="submitted", code=None, published_at=None)
    row = next(
        r
        for r in find_all(client.get("/workspace/campaigns/").get_data(as_text=True), "tr")
        if "本单位的征集（测试）" in text_of(r)
    )
    assert "已报送" in text_of(row)
    assert f"/workspace/commitments/{commitment.id}" in [attr(a, "href") for a in find_all(row, "a", href=True)]


def test_the_menu_offers_campaigns_to_every_role(client: FlaskClient, staff: User) -> None:
    for user in (staff, make_user(Role.OFFICER), make_user(Role.ADMIN)):
        sign_in(client, user)
        menu = client.get("/workspace/").get_data(as_text=True)
        assert "/workspace/campaigns/" in [attr(a, "href") for a in find_all(menu, "a", href=True)]
    sign_in(client, staff)
    page = client.get("/workspace/campaigns/new")
    assert page.status_code == 200
    parse_strict(page.get_data(as_text=True))
