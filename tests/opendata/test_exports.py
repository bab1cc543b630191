"""The exports of every public list (/records/export.csv …): the list's own filters over every page, the standard's
names as headers, UTF-8 with a BOM, money in 万元 without unit, codes as labels (codes in JSON Lines), a download
(Content-Disposition), streamed and never kept by the page cache; only what the list shows — a stopped record, a
record past its maximum period or a complainant's data is in no file. Each list page links its downloads."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from portal import clock
from portal.complaints.operations import publish_answer
from portal.extensions import db
from portal.opendata.datasets import AGENCIES, RECORDS_BY_KIND, records_dataset
from portal.records.models import Record
from portal.records.queries import public_records
from portal.users.models import User
from tests.factories import make_agency, make_closed_complaint, make_commitment, make_record
from tests.html import find, links
from tests.opendata.conftest import read_csv, read_jsonl, read_xlsx

PENALTY = RECORDS_BY_KIND["administrative_penalty"]


def get_file(client: FlaskClient, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response.get_data()


def test_a_kind_exports_every_public_record_with_the_standards_headers(client: FlaskClient) -> None:
    response = client.get("/records/export.csv?kind=administrative_penalty")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="records-administrative_penalty-2026-11-20.csv"'
    )
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese as Chinese
    rows = read_csv(data)
    assert list(rows[0]) == [c.name for c in PENALTY.columns]
    public = public_records(clock.today(), {"kind": "administrative_penalty"})
    assert len(rows) == db.session.scalar(select(func.count()).select_from(public.order_by(None).subquery()))
    assert {row["记录类别"] for row in rows} == {"行政处罚"}
    assert all(row["网址"].endswith(f"/records/{row['记录编号']}") for row in rows)


def test_every_list_and_every_format_answers(client: FlaskClient) -> None:
    for path in ("records", "commitments", "outcomes", "agencies", "complaints"):
        for fmt, content_type in (
            ("csv", "text/csv; charset=utf-8"),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("jsonl", "application/x-ndjson; charset=utf-8"),
        ):
            response = client.get(f"/{path}/export.{fmt}")
            assert response.status_code == 200, (path, fmt)
            assert response.headers["Content-Type"] == content_type
            assert response.headers["Content-Disposition"].endswith(f'-2026-11-20.{fmt}"')
            assert response.get_data() or fmt == "jsonl"  # JSON Lines has no header line


def test_stopped_and_expired_records_are_in_no_export(client: FlaskClient) -> None:
    agency = make_agency()
    shown = make_record(agency, document_number="演测罚〔2026〕公示号")
    make_record(agency, document_number="演测罚〔2026〕修复号", status="repaired", stopped_on=date(2026, 11, 1))
    make_record(  # a minor record decided long ago: its 3 months have passed
        agency, document_number="演测罚〔2025〕期满号", severity="minor", decision_date=date(2025, 1, 5)
    )
    for fmt in ("csv", "xlsx", "jsonl"):
        data = get_file(client, f"/records/export.{fmt}?agency={agency.uscc}")
        if fmt == "xlsx":
            data = repr(read_xlsx(data)).encode()
        assert "演测罚〔2026〕公示号".encode() in data
        assert "修复号".encode() not in data
        assert "期满号".encode() not in data
    assert [row["记录编号"] for row in read_csv(get_file(client, f"/records/export.csv?agency={agency.uscc}"))] == [
        str(shown.id)
    ]


def test_money_is_in_wan_yuan_and_codes_are_labels_in_files_and_codes_in_json_lines(client: FlaskClient) -> None:
    agency = make_agency()
    record = make_record(agency, severity="serious", details={"decision_number": "演测罚〔2026〕9号", "fine": 123456})
    query = f"?kind=administrative_penalty&agency={agency.uscc}"
    (row,) = read_csv(get_file(client, f"/records/export.csv{query}"))
    assert row["罚款金额（万元）"] == "0.123456"
    assert row["严重程度"] == "严重"
    assert row["公示截止期"] == record.publication_max_end.isoformat()
    (line,) = read_jsonl(get_file(client, f"/records/export.jsonl{query}"))
    assert line["fine"] == 0.123456
    assert line["severity"] == "serious"
    assert line["kind"] == "administrative_penalty"
    assert line["id"] == record.id
    assert line["decision_date"] == record.decision_date.isoformat()
    header, values = read_xlsx(get_file(client, f"/records/export.xlsx{query}"))
    cells = dict(zip(header, values, strict=True))
    assert cells["罚款金额（万元）"] == pytest.approx(0.123456)
    assert cells["严重程度"] == "严重"


def test_text_a_spreadsheet_would_run_is_guarded(client: FlaskClient) -> None:
    agency = make_agency()
    make_record(agency, title='=HYPERLINK("https://evil.example","点击")', summary="@SUM(1+1)")
    (row,) = read_csv(get_file(client, f"/records/export.csv?agency={agency.uscc}"))
    assert row["标题"] == """'=HYPERLINK("https://evil.example","点击")"""
    assert row["摘要"] == "'@SUM(1+1)"
    workbook = load_workbook(io.BytesIO(get_file(client, f"/records/export.xlsx?agency={agency.uscc}")))
    sheet = workbook.worksheets[0]
    title = next(c for c in sheet[2] if str(c.value).startswith("=HYPERLINK"))
    assert title.data_type == "s"  # text, not a formula


def test_the_list_filters_apply_and_a_bad_one_is_400(client: FlaskClient) -> None:
    agency = make_agency()
    make_record(agency, kind="arrears", details={"amount_owed": 500_000}, amount_fen=500_000, severity="serious")
    make_record(agency, kind="arrears", details={"amount_owed": 100}, amount_fen=100, severity="minor")
    rows = read_csv(get_file(client, f"/records/export.csv?kind=arrears&agency={agency.uscc}&severity=serious"))
    assert [row["拖欠金额（万元）"] for row in rows] == ["0.5"]
    assert list(rows[0]) == [c.name for c in records_dataset("arrears").columns]
    ordered = read_csv(get_file(client, f"/records/export.csv?kind=arrears&agency={agency.uscc}&sort=amount"))
    assert [row["拖欠金额（万元）"] for row in ordered] == ["0.5", "0.0001"]
    assert client.get("/records/export.csv?kind=nonsense").status_code == 400
    assert client.get("/records/export.csv?sort=amount").status_code == 400
    assert client.get("/records/export.csv?agency=11990121000000000X").status_code == 400  # a bad check character
    assert client.get("/records/export.csv?year=2026%00").status_code == 400
    assert client.get("/records/export.pdf").status_code == 404


def test_without_a_kind_the_records_have_the_columns_every_kind_shares(client: FlaskClient) -> None:
    rows = read_csv(get_file(client, "/records/export.csv?severity=serious"))
    assert list(rows[0]) == [c.name for c in records_dataset(None).columns]
    assert len({row["记录类别"] for row in rows}) > 1
    assert {row["严重程度"] for row in rows} == {"严重"}


def test_agencies_and_the_listed_filter(client: FlaskClient) -> None:
    parent = make_agency(kind="government", name="演示县测试政府")
    child = make_agency(parent_id=parent.id, legal_representative="李四")
    rows = {row["统一社会信用代码"]: row for row in read_csv(get_file(client, "/agencies/export.csv"))}
    assert list(next(iter(rows.values()))) == [c.name for c in AGENCIES.columns]
    assert rows[child.uscc]["上级机构统一社会信用代码"] == parent.uscc
    assert rows[child.uscc]["法定代表人"] == "李四"
    assert rows[parent.uscc]["机构类型"] == "人民政府"
    assert rows[child.uscc]["网址"].endswith(f"/agencies/{child.uscc}")
    listed = read_csv(get_file(client, "/agencies/export.csv?listed=judgment_defaulter"))
    assert 0 < len(listed) < len(rows)
    assert client.get("/agencies/export.csv?listed=x").status_code == 400


def test_commitments_only_public_ones(client: FlaskClient) -> None:
    agency = make_agency()
    public = make_commitment(agency, title="公开的承诺")
    make_commitment(agency, title="不公开的承诺", scope="not_public")
    rows = read_csv(get_file(client, f"/commitments/export.csv?agency={agency.uscc}"))
    assert [row["承诺编码"] for row in rows] == [public.code]
    assert rows[0]["承诺类型"] == "主动型"
    assert rows[0]["承诺作出日期"] == "2026-10-01"


def test_published_complaints_carry_only_the_public_answer(client: FlaskClient, app: Flask, staff: User) -> None:
    agency = make_agency()
    complaint = make_closed_complaint(agency, "TS-2026-990001", "经核实已付款。", staff)
    publish_answer(complaint, "公开版本：款项已支付。", by=staff)
    make_closed_complaint(agency, "TS-2026-990002", "不同意公开的投诉。", staff, publish_consent=False)
    for fmt in ("csv", "jsonl"):
        data = get_file(client, f"/complaints/export.{fmt}").decode("utf-8")
        assert "TS-2026-990001" in data
        assert "公开版本：款项已支付。" in data
        for private in ("经核实已付款。", "私密公司", "13800000000", "91990121MA0000000X", "TS-2026-990002"):
            assert private not in data


def test_an_export_is_streamed_and_never_kept_by_the_page_cache(client: FlaskClient, app: Flask) -> None:
    app.config["PORTAL_PAGE_CACHE"] = True
    try:
        agency = make_agency()
        make_record(agency, document_number="演测罚〔2026〕缓存号")
        first = client.get(f"/records/export.csv?agency={agency.uscc}")
        assert first.is_streamed
        assert "ETag" not in first.headers
        assert first.headers["Cache-Control"] == "public, max-age=60"
        first.get_data()
        make_record(agency, document_number="演测罚〔2026〕新增号")
        again = client.get(f"/records/export.csv?agency={agency.uscc}").get_data().decode("utf-8")
        assert "新增号" in again
    finally:
        app.config["PORTAL_PAGE_CACHE"] = False


@pytest.mark.parametrize(
    ("page", "endpoint"),
    [
        ("/records/?kind=arrears&severity=serious&page=2", "/records/export"),
        ("/commitments/?type=voluntary", "/commitments/export"),
        ("/outcomes/?result=performed", "/outcomes/export"),
        ("/agencies/?listed=judgment_defaulter", "/agencies/export"),
        ("/complaints/", "/complaints/export"),
    ],
)
def test_each_list_page_links_its_downloads_with_its_filters(client: FlaskClient, page: str, endpoint: str) -> None:
    body = client.get(page).get_data(as_text=True)
    downloads = find(body, "p", class_="downloads")
    assert downloads is not None, page
    hrefs = [href for href in links(downloads) if href.startswith(endpoint)]
    assert [urlsplit(href).path for href in hrefs] == [f"{endpoint}.csv", f"{endpoint}.xlsx", f"{endpoint}.jsonl"]
    asked = {k: v for k, v in parse_qs(urlsplit(page).query).items() if k != "page"}
    for href in hrefs:
        assert parse_qs(urlsplit(href).query) == asked
        assert client.get(href).status_code == 200
    assert "/data/" in links(downloads)


def test_exports_hold_no_more_than_the_list(client: FlaskClient) -> None:
    """Every record of the unfiltered export is public today (the same rule as the list)."""
    rows = read_csv(get_file(client, "/records/export.csv"))
    ids = [int(row["记录编号"]) for row in rows]
    records = db.session.scalars(select(Record).where(Record.id.in_(ids))).all()
    assert len(records) == len(ids)
    assert all(r.is_public(clock.today()) for r in records)


def test_a_records_commitment_is_named_only_when_the_commitment_is_public(client: FlaskClient) -> None:
    """As the record's page: the linked commitment's code only when the commitment itself is public."""
    agency = make_agency()
    public = make_commitment(agency, title="公开的招商承诺")
    private = make_commitment(agency, title="不公开的招商承诺", scope="not_public")
    for commitment in (public, private):
        make_record(agency, kind="investment_promise", commitment_id=commitment.id)
    rows = read_jsonl(get_file(client, f"/records/export.jsonl?kind=investment_promise&agency={agency.uscc}"))
    assert sorted(str(row["commitment_code"]) for row in rows) == sorted([str(public.code), "None"])
