"""The result of a case: the officer reports 履行完毕 with evidence and staff confirm it, or staff record a result
directly with a reason; the record becomes 已履行 with its date and basis, and the feeds' `updated` time moves."""

from __future__ import annotations

from datetime import UTC, date, datetime

import feedparser
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.models import Rectification
from portal.review.models import Submission
from tests.factories import make_record, make_rectification, make_user
from tests.forms import post_files, post_form, sign_in
from tests.html import attr, css, text_of, visible_text

PDF = one_page_pdf(["case closed"])
DIRECT = {
    "outcome": "settled",
    "finished_on": "2026-11-18",
    "basis": "和解协议（演协〔2026〕3号）",
    "summary": "双方达成和解，欠款已付清。",
    "reason": "法院来函确认，无需单位另行报告。",
}


def submissions(record_id: int) -> int:
    return int(db.session.scalar(select(func.count()).where(Submission.record_id == record_id)) or 0)


def field_error(body: str, field_id: str) -> str:
    found = css(body, f"#{field_id}-error")
    assert found, f"no error beside {field_id}"
    return text_of(found[0])


def test_officer_reports_completion_and_staff_confirm_it(client: FlaskClient) -> None:
    record = make_record(status="rectifying")
    make_rectification(record)
    officer = make_user("officer", record.agency)
    sign_in(client, officer)
    url = f"/workspace/records/{record.id}/completion"
    fields = {"finished_on": "2026-11-19", "basis": "执行法院结案通知书", "summary": "已全部支付。"}
    no_files = post_files(client, url, fields, {})
    assert no_files.status_code == 400
    assert "佐证材料" in field_error(no_files.get_data(as_text=True), "evidence")
    assert submissions(record.id) == 0
    response = post_files(client, url, fields, {"evidence": [(PDF, "结案通知书.pdf")]})
    assert response.status_code == 303
    submission = db.session.scalars(select(Submission).where(Submission.record_id == record.id)).one()
    assert submission.kind == "completion"
    db.session.refresh(record)
    assert record.status is RecordStatus.RECTIFYING  # nothing changes before staff confirm

    sign_in(client, make_user("staff"))
    review = client.get(f"/workspace/review/{submission.id}").get_data(as_text=True)
    assert "执行法院结案通知书" in review
    assert post_form(client, f"/workspace/review/{submission.id}", {"decision": "approved"}).status_code == 303
    db.session.refresh(record)
    rect = db.session.scalars(select(Rectification).where(Rectification.record_id == record.id)).one()
    assert record.status is RecordStatus.FULFILLED
    assert (rect.outcome, rect.finished_on, rect.outcome_basis) == (
        "performed",
        date(2026, 11, 19),
        "执行法院结案通知书",
    )
    page = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    assert "履行完毕" in page
    assert "执行法院结案通知书" in page
    assert record.title in visible_text(client.get("/outcomes/").get_data(as_text=True))
    # the case is closed: no more progress or completion reports
    sign_in(client, officer)
    again = post_files(client, url, fields, {"evidence": [(PDF, "again.pdf")]})
    assert again.status_code == 409
    assert submissions(record.id) == 1


def test_staff_record_a_result_directly_with_a_reason(client: FlaskClient) -> None:
    record = make_record()
    make_rectification(record)
    sign_in(client, make_user("staff"))
    url = f"/workspace/records/{record.id}/outcome"
    response = post_form(client, url, DIRECT)
    assert response.status_code == 303
    db.session.refresh(record)
    assert record.status is RecordStatus.FULFILLED
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "rectification.outcome")).one()
    assert entry.reason == DIRECT["reason"]
    page = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    assert "达成和解" in page
    assert "和解协议（演协〔2026〕3号）" in page
    assert DIRECT["reason"] not in page  # the reason is for the audit log


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": ""}, "reason", "此项必填"),
        ({"basis": ""}, "basis", "此项必填"),
        ({"finished_on": "2026-11-21"}, "finished_on", "不能晚于今天"),
        ({"finished_on": "2026-09-01"}, "finished_on", "不能早于决定日期"),
    ],
)
def test_a_bad_result_is_refused_beside_its_field(
    client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    record = make_record()
    make_rectification(record)
    sign_in(client, make_user("staff"))
    audits = db.session.scalar(select(func.count(AuditEntry.id)))
    response = post_form(client, f"/workspace/records/{record.id}/outcome", DIRECT | changes)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    db.session.refresh(record)
    assert record.status is RecordStatus.PUBLIC
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audits


def test_the_overdue_outcome_is_gone(client: FlaskClient) -> None:
    record = make_record()
    make_rectification(record)
    sign_in(client, make_user("staff"))
    response = post_form(client, f"/workspace/records/{record.id}/outcome", DIRECT | {"outcome": "overdue"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "请从列出的整改结果中选择一项" in body
    assert sorted(attr(i, "value") for i in css(body, "input[name='outcome']")) == [
        "case_closed",
        "performed",
        "settled",
    ]


def test_a_result_needs_a_plan(client: FlaskClient) -> None:
    record = make_record()
    sign_in(client, make_user("staff"))
    response = post_form(client, f"/workspace/records/{record.id}/outcome", DIRECT)
    assert response.status_code == 409
    assert "请先建立整改方案" in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.status is RecordStatus.PUBLIC


def test_approved_progress_moves_the_record_in_its_feed(client: FlaskClient) -> None:
    record = make_record(decision_date=date(2026, 11, 20), title="有新进展的记录")
    rect = make_rectification(record)
    old = datetime(2026, 11, 1, tzinfo=UTC)
    db.session.execute(Record.__table__.update().where(Record.id == record.id).values(updated_at=old))
    db.session.execute(Rectification.__table__.update().where(Rectification.id == rect.id).values(updated_at=old))

    def updated() -> tuple[int, ...]:
        parsed = feedparser.parse(client.get("/records/feed.atom").data)
        entry = next(e for e in parsed.entries if e.title == "有新进展的记录")
        return tuple(entry.updated_parsed[:6])

    assert updated() == (2026, 11, 1, 0, 0, 0)
    sign_in(client, make_user("officer", record.agency))
    progress = {"entry_date": "2026-11-19", "text": "已支付首期款项"}
    assert post_files(client, f"/workspace/records/{record.id}/progress", progress, {}).status_code == 303
    assert updated() == (2026, 11, 1, 0, 0, 0)  # reported, not yet public
    submission = db.session.scalars(select(Submission).where(Submission.record_id == record.id)).one()
    sign_in(client, make_user("staff"))
    assert post_form(client, f"/workspace/review/{submission.id}", {"decision": "approved"}).status_code == 303
    assert updated() > (2026, 11, 1, 0, 0, 0)
    db.session.refresh(record)
    assert record.status is RecordStatus.RECTIFYING
