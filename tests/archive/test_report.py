"""The agency credit report (政务诚信报告, 泰信用办〔2022〕12号 二(六): 信用档案查询 for 评先评优): issued once per
body and day under a random report number, kept as PDF with its SHA-256, its figures equal to SQL counts over what
the public site shows that day (and nothing else), confirmed on the check page by its number."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select, text
from werkzeug.test import TestResponse

from portal.agencies.models import Agency, AgencyName
from portal.archive import operations as report_operations
from portal.archive import queries as report_queries
from portal.archive.models import AgencyReport
from portal.archive.operations import issue_report
from portal.archive.queries import LIST_MOST, is_report_number, normalise_number, report_number
from portal.arrears.models import Payment
from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.evaluation.models import AgencyScore
from portal.extensions import db
from portal.files.models import StoredFile
from portal.records.models import Record
from portal.records.rules import RecordStatus
from tests.factories import (
    make_agency,
    make_commitment,
    make_measure,
    make_positive_item,
    make_record,
    make_rectification,
)
from tests.html import find, text_of, title_of

TODAY = date(2026, 11, 20)
AS_OF = "2026年11月20日"
COMPLAINANT = "投诉人王某某"
_serial = itertools.count(1)


# --- builders -----------------------------------------------------------------------------------------------------


def make_complaint(agency: Agency, *, published: bool, **fields: Any) -> Complaint:
    """A closed complaint about `agency` (published: with consent, anonymised on the site)."""
    n = next(_serial)
    values: dict[str, Any] = {
        "number": f"TS-2026-9{n:05d}",
        "secret_hash": "0" * 64,
        "filer_type": "individual",
        "name": COMPLAINANT,
        "phone": "13800000000",
        "category": "arrears",
        "description": "工程款至今未付（投诉人自述）。",
        "filed_on": date(2026, 9, 1),
        "accept_due": date(2026, 9, 3),
        "answer_due": date(2026, 9, 15),
        "close_due": date(2026, 9, 22),
        "closed_on": date(2026, 9, 20),
        "status": "closed",
        "answer": "已督促支付。",
        "publish_consent": published,
        "published": published,
        "agency_id": agency.id,
    } | fields
    complaint = Complaint(**values)
    db.session.add(complaint)
    db.session.flush()
    return complaint


def arrears(agency: Agency, owed: int, **fields: Any) -> Record:
    details = {"contract_number": "C-1", "party_a": "甲", "party_b": "乙", "contract_amount": owed, "amount_owed": owed}
    return make_record(agency, kind="arrears", details=details, amount_fen=owed, **fields)


def stopped(agency: Agency, status: RecordStatus, title: str) -> Record:
    return make_record(agency, title=title, status=status.value, stopped_on=date(2026, 11, 1))


def files_dir(app: Flask) -> Path:
    return Path(app.config["PORTAL_SETTINGS"].files_dir)


def pdf_text(data: bytes) -> str:
    """The PDF's text with every space and line break removed (table cells wrap anywhere)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def get_file(client: FlaskClient, url: str, **options: Any) -> TestResponse:
    """A response read whole and closed (a file response holds its file open until then)."""
    response = client.get(url, **options)
    response.get_data()
    response.close()
    return response


def report_pdf(client: FlaskClient, agency: Agency) -> tuple[AgencyReport, bytes]:
    response = get_file(client, f"/agencies/{agency.uscc}/report.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    report = db.session.scalar(select(AgencyReport).where(AgencyReport.agency_id == agency.id))
    assert report is not None
    return report, response.data


def sql_count(query: str, **params: Any) -> int:
    """An independent count, in plain SQL (not the queries the report uses)."""
    return int(db.session.execute(text(query), params).scalar_one())


PUBLIC_RECORDS = """SELECT count(*) FROM records WHERE agency_id = :agency AND status IN ('public', 'rectifying',
    'fulfilled') AND publication_start <= :today AND publication_max_end > :today"""


@pytest.fixture
def busy(app: Flask) -> Agency:
    """A body with something in every part of its 诚信档案, public and not."""
    parent = make_agency(name="演示县测试上级政府", kind="government")
    agency = make_agency(name="演示县报告测试局", legal_representative="赵测试", parent_id=parent.id)
    db.session.add(AgencyName(agency_id=agency.id, name="演示县报告测试办公室", used_until=date(2025, 12, 31)))
    serious = make_record(agency, title="严重记录（公示中）", severity="serious", decision_date=date(2026, 3, 2))
    minor = make_record(
        agency, title="轻微记录（整改中）", severity="minor", status="rectifying", decision_date=date(2026, 10, 10)
    )
    make_record(agency, title="一般记录（已履行）", kind="lost_lawsuit", status="fulfilled", details={})
    owed = arrears(agency, 500_000_00, title="拖欠工程款（公示中）")
    db.session.add(Payment(record_id=owed.id, paid_on=date(2026, 11, 1), amount_fen=120_000_00))
    # not public: published from a later day, stopped (repaired, expired, revoked), past its maximum period
    make_record(agency, title="未到公示日的记录", decision_date=TODAY, publication_start=TODAY + timedelta(days=3))
    repaired = stopped(agency, RecordStatus.REPAIRED, "已修复的记录")
    revoked = stopped(agency, RecordStatus.REVOKED, "已撤销的记录")
    make_record(agency, title="公示期满的记录", severity="minor", decision_date=date(2026, 1, 5))
    hidden_arrears = arrears(agency, 900_000_00, title="已修复的拖欠", status="repaired", stopped_on=date(2026, 11, 2))
    db.session.add(Payment(record_id=hidden_arrears.id, paid_on=date(2026, 11, 1), amount_fen=900_000_00))
    # rectifications: one overdue, one open, one finished; one on a stopped record
    make_rectification(serious, deadline=date(2026, 11, 1))
    make_rectification(minor, deadline=date(2026, 12, 20))
    make_rectification(owed, deadline=date(2026, 10, 1), outcome="performed", finished_on=date(2026, 9, 30))
    make_rectification(repaired, deadline=date(2026, 1, 1))
    # joint measures: in force (one of them 取消评先评优), lifted, and one on a stopped record
    make_measure(serious, kind="no_honours", document_number="演信用〔2026〕501号")
    make_measure(
        serious, kind="limit_financing", document_number="演信用〔2026〕502号", confirmed_on=date(2026, 11, 12)
    )
    make_measure(
        minor,
        kind="interview",
        document_number="演信用〔2026〕503号（已解除）",
        lifted_on=date(2026, 11, 15),
        lift_reason="已整改",
    )
    make_measure(
        revoked,
        kind="limit_subsidies",
        document_number="演信用〔2026〕504号（记录已撤销）",
    )
    # commitments: public ones by fulfilment, and ones not public
    make_commitment(agency, title="公开承诺甲", fulfilment="fulfilled")
    make_commitment(agency, title="公开承诺乙", fulfilment="in_progress")
    make_commitment(agency, title="政务共享的承诺", scope="restricted")
    make_commitment(agency, title="未发布的承诺草稿", published_at=None, code=None, state="draft")
    # complaints: published results count, unpublished ones do not; no complainant's data anywhere
    make_complaint(agency, published=True)
    make_complaint(agency, published=True, category="contract")
    make_complaint(agency, published=False)
    # positive items: shown, and one removed
    make_positive_item(agency, title="市级文明单位", document_number="演文明委〔2026〕3号")
    make_positive_item(
        agency, title="已撤回的表彰", removed_at=datetime(2026, 10, 1, tzinfo=UTC), removal_reason="录入错误"
    )
    db.session.flush()
    return agency


# --- the number ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normal", "valid"),
    [
        ("XYBG-20261120-0123456789", "XYBG-20261120-0123456789", True),
        (" xybg-20261120-0123456789 ", "XYBG-20261120-0123456789", True),
        ("ＸＹＢＧ－２０２６１１２０－０１２３４５６７８９", "XYBG-20261120-0123456789", True),  # typed full-width
        ("XYBG - 20261120 - 0123 456 789", "XYBG-20261120-0123456789", True),
        ("XYBG-20261320-0123456789", "XYBG-20261320-0123456789", False),  # month 13
        ("XYBG-20261120-012345678", "XYBG-20261120-012345678", False),  # nine digits
        ("XYBG-20261120-01234567890", "XYBG-20261120-01234567890", False),
        ("XYBG-2026-11-20-0123456789", "XYBG-2026-11-20-0123456789", False),
        ("TS-2026-000123", "TS-2026-000123", False),
        ("", "", False),
    ],
)
def test_report_numbers_as_typed(typed: str, normal: str, valid: bool) -> None:
    assert normalise_number(typed) == normal
    assert is_report_number(normal) is valid


def test_a_number_is_the_day_and_ten_digits_in_the_column() -> None:
    number = report_number(date(2026, 12, 4), 123)
    assert number == "XYBG-20261204-0000000123"
    assert len(number) == AgencyReport.__table__.c.number.type.length == 24
    assert is_report_number(report_number(date(2026, 12, 4), 10**10 - 1))


# --- the PDF ------------------------------------------------------------------------------------------------------


def test_the_report_holds_the_number_the_agency_and_figures_equal_to_sql(client: FlaskClient, busy: Agency) -> None:
    report, data = report_pdf(client, busy)
    words = pdf_text(data)
    assert report.number.startswith("XYBG-20261120-")
    assert is_report_number(report.number)
    assert report.as_of == TODAY
    assert f"报告编号：{report.number}" in words
    assert "政务诚信报告" in words
    assert f"信息截止日期{AS_OF}" in words
    local = report.issued_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"出具时间{local.year}年{local.month}月{local.day}日{local:%H:%M:%S}（北京时间）" in words
    assert "泰信用办〔2022〕12号二(六)" in words  # the clause it serves
    # identity
    assert f"主体名称{busy.name}" in words
    assert f"统一社会信用代码{busy.uscc}" in words
    assert "机构类型政府部门" in words
    assert "行政区划演示县（990121）" in words
    assert "上级机构演示县测试上级政府" in words
    assert "法定代表人赵测试" in words
    assert "存续状态存续" in words
    assert "曾用名演示县报告测试办公室（使用至2025年12月31日）" in words

    args = {"agency": busy.id, "today": TODAY}
    records = sql_count(PUBLIC_RECORDS, **args)
    tiers = {
        tier: sql_count(PUBLIC_RECORDS + " AND severity = :tier", tier=tier, **args)
        for tier in ("serious", "general", "minor")
    }
    assert records == 4
    assert tiers == {"serious": 1, "general": 2, "minor": 1}
    assert (
        f"公示中的失信记录{records}条（严重{tiers['serious']}条，一般{tiers['general']}条，轻微{tiers['minor']}条）"
        in words
    )
    open_rectifications = sql_count(
        "SELECT count(*) FROM rectifications r JOIN records c ON c.id = r.record_id WHERE c.agency_id = :agency"
        " AND r.outcome IS NULL AND c.id IN (" + PUBLIC_RECORDS.replace("count(*)", "id") + ")",
        **args,
    )
    overdue = sql_count(
        "SELECT count(*) FROM rectifications r JOIN records c ON c.id = r.record_id WHERE r.outcome IS NULL"
        " AND r.deadline < :today AND c.id IN (" + PUBLIC_RECORDS.replace("count(*)", "id") + ")",
        **args,
    )
    assert (open_rectifications, overdue) == (2, 1)
    assert f"整改中的事项{open_rectifications}件，其中逾期未整改{overdue}件" in words
    measures = sql_count(
        "SELECT count(*) FROM joint_measures m WHERE m.lifted_on IS NULL AND m.record_id IN ("
        + PUBLIC_RECORDS.replace("count(*)", "id")
        + ")",
        **args,
    )
    assert measures == 2
    assert f"实施中的联合惩戒措施{measures}项，其中“取消评先评优”1项" in words
    commitments = sql_count(
        "SELECT count(*) FROM commitments WHERE agency_id = :agency AND scope = 'public' AND published_at IS NOT NULL",
        agency=busy.id,
    )
    assert commitments == 2
    assert f"公开的政务承诺{commitments}项（履行中1项，全部履行1项，部分履行0项，全部未履行0项）" in words
    complaints = sql_count("SELECT count(*) FROM complaints WHERE agency_id = :agency AND published", agency=busy.id)
    assert complaints == 2
    assert f"公开的投诉办理结果{complaints}件" in words
    assert f"已办结并经投诉人同意公开的投诉办理结果{complaints}件" in words
    positives = sql_count(
        "SELECT count(*) FROM agency_positive_items WHERE agency_id = :agency AND removed_at IS NULL", agency=busy.id
    )
    assert positives == 1
    assert f"表彰奖励和守信信息{positives}项" in words
    assert "市级文明单位" in words
    assert "演文明委〔2026〕3号" in words
    # arrears: owed and repaid on the public arrears records only
    assert "拖欠金额50.00万元，已偿还12.00万元，尚欠38.00万元" in words
    assert "暂无评价" in words
    # the records' lists: kind, tier, 文号, decision date, status
    for record in db.session.scalars(select(Record).where(Record.agency_id == busy.id, Record.public_clause(TODAY))):
        assert record.title in words
        assert re.sub(r"\s+", "", record.document_number) in words
        assert record.decision_date.isoformat() in words
    assert "严重记录（公示中）" in words
    assert "逾期未整改" in words
    assert "演信用〔2026〕501号" in words
    assert "演信用〔2026〕502号" in words
    # how to confirm it: the check page's address with the number
    assert f"/agencies/report-check?number={report.number}" in words


def test_nothing_unpublished_stopped_or_personal_is_in_it(client: FlaskClient, busy: Agency) -> None:
    _report, data = report_pdf(client, busy)
    words = pdf_text(data)
    for absent in (
        "未到公示日的记录",
        "已修复的记录",
        "已撤销的记录",
        "公示期满的记录",
        "已修复的拖欠",
        "政务共享的承诺",
        "未发布的承诺草稿",
        "已撤回的表彰",
        "演信用〔2026〕503号（已解除）",
        "演信用〔2026〕504号（记录已撤销）",
        COMPLAINANT,
        "13800000000",
        "投诉人自述",
    ):
        assert absent not in words, absent


def test_the_pdf_embeds_its_cjk_fonts_and_links_only_to_its_check(client: FlaskClient, busy: Agency) -> None:
    report, data = report_pdf(client, busy)
    reader = PdfReader(io.BytesIO(data))
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    assert all("CJK" in name for name in fonts), list(fonts)
    assert len(fonts) == 2, list(fonts)  # two faces only: each CJK face adds 100–200 KB to every report kept
    for font in fonts.values():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    # its one link is the check page's, with the number (the request's own host: the test client's)
    uris = {
        str(annotation.get_object()["/A"]["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots", None) or []
    }
    assert uris == {f"http://localhost/agencies/report-check?number={report.number}"}


def test_an_evaluated_agency_shows_its_latest_score(client: FlaskClient, busy: Agency) -> None:
    for month, tenths, grade in (("2026-09", 712, "C"), ("2026-10", 864, "B"), ("2026-12", 990, "A")):
        db.session.add(
            AgencyScore(
                agency_id=busy.id,
                month=month,
                method_version="2026.1",
                score_tenths=tenths,
                grade=grade,
                parts=[],
                as_of=date(2026, int(month[-2:]), 28),
            )
        )
    _report, data = report_pdf(client, busy)
    words = pdf_text(data)
    assert "政务诚信评价2026年10月86.4分，B级（评价方法2026.1）" in words  # the latest month up to today's
    assert "暂无评价" not in words
    assert "99.0" not in words


def test_long_lists_are_capped_and_say_so(client: FlaskClient) -> None:
    agency = make_agency()
    for n in range(LIST_MOST + 2):
        make_record(agency, title=f"批量记录{n:03d}号", decision_date=date(2026, 1, 1) + timedelta(days=n))
    make_record(agency, title="最早的严重记录", severity="serious", decision_date=date(2025, 12, 1))
    _report, data = report_pdf(client, agency)
    words = pdf_text(data)
    total = sql_count(PUBLIC_RECORDS, agency=agency.id, today=TODAY)
    assert total == LIST_MOST + 3
    assert f"公示中的失信记录{total}条" in words
    assert f"共{total}条，以下列出严重程度最高、决定日期最近的{LIST_MOST}条；完整清单见" in words
    assert f"/records/?agency={agency.uscc}" in words
    assert "最早的严重记录" in words  # the most serious first, however old
    assert f"批量记录{LIST_MOST + 1:03d}号" in words
    assert "批量记录002号" not in words


def test_an_agency_with_nothing_gets_a_plain_report(client: FlaskClient) -> None:
    agency = make_agency(name="演示县空白测试中心", kind="institution")
    _report, data = report_pdf(client, agency)
    words = pdf_text(data)
    assert f"截至{AS_OF}，无公示中的失信记录。" in words
    assert "公示中的失信记录0条" in words
    assert "暂无评价" in words
    assert "曾用名无" in words


def test_a_closed_agency_still_gets_its_report(client: FlaskClient) -> None:
    successor = make_agency(name="演示县合并后测试局")
    agency = make_agency(
        name="演示县被合并测试局", status="merged", closed_on=date(2026, 6, 30), merged_into_id=successor.id
    )
    _report, data = report_pdf(client, agency)
    assert "存续状态已合并（2026年6月30日并入演示县合并后测试局）" in pdf_text(data)


# --- once per body and day ----------------------------------------------------------------------------------------


def test_the_same_day_gives_the_same_number_and_bytes(app: Flask, client: FlaskClient, busy: Agency) -> None:
    first = get_file(client, f"/agencies/{busy.uscc}/report.pdf")
    make_record(busy, title="当天稍后新增的记录")  # the day's report stays as issued
    second = get_file(client, f"/agencies/{busy.uscc}/report.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    reports = db.session.scalars(select(AgencyReport).where(AgencyReport.agency_id == busy.id)).all()
    assert len(reports) == 1
    number = reports[0].number
    assert f"filename={number}.pdf" in first.headers["Content-Disposition"]
    assert first.headers["Content-Disposition"] == second.headers["Content-Disposition"]
    assert hashlib.sha256(first.data).hexdigest() == reports[0].pdf_sha256
    assert reports[0].pdf.path_in(files_dir(app)).read_bytes() == first.data


def test_another_day_gives_a_new_number(app: Flask, client: FlaskClient, busy: Agency) -> None:
    today, _ = report_pdf(client, busy)
    tomorrow = issue_report(busy, TODAY + timedelta(days=1), files_dir(app))
    assert tomorrow.number.startswith("XYBG-20261121-")
    assert tomorrow.number != today.number
    assert tomorrow.pdf_sha256 != today.pdf_sha256
    assert "信息截止日期2026年11月21日" in pdf_text(tomorrow.pdf.path_in(files_dir(app)).read_bytes())
    assert issue_report(busy, TODAY + timedelta(days=1), files_dir(app)).id == tomorrow.id


def test_issuing_audits_no_person(client: FlaskClient, busy: Agency) -> None:
    report, _data = report_pdf(client, busy)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "agency_report.issue", AuditEntry.entity_id == str(report.id))
    )
    assert entry is not None
    assert entry.actor == "public"
    assert entry.actor_id is None
    assert entry.changes["number"] == [None, report.number]
    assert "127.0.0.1" not in str(entry.changes)


def test_a_twin_first_request_gets_the_winners_report(
    app: Flask, busy: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first requests at once: the one that inserts second breaks the unique (agency, day), drops its PDF and
    returns the first one's report — no 500, one report."""
    winner = issue_report(busy, TODAY, files_dir(app))
    files_before = db.session.scalar(select(func.count()).select_from(StoredFile))
    real_report_of = report_queries.report_of
    calls: list[int] = []

    def not_yet(agency_id: int, day: date) -> AgencyReport | None:  # the twin looked before the winner's insert
        calls.append(agency_id)
        return None if len(calls) == 1 else real_report_of(agency_id, day)

    monkeypatch.setattr(report_operations, "report_of", not_yet)
    rendered: list[bytes] = []
    real_render = report_operations.render_pdf

    def render(html: str) -> bytes:
        rendered.append(real_render(html))
        return rendered[-1]

    monkeypatch.setattr(report_operations, "render_pdf", render)
    loser = issue_report(busy, TODAY, files_dir(app))
    assert loser.id == winner.id
    assert loser.number == winner.number
    assert len(rendered) == 1
    assert len(calls) == 2
    assert (
        db.session.scalar(select(func.count()).select_from(AgencyReport).where(AgencyReport.agency_id == busy.id)) == 1
    )
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == files_before  # its PDF row went
    lost = hashlib.sha256(rendered[0]).hexdigest()
    assert not (files_dir(app) / lost[:2] / lost).exists()  # and its file


def test_a_number_taken_meanwhile_is_drawn_again(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    other = issue_report(make_agency(), TODAY, files_dir(app))
    taken = int(other.number.rsplit("-", 1)[1])
    serials = iter([taken, 42])
    monkeypatch.setattr(report_operations, "draw_serial", lambda: next(serials))
    monkeypatch.setattr(report_operations, "number_taken", lambda number: False)  # the check saw it free
    report = issue_report(make_agency(), TODAY, files_dir(app))
    assert report.number == "XYBG-20261120-0000000042"
    assert "XYBG-20261120-0000000042" in pdf_text(report.pdf.path_in(files_dir(app)).read_bytes())


def test_a_pdf_that_fails_writes_nothing(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency()

    def broken(html: str) -> bytes:
        raise OSError("fontconfig is gone")

    monkeypatch.setattr(report_operations, "render_pdf", broken)
    reports = db.session.scalar(select(func.count()).select_from(AgencyReport))
    response = get_file(client, f"/agencies/{agency.uscc}/report.pdf")
    assert response.status_code == 503
    assert "政务诚信报告生成失败" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AgencyReport)) == reports


# --- the routes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("uscc", ["91110000000000000X", "not-a-code", "1" * 18, "%00"])
def test_unknown_agency_is_404(client: FlaskClient, uscc: str) -> None:
    response = get_file(client, f"/agencies/{uscc}/report.pdf")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_the_pdf_is_cached_for_the_day_and_answers_304(client: FlaskClient, busy: Agency) -> None:
    response = get_file(client, f"/agencies/{busy.uscc}/report.pdf")
    cache = response.headers["Cache-Control"]
    assert cache.startswith("public, max-age=")
    assert 0 <= int(cache.rsplit("=", 1)[1]) <= 3600
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Content-Disposition"].startswith("inline; filename=XYBG-20261120-")
    again = get_file(client, f"/agencies/{busy.uscc}/report.pdf", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_check_page_confirms_a_report(client: FlaskClient, busy: Agency) -> None:
    report, data = report_pdf(client, busy)
    page = client.get(f"/agencies/report-check?number={report.number}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    main = find(body, "main")
    assert main is not None
    shown = text_of(main)
    assert "该报告由本平台出具" in shown
    assert busy.name in shown
    assert busy.uscc in shown
    assert report.number in shown
    assert hashlib.sha256(data).hexdigest() in shown  # the SHA-256 of the file the reader holds
    issued = report.issued_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert issued.strftime("%Y-%m-%d %H:%M:%S") in shown
    assert "2026年11月20日" in shown
    assert report.number in title_of(body)
    download = get_file(client, f"/agencies/reports/{report.number}.pdf")
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert f"filename={report.number}.pdf" in download.headers["Content-Disposition"]
    # as typed: lower case, spaces, full-width
    typed = " " + report.number.lower().replace("-", " - ") + " "
    assert client.get("/agencies/report-check", query_string={"number": typed}).status_code == 200


def test_the_check_page_in_english(client: FlaskClient, busy: Agency) -> None:
    report, _data = report_pdf(client, busy)
    page = client.get(f"/agencies/report-check?number={report.number}&lang=en")
    assert page.status_code == 200
    assert '<html lang="en"' in page.get_data(as_text=True)
    assert client.get("/agencies/report-check?lang=en").status_code == 200


def test_the_check_page_form(client: FlaskClient) -> None:
    page = client.get("/agencies/report-check")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    form = find(body, "form", action="/agencies/report-check")
    assert form is not None
    assert form.get("method") == "get"
    assert find(form, "input", name="number", id="number") is not None
    assert find(body, "label", for_="number") is not None
    assert find(body, "p", id="number-error") is None


def test_an_unknown_number_is_404_beside_the_field(client: FlaskClient) -> None:
    page = client.get("/agencies/report-check?number=XYBG-20261120-0000000000")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    error = find(body, "p", id="number-error")
    assert error is not None
    assert "XYBG-20261120-0000000000" in text_of(error)
    main = find(body, "main")
    assert main is not None
    assert "不是本平台出具的" in text_of(main)
    field = find(body, "input", id="number")
    assert field is not None
    assert field.get("aria-invalid") == "true"
    assert "number-error" in field.get("aria-describedby", "")
    assert client.get("/agencies/reports/XYBG-20261120-0000000000.pdf").status_code == 404


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "请输入报告编号"),
        ("   ", "请输入报告编号"),
        ("XYBG-2026-1120", "报告编号格式不正确"),
        ("XYBG-20261340-0123456789", "报告编号格式不正确"),
        ("<script>alert(1)</script>", "报告编号格式不正确"),
        ("9" * 5000, "报告编号格式不正确"),
        ("XYBG-20261120-012345678\x00", "报告编号格式不正确"),
    ],
)
def test_a_malformed_number_is_400_beside_the_field(client: FlaskClient, number: str, message: str) -> None:
    page = client.get("/agencies/report-check", query_string={"number": number})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    error = find(body, "p", id="number-error")
    assert error is not None
    assert message in text_of(error)
    assert "<script>alert" not in body
    assert get_file(client, f"/agencies/reports/{number.strip() or 'x'}.pdf").status_code == 404


def test_other_methods_are_refused(client: FlaskClient, busy: Agency) -> None:
    assert client.post(f"/agencies/{busy.uscc}/report.pdf").status_code in {400, 405}
    assert client.post("/agencies/report-check").status_code in {400, 405}
    assert (
        db.session.scalar(select(func.count()).select_from(AgencyReport).where(AgencyReport.agency_id == busy.id)) == 0
    )
