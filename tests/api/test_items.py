"""One item of the API: a record of each kind with its kind's own fields, the 410 notice of a stopped record and
nothing more, a published complaint with its public answer only, commitments, agencies, bulletins and statistics
as their pages show them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.core.months import Month
from portal.extensions import db
from portal.opendata.datasets import RECORDS_BY_KIND
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.queries import public_records
from portal.records.rules import RecordStatus
from portal.reports.models import Bulletin
from portal.reports.operations import make_draft
from portal.statistics.queries import figures
from portal.users.rules import Role
from tests.api.conftest import check
from tests.conftest import TODAY
from tests.factories import make_agency, make_closed_complaint, make_commitment, make_record, make_user

TODAY_DATE = date.fromisoformat(TODAY)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_record_has_its_kinds_own_fields_under_the_datasets_keys(
    client: FlaskClient, spec: dict[str, Any], kind: str
) -> None:
    record = db.session.scalars(public_records(TODAY_DATE, {"kind": kind})).first()
    assert record is not None
    response = client.get(f"/api/v1/records/{record.id}")
    assert response.status_code == 200
    body = response.get_json()
    check(spec, "Record", body)
    check(spec, f"Record_{kind}", body)
    keys = {column.key for column in RECORDS_BY_KIND[kind].columns}  # the kind's dataset, by its stable keys
    assert set(body) == keys | {"objection_open", "repair_open", "rectification", "updated_at", "links"}
    for field in KINDS[kind].fields:  # the kind's own fields, as stored (money: in 万元)
        stored = record.details.get(field.name)
        if field.type == "money" and stored is not None:
            assert body[field.name] * 1_000_000 == pytest.approx(stored)
        elif stored not in (None, ""):
            assert body[field.name] == stored
    assert body["id"] == record.id
    assert body["agency_uscc"] == record.agency.uscc
    assert body["links"]["html"].endswith(f"/records/{record.id}")
    assert body["links"]["feed"].endswith(f"/agencies/{record.agency.uscc}/feed.atom")


@pytest.mark.parametrize(
    ("status", "note", "shown_note"),
    [
        (RecordStatus.REVOKED, "异议成立，予以撤销", "异议成立，予以撤销"),
        (RecordStatus.REPAIRED, "信用修复申请已通过", "信用修复申请已通过"),
        (RecordStatus.EXPIRED, "最长公示期届满", ""),
    ],
)
def test_a_stopped_record_is_410_with_its_notice_and_nothing_else(
    client: FlaskClient, spec: dict[str, Any], status: RecordStatus, note: str, shown_note: str
) -> None:
    record = make_record(
        status=status.value,
        stopped_on=date(2026, 11, 15),
        stop_note=note,
        title="不应再出现的标题",
        document_number="演测罚〔2026〕4242号",
        details={"decision_number": "演测罚〔2026〕4242号", "violation_type": "不应再出现的违法类型", "fine": 4242},
    )
    response = client.get(f"/api/v1/records/{record.id}")
    assert response.status_code == 410
    body = response.get_json()
    check(spec, "Gone", body)
    assert body["notice"] == {
        "id": record.id,
        "kind": "administrative_penalty",
        "agency_name": record.agency.name,
        "agency_uscc": record.agency.uscc,
        "stopped_on": "2026-11-15",
        "reason": status.value,
        "note": shown_note,
    }
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("不应再出现", "4242"):
        assert secret not in text
    listed = client.get(f"/api/v1/records?agency={record.agency.uscc}").get_json()
    assert listed["items"] == []
    assert listed["total"] == 0


def test_a_record_past_its_maximum_period_is_410_as_expired(client: FlaskClient) -> None:
    record = make_record(decision_date=date(2023, 1, 1), severity="minor")  # 3 months at most: long over
    body = client.get(f"/api/v1/records/{record.id}").get_json()
    assert body["notice"]["reason"] == "expired"
    assert body["notice"]["stopped_on"] == record.publication_max_end.isoformat()


def test_a_record_not_yet_published_or_unknown_is_a_json_404(client: FlaskClient, spec: dict[str, Any]) -> None:
    future = make_record(publication_start=TODAY_DATE + timedelta(days=1))
    for path in (f"/api/v1/records/{future.id}", "/api/v1/records/2147483647", "/api/v1/records/2147483648"):
        response = client.get(path)
        assert response.status_code == 404, path
        check(spec, "Error", response.get_json())


def test_a_published_complaint_carries_its_public_answer_and_nothing_private(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = make_closed_complaint(agency, "TS-2026-990001", "已督促被投诉单位于 11 月 18 日付清货款。", by=staff)
    complaint.answer = "内部答复：请联系私密公司的经办人。"
    complaint.agency_answer = "部门反馈：已与私密公司对账。"
    complaint.email = "secret@example.com"
    db.session.flush()
    unpublished = make_closed_complaint(agency, "TS-2026-990002", "不公开的答复", by=staff, publish_consent=False)
    for path in ("/api/v1/complaints/TS-2026-990001", "/api/v1/complaints?limit=100"):
        response = client.get(path)
        assert response.status_code == 200
        text = json.dumps(response.get_json(), ensure_ascii=False)
        assert "已督促被投诉单位于 11 月 18 日付清货款。" in text
        for private in (
            "私密公司",
            "13800000000",
            "91990121MA0000000X",
            "secret@example.com",
            "内部答复",
            "部门反馈",
            complaint.description,
            "不公开的答复",
        ):
            assert private not in text, private
    body = client.get("/api/v1/complaints/TS-2026-990001").get_json()
    check(spec, "Complaint", body)
    assert body["answer"] == complaint.public_answer
    assert body["agency_uscc"] == agency.uscc
    assert body["links"]["html"].endswith("/complaints/TS-2026-990001")
    assert client.get(f"/api/v1/complaints/{unpublished.number}").status_code == 404


def test_a_commitment_with_its_letter_and_history(client: FlaskClient, spec: dict[str, Any]) -> None:
    commitment = db.session.scalars(
        select(Commitment).where(Commitment.public_clause(), Commitment.letter_sha256.is_not(None))
    ).first()
    assert commitment is not None
    body = client.get(f"/api/v1/commitments/{commitment.code}").get_json()
    check(spec, "Commitment", body)
    assert body["code"] == commitment.code
    assert body["letter"]["sha256"] == commitment.letter_sha256 == body["letter_sha256"]
    assert body["letter"]["url"].endswith(f"/commitments/{commitment.code}/letter.pdf")
    assert len(body["fulfilment_history"]) == len(commitment.fulfilment_history)
    for code in ("12345678901234567890", "990121202613010000001", "abc"):
        assert client.get(f"/api/v1/commitments/{code}").status_code == 404
    restricted = make_commitment(scope="restricted")
    assert client.get(f"/api/v1/commitments/{restricted.code}").status_code == 404


def test_an_agency_by_its_code_with_its_counts(client: FlaskClient, spec: dict[str, Any]) -> None:
    agency = db.session.scalars(select(Agency).where(Agency.parent_id.is_not(None))).first()
    assert agency is not None
    body = client.get(f"/api/v1/agencies/{agency.uscc.lower()}").get_json()  # any case, as the profile takes it
    check(spec, "Agency", body)
    assert body["uscc"] == agency.uscc
    assert agency.parent is not None
    assert body["parent_uscc"] == agency.parent.uscc
    records = db.session.scalar(
        select(func.count()).where(Record.public_clause(TODAY_DATE), Record.agency_id == agency.id)
    )
    assert body["counts"]["records"] == records
    assert client.get(body["links"]["records"].removeprefix("http://localhost")).get_json()["total"] == records
    for code in ("11990121MB123456X9", "not-a-code"):
        response = client.get(f"/api/v1/agencies/{code}")
        assert response.status_code == 404
        check(spec, "Error", response.get_json())


def test_a_bulletin_with_its_snapshot_and_no_draft(
    client: FlaskClient, spec: dict[str, Any], bulletin: Bulletin
) -> None:
    make_draft(Month(2026, 11), TODAY_DATE, by=make_user(Role.STAFF))
    body = client.get(f"/api/v1/bulletins/{bulletin.month}").get_json()
    check(spec, "Bulletin", body)
    assert body["figures"] == json.loads(json.dumps(bulletin.figures))
    assert body["pdf"]["sha256"] == bulletin.pdf_sha256
    draft = db.session.scalars(select(Bulletin).where(Bulletin.state != "published")).first()
    for month in ([draft.month] if draft else []) + ["2026-13", "1999-12", "2026-1"]:
        assert client.get(f"/api/v1/bulletins/{month}").status_code == 404, month


@pytest.mark.parametrize("months", [12, 24])
def test_statistics_are_the_pages_figures(client: FlaskClient, spec: dict[str, Any], months: int) -> None:
    body = client.get(f"/api/v1/statistics?months={months}").get_json()
    check(spec, "Statistics", body)
    found = figures(TODAY_DATE, months)
    assert body["months"] == months
    assert [p["listed"] for p in body["defaulters"]] == [p.listed for p in found.defaulters]
    assert {r["key"]: r["count"] for r in body["records_by_kind"]} == {r.key: r.count for r in found.by_kind}
    owed = sum(r.owed for r in found.by_level)
    assert sum(r["owed"] for r in body["arrears_by_level"]) * 1_000_000 == pytest.approx(owed)
    assert [m["received"] for m in body["complaints"]] == [m.received for m in found.complaints]
