"""整改方案 in the workspace: staff set one up (published, audited), or the agency's officer drafts one for review;
staff adjust it (调整记录 shown publicly) and mark measures done; a passed deadline shows 逾期未整改 as a state."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.rectifications.models import PlanRevision, PlanStep, Rectification
from portal.review.models import Submission
from tests.factories import make_agency, make_record, make_rectification, make_user
from tests.forms import post_form, sign_in
from tests.html import css, text_of, visible_text

GOOD: dict[str, Any] = {
    "responsible_unit": "演示县财政局",
    "responsible_post": "财务科科长",
    "steps-0-text": "筹措资金",
    "steps-0-deadline": "2026-11-30",
    "steps-1-text": "支付全部欠款",
    "steps-1-deadline": "2026-12-20",
    "deadline": "2026-12-31",
}


def count(model: Any, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return int(db.session.scalar(query) or 0)


def field_error(body: str, field_id: str) -> str:
    """The message beside one field (the error paragraph the form macro puts with the field's id)."""
    found = css(body, f"#{field_id}-error")
    assert found, f"no error beside {field_id}"
    return text_of(found[0])


def test_staff_create_a_plan_that_is_published_at_once(client: FlaskClient) -> None:
    record = make_record()
    sign_in(client, make_user("staff"))
    outbox_before = count(OutboxEntry)
    response = post_form(client, f"/workspace/records/{record.id}/plan/new", GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/workspace/records/{record.id}/plan"
    rect = db.session.scalars(select(Rectification).where(Rectification.record_id == record.id)).one()
    assert [(s.text, s.deadline, s.done_on) for s in rect.steps] == [
        ("筹措资金", date(2026, 11, 30), None),
        ("支付全部欠款", date(2026, 12, 20), None),
    ]
    assert count(AuditEntry, action="rectification.plan_created", entity_id=str(rect.id)) == 1
    assert count(OutboxEntry) > outbox_before
    page = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    assert "财务科科长" in page
    assert "支付全部欠款" in page
    assert "未完成" in page
    # a second plan for the same record is refused
    again = post_form(client, f"/workspace/records/{record.id}/plan/new", GOOD)
    assert again.status_code == 409
    assert count(Rectification, record_id=record.id) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"steps-0-deadline": ""}, "steps-0-deadline", "请填写该措施的完成期限"),
        ({"steps-1-text": ""}, "steps-1-text", "请填写措施内容"),
        ({"steps-1-deadline": "2027-01-05"}, "steps-1-deadline", "不能晚于整改期限"),
        ({"steps-0-deadline": "2026-09-01"}, "steps-0-deadline", "不能早于决定日期"),
        ({"deadline": "2026-13-01"}, "deadline", "有效日期"),
        ({"responsible_post": ""}, "responsible_post", "此项必填"),
        (
            {"steps-0-text": "", "steps-0-deadline": "", "steps-1-text": "", "steps-1-deadline": ""},
            "steps-0-text",
            "至少填写一项",
        ),
    ],
)
def test_a_bad_plan_is_refused_beside_its_field_and_nothing_is_written(
    client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    record = make_record()
    sign_in(client, make_user("staff"))
    before = (count(Rectification), count(PlanStep), count(AuditEntry))
    response = post_form(client, f"/workspace/records/{record.id}/plan/new", GOOD | changes)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in field_error(body, field)
    assert "演示县财政局" in body  # what was typed comes back
    assert (count(Rectification), count(PlanStep), count(AuditEntry)) == before


def test_an_officer_drafts_a_plan_and_approval_publishes_it(client: FlaskClient) -> None:
    record = make_record()
    officer, staff = make_user("officer", record.agency), make_user("staff")
    sign_in(client, officer)
    assert post_form(client, f"/workspace/records/{record.id}/plan/draft", GOOD).status_code == 303
    assert count(Rectification, record_id=record.id) == 0  # not public before review
    submission = db.session.scalars(select(Submission).where(Submission.record_id == record.id)).one()
    assert submission.kind == "plan"
    second = post_form(client, f"/workspace/records/{record.id}/plan/draft", GOOD)
    assert second.status_code == 409
    assert count(Submission, record_id=record.id) == 1

    sign_in(client, staff)
    review = client.get(f"/workspace/review/{submission.id}").get_data(as_text=True)
    assert "支付全部欠款" in review
    response = post_form(client, f"/workspace/review/{submission.id}", {"decision": "approved", "reason": ""})
    assert response.status_code == 303
    rect = db.session.scalars(select(Rectification).where(Rectification.record_id == record.id)).one()
    assert rect.responsible_post == "财务科科长"
    assert len(rect.steps) == 2


def test_a_returned_draft_publishes_nothing(client: FlaskClient) -> None:
    record = make_record()
    sign_in(client, make_user("officer", record.agency))
    post_form(client, f"/workspace/records/{record.id}/plan/draft", GOOD)
    submission = db.session.scalars(select(Submission).where(Submission.record_id == record.id)).one()
    sign_in(client, make_user("staff"))
    response = post_form(client, f"/workspace/review/{submission.id}", {"decision": "returned", "reason": "期限太长"})
    assert response.status_code == 303
    assert count(Rectification, record_id=record.id) == 0


def test_an_adjustment_is_kept_and_shown_as_an_adjustment_record(client: FlaskClient) -> None:
    record = make_record()
    make_rectification(record, responsible_post="主要负责人", deadline=date(2026, 12, 1))
    staff = make_user("staff")
    sign_in(client, staff)
    url = f"/workspace/records/{record.id}/plan/revise"
    form = client.get(url).get_data(as_text=True)
    assert "筹措资金，限期履行" in form  # prefilled with the plan as it stands
    no_reason = post_form(client, url, GOOD | {"reason": ""})
    assert no_reason.status_code == 400
    assert "此项必填" in field_error(no_reason.get_data(as_text=True), "reason")
    assert count(PlanRevision) == 0
    response = post_form(client, url, GOOD | {"reason": "企业同意分两期支付"})
    assert response.status_code == 303
    revision = db.session.scalars(select(PlanRevision)).one()
    assert revision.changes["responsible_post"] == ["主要负责人", "财务科科长"]
    assert revision.changes["deadline"] == ["2026-12-01", "2026-12-31"]
    page = client.get(f"/records/{record.id}").get_data(as_text=True)
    table = css(page, "table.correction")
    assert table
    shown = visible_text(table[0])
    assert "主要负责人" in shown
    assert "财务科科长" in shown
    assert "企业同意分两期支付" in visible_text(page)
    assert count(AuditEntry, action="rectification.plan_revised") == 1


def test_staff_mark_a_measure_done(client: FlaskClient) -> None:
    record = make_record()
    rect = make_rectification(record)
    step = rect.steps[0]
    sign_in(client, make_user("staff"))
    plan_url = f"/workspace/records/{record.id}/plan"
    future = post_form(client, plan_url, {"step": str(step.id), "done_on": "2026-12-01"}, to=plan_url + "/steps")
    assert future.status_code == 400
    assert "不能晚于今天" in field_error(future.get_data(as_text=True), "done_on")
    response = post_form(client, plan_url, {"step": str(step.id), "done_on": "2026-11-18"}, to=plan_url + "/steps")
    assert response.status_code == 303
    db.session.refresh(step)
    assert step.done_on == date(2026, 11, 18)
    assert "已完成" in visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))


def test_a_passed_deadline_shows_overdue_as_a_state_not_a_result(client: FlaskClient) -> None:
    agency = make_agency()
    record = make_record(agency, title="措施逾期的记录")
    make_rectification(
        record,
        deadline=date(2026, 12, 31),  # the plan is still in time, but one measure's deadline has passed
        measures=[PlanStep(text="先行支付一半", deadline=date(2026, 11, 10))],
    )
    public = client.get(f"/records/{record.id}").get_data(as_text=True)
    assert "逾期未整改" in visible_text(css(public, "p.markers")[0])
    assert "措施逾期的记录" not in client.get("/outcomes/").get_data(as_text=True)
    sign_in(client, make_user("officer", agency))
    listing = client.get("/workspace/records/").get_data(as_text=True)
    row = next(tr for tr in css(listing, "tbody tr") if "措施逾期的记录" in visible_text(tr))
    assert "逾期未整改" in visible_text(row)
    assert "逾期未整改的记录：1" in visible_text(client.get("/workspace/").get_data(as_text=True))


def test_officers_are_pointed_to_a_draft_and_staff_to_a_new_plan(client: FlaskClient) -> None:
    record = make_record()
    sign_in(client, make_user("officer", record.agency))
    page = client.get(f"/workspace/records/{record.id}/progress").get_data(as_text=True)
    assert "该记录尚未建立整改台账，请联系信用办" in page
    assert css(page, f"a[href='/workspace/records/{record.id}/plan/draft']")
    sign_in(client, make_user("staff"))
    staff_page = client.get(f"/workspace/records/{record.id}").get_data(as_text=True)
    assert css(staff_page, f"a[href='/workspace/records/{record.id}/plan/new']")


def test_the_record_moves_in_its_feed_when_a_plan_is_made(client: FlaskClient) -> None:
    import feedparser

    record = make_record(decision_date=date(2026, 11, 20), title="最新的整改记录")
    old = datetime(2026, 11, 1, tzinfo=UTC)
    db.session.execute(Record.__table__.update().where(Record.id == record.id).values(updated_at=old))

    def updated() -> tuple[int, ...]:
        parsed = feedparser.parse(client.get("/records/feed.atom").data)
        entry = next(e for e in parsed.entries if e.title == "最新的整改记录")
        return tuple(entry.updated_parsed[:6])

    assert updated() == (2026, 11, 1, 0, 0, 0)
    sign_in(client, make_user("staff"))
    assert post_form(client, f"/workspace/records/{record.id}/plan/new", GOOD).status_code == 303
    assert updated() > (2026, 11, 1, 0, 0, 0)
