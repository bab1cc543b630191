"""Bulk import in the workspace (staff and admins): a CSV or XLSX file in an export's own columns; the dry run lists
every row's outcome with errors by row and column and writes nothing; the write creates every new row through the
registry's and the records' operations (audited, in the search outbox), all or nothing; the same file again changes
nothing; a file over the limit is 413."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal import clock
from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.demo.generator import make_uscc
from portal.extensions import db
from portal.opendata import workspace
from portal.opendata.datasets import AGENCIES, RECORDS_BY_KIND
from portal.opendata.operations import RowResult, import_file
from portal.opendata.tables import read_table
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_record, make_user
from tests.forms import hidden_fields, multipart, post_files, sign_in
from tests.html import find, find_all, one, parse_strict, text_of, visible_text
from tests.opendata.conftest import csv_bytes, xlsx_bytes

PENALTY = RECORDS_BY_KIND["administrative_penalty"]
DEFAULTER = RECORDS_BY_KIND["judgment_defaulter"]
URL = "/workspace/import/"


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def penalty_row(agency: Agency, number: str, **changes: str) -> dict[str, str]:
    return {
        "agency_name": agency.name,
        "agency_uscc": agency.uscc,
        "decision_number": number,
        "violation_type": "拖延办理项目审批",
        "violation_facts": "经查，事实清楚。\n证据确凿。",
        "legal_basis": "《中华人民共和国行政处罚法》",
        "penalty_category": "罚款",
        "penalty_content": "责令限期改正，并处罚款",
        "fine": "1.5",
        "decided_on": "2026-10-01",
        "penalty_authority": "演示市市场监督管理局",
        "title": f"{agency.name}受到行政处罚 · {number}",
        "severity": "一般",
        "deciding_authority": "演示市市场监督管理局",
        "source_unit": "演示县信用办",
        "document_number": number,
        "decision_date": "2026-10-01",
    } | changes


def agency_row(uscc: str, name: str, **changes: str) -> dict[str, str]:
    return {
        "uscc": uscc,
        "name": name,
        "kind": "政府部门",
        "region_code": "990121",
        "region_name": "演示县",
    } | changes


def upload(client: FlaskClient, dataset: str, data: bytes, name: str = "data.csv") -> TestResponse:
    return post_files(client, URL, {"dataset": dataset}, {"file": [(data, name)]})


def write(client: FlaskClient, dry_run: TestResponse) -> TestResponse:
    body = dry_run.get_data(as_text=True)
    return client.post(f"{URL}write", data=hidden_fields(body))


def row_problems(body: str, line: int) -> list[str]:
    row = one(body, "tr", id=f"row-{line}")
    return [text_of(item).replace(" ：", "：") for item in find_all(row, "li")]


def row_result(body: str, line: int) -> str:
    return text_of(find_all(one(body, "tr", id=f"row-{line}"), "td")[2])


def test_staff_have_the_import_page_in_their_menu(client: FlaskClient, staff: User) -> None:
    nav = find(client.get("/workspace/").get_data(as_text=True), "nav", class_="workspace-nav")
    assert nav is not None
    assert "批量导入" in visible_text(nav)
    page = client.get(URL)
    assert page.status_code == 200
    parse_strict(page.get_data(as_text=True))
    assert "/data/dictionary" in page.get_data(as_text=True)


def test_officers_cannot_import(client: FlaskClient) -> None:
    sign_in(client, make_user(Role.OFFICER))
    assert client.get(URL).status_code == 403


def test_a_dry_run_lists_every_row_and_writes_nothing(client: FlaskClient, staff: User) -> None:
    existing = make_agency(name="演示县已登记局")
    exported = {  # the registered agency as its export row: unchanged
        "uscc": existing.uscc,
        "name": existing.name,
        "kind": "政府部门",
        "region_code": "990121",
        "region_name": "演示县",
    }
    new = [
        agency_row(make_uscc("11", "990121", 880_001), "演示县新局甲"),
        agency_row(make_uscc("11", "990121", 880_002), "演示县新局乙"),
    ]
    agencies_before, audit_before = count(Agency), count(AuditEntry)
    response = upload(client, "agencies", csv_bytes(AGENCIES, [new[0], exported, new[1]]))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "共 3 行：新增 2 行，未变化 1 行，有错误 0 行" in visible_text(one(body, "p", id="import-summary"))
    assert [row_result(body, line) for line in (2, 3, 4)] == ["新增", "未变化", "新增"]
    assert count(Agency) == agencies_before
    assert count(AuditEntry) == audit_before
    assert "确认导入 2 行新数据" in visible_text(body)


def test_the_write_goes_through_the_operations_and_the_same_file_again_changes_nothing(
    client: FlaskClient, staff: User
) -> None:
    parent_code, child_code = make_uscc("11", "990121", 880_011), make_uscc("11", "990121", 880_012)
    data = csv_bytes(  # the parent comes after its child: created first all the same
        AGENCIES,
        [
            agency_row(
                child_code, "演示县新设中心", kind="事业单位", parent_uscc=parent_code, legal_representative="王五"
            ),
            agency_row(parent_code, "演示县新设局"),
        ],
    )
    dry_run = upload(client, "agencies", data)
    written = write(client, dry_run)
    assert written.status_code == 303
    assert written.headers["Location"].endswith(URL)
    child = db.session.scalar(select(Agency).where(Agency.uscc == child_code))
    parent = db.session.scalar(select(Agency).where(Agency.uscc == parent_code))
    assert child is not None
    assert parent is not None
    assert child.parent_id == parent.id
    assert child.kind == "institution"
    assert child.legal_representative == "王五"
    creates = db.session.scalars(
        select(AuditEntry.entity_id).where(AuditEntry.action == "agency.create", AuditEntry.actor_id == staff.id)
    ).all()
    assert sorted(creates) == sorted([str(child.id), str(parent.id)])
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "opendata.import")).all()
    assert entry.changes["new"] == [None, 2]
    assert entry.entity_id == "agencies"
    assert entry.changes["file"] == [None, hashlib.sha256(data).hexdigest()]
    outbox = set(db.session.scalars(select(OutboxEntry.item_key)))
    assert {f"agency:{child_code}", f"agency:{parent_code}"} <= outbox
    flashed = client.get(URL).get_data(as_text=True)
    assert "已导入 2 条新数据" in visible_text(flashed)

    counts = count(Agency), count(AuditEntry), count(OutboxEntry)
    again = upload(client, "agencies", data)
    body = again.get_data(as_text=True)
    assert "新增 0 行，未变化 2 行" in visible_text(body)
    assert "文件中没有新数据" in visible_text(body)
    assert find(body, "form", action=f"{URL}write") is None  # nothing to confirm
    assert write(client, dry_run).status_code == 303  # the first write form posted twice: sent to what it did
    report = import_file(AGENCIES, data, clock.today(), by=staff, write=True, source="again")
    assert report.written
    assert report.count(RowResult.UNCHANGED) == 2
    assert (count(Agency), count(AuditEntry), count(OutboxEntry)) == counts


def test_records_are_written_as_typed_records_are(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    rows = [
        penalty_row(agency, "演测罚〔2026〕801号"),
        penalty_row(agency, "演测罚〔2026〕802号", fine="", summary="摘要"),
    ]
    assert write(client, upload(client, "records-administrative_penalty", csv_bytes(PENALTY, rows))).status_code == 303
    records = db.session.scalars(select(Record).where(Record.agency_id == agency.id).order_by(Record.id)).all()
    assert [r.document_number for r in records] == ["演测罚〔2026〕801号", "演测罚〔2026〕802号"]
    first = records[0]
    assert first.kind == "administrative_penalty"
    assert first.details["fine"] == 1_500_000  # 1.5 万元 in fen
    assert first.details["decided_on"] == "2026-10-01"
    assert first.details["violation_facts"] == "经查，事实清楚。\n证据确凿。"
    assert "fine" not in records[1].details
    assert records[1].summary == "摘要"
    assert first.status == "public"
    assert first.publication_start.isoformat() == "2026-11-20"  # published from the day of the import
    for record in records:
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "record.create", AuditEntry.entity_id == str(record.id))
        )
    assert {f"record:{r.id}" for r in records} <= set(db.session.scalars(select(OutboxEntry.item_key)))
    assert client.get(f"/records/{first.id}").status_code == 200


def test_errors_stand_by_row_and_column_and_nothing_is_written(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    stored = make_record(agency, document_number="演测罚〔2026〕已有号", title="已有的标题")
    bad_check = agency.uscc[:17] + ("0" if agency.uscc[17] != "0" else "1")
    rows = [
        penalty_row(agency, "演测罚〔2026〕901号", agency_uscc=bad_check),
        penalty_row(agency, "演测罚〔2026〕902号", agency_uscc=make_uscc("11", "990121", 880_099)),
        penalty_row(agency, "演测罚〔2026〕903号", decided_on="2026-12-01"),
        penalty_row(agency, "演测罚〔2026〕904号"),
        penalty_row(agency, "演测罚〔2026〕904号"),
        penalty_row(agency, "演测罚〔2026〕905号", fine="5万元"),
        penalty_row(agency, stored.document_number),
        penalty_row(agency, "演测罚〔2026〕906号", severity="很严重", decision_date="2026-02-30"),
        penalty_row(agency, "演测罚〔2026〕907号", agency_name="别的名称"),
        penalty_row(agency, "演测罚〔2026〕908号"),
    ]
    before = count(Record), count(AuditEntry)
    response = upload(client, "records-administrative_penalty", csv_bytes(PENALTY, rows))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "有 8 行有错误，未导入任何数据" in visible_text(body)
    assert "统一社会信用代码：校验位不符" in row_problems(body, 2)[0]
    assert "机构名录中没有这个统一社会信用代码" in row_problems(body, 3)[0]
    assert row_problems(body, 4) == ["处罚决定日期：日期不能晚于今天（2026-11-20）"]
    assert row_result(body, 5) == "新增"
    assert row_problems(body, 6) == ["文书编号：与第 5 行重复"]
    assert row_problems(body, 7)[0].startswith("罚款金额（万元）：金额不能带单位")
    assert f"已有文书编号相同的记录（编号 {stored.id}），这些列不同：" in row_problems(body, 8)[0]
    assert "标题" in row_problems(body, 8)[0]
    assert [p.split("：")[0] for p in row_problems(body, 9)] == ["严重程度", "决定日期"]
    assert "与名录不符" in row_problems(body, 10)[0]
    assert row_result(body, 11) == "新增"
    assert find(body, "form", action=f"{URL}write") is None  # nothing to confirm
    assert (count(Record), count(AuditEntry)) == before


def test_dates_out_of_order_and_a_window_already_over(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    row = {
        "agency_uscc": agency.uscc,
        "case_number": "（2026）演0121执9001号",
        "court": "演示县人民法院",
        "basis_document": "（2025）演0121民初9001号",
        "basis_issuer": "演示县人民法院",
        "filed_on": "2026-09-01",
        "obligation": "支付合同款",
        "performance": "全部未履行",
        "default_circumstance": "有履行能力而拒不履行",
        "published_on": "2026-08-01",
        "title": "列为失信被执行人",
        "severity": "轻微",
        "deciding_authority": "演示县人民法院",
        "source_unit": "演示县信用办",
        "document_number": "（2026）演0121执9001号",
        "decision_date": "2026-08-15",
    }
    body = upload(client, "records-judgment_defaulter", csv_bytes(DEFAULTER, [row])).get_data(as_text=True)
    assert row_problems(body, 2) == ["决定日期：决定日期不能早于立案时间", "发布时间：发布时间不能早于立案时间"]
    late = row | {"filed_on": "2026-01-05", "published_on": "2026-08-01", "decision_date": "2026-01-10"}
    body = upload(client, "records-judgment_defaulter", csv_bytes(DEFAULTER, [late])).get_data(as_text=True)
    (problem,) = row_problems(body, 2)  # a minor record of January: its 3 months ended in April
    assert problem.startswith("决定日期：按此决定日期和严重程度，最长公示期已于 2026-04-10 届满")


def test_a_file_without_a_required_column_is_refused_as_a_whole(client: FlaskClient, staff: User) -> None:
    data = "\ufeff统一社会信用代码,机构名称\r\n11990121MB1234567X,某局\r\n".encode()
    response = upload(client, "agencies", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "缺少必填的列：机构类型、行政区划代码、行政区划名称" in visible_text(body)


@pytest.mark.parametrize(
    ("data", "name", "said"),
    [
        (b"%PDF-1.4 not a table", "x.csv", "无法识别文件"),
        (b"PK\x03\x04broken", "x.xlsx", "不是可以打开的 XLSX 工作簿"),
        (b"", "x.csv", "请选择要上传的文件"),
        (b"\xef\xbb\xbf", "x.csv", "文件是空的"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_beside_the_field(
    client: FlaskClient, staff: User, data: bytes, name: str, said: str
) -> None:
    if not data:  # no file chosen at all
        page = client.get(URL).get_data(as_text=True)
        response = client.post(URL, data={**hidden_fields(page), "dataset": "agencies"})
    else:
        response = upload(client, "agencies", data, name)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    message = one(body, "p", class_="field-error-message", id="file-error")
    assert said in text_of(message)
    assert "file-error" in one(body, "input", id="file").get("aria-describedby", "")


def test_no_dataset_chosen(client: FlaskClient, staff: User) -> None:
    response = post_files(client, URL, {}, {"file": [(csv_bytes(AGENCIES, []), "a.csv")]})
    assert response.status_code == 400
    assert "请选择要导入的数据" in text_of(one(response.get_data(as_text=True), "p", id="dataset-error"))


def test_xlsx_and_gb18030_files_are_read(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    row: dict[str, Any] = penalty_row(agency, "演测罚〔2026〕701号")
    row |= {"fine": 1.5, "decided_on": date(2026, 10, 1), "decision_date": date(2026, 10, 1)}
    body = upload(client, "records-administrative_penalty", xlsx_bytes(PENALTY, [row]), "x.xlsx").get_data(as_text=True)
    assert row_result(body, 2) == "新增"
    code = make_uscc("11", "990121", 880_021)
    gbk = csv_bytes(AGENCIES, [agency_row(code, "演示县编码测试局")], encoding="gb18030")
    body = upload(client, "agencies", gbk).get_data(as_text=True)
    assert row_result(body, 2) == "新增"


def test_agency_parents_must_exist_and_make_no_loop(client: FlaskClient, staff: User) -> None:
    a, b, c = (make_uscc("11", "990121", 880_030 + n) for n in range(3))
    closed = make_agency(status="closed")
    rows = [
        agency_row(a, "甲", parent_uscc=b),
        agency_row(b, "乙", parent_uscc=a),
        agency_row(c, "丙", parent_uscc=make_uscc("11", "990121", 880_039)),
        agency_row(make_uscc("11", "990121", 880_040), "丁", parent_uscc=closed.uscc),
    ]
    body = upload(client, "agencies", csv_bytes(AGENCIES, rows)).get_data(as_text=True)
    assert row_problems(body, 2) == ["上级机构统一社会信用代码：上级机构关系形成循环"]
    assert row_problems(body, 3) == ["上级机构统一社会信用代码：上级机构关系形成循环"]
    assert row_problems(body, 4) == ["上级机构统一社会信用代码：上级机构未登记，也不在本文件中"]
    assert row_problems(body, 5) == ["上级机构统一社会信用代码：该机构已撤销或合并，不能作为上级机构"]


def test_a_change_between_dry_run_and_write_writes_nothing(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    rows = [penalty_row(agency, "演测罚〔2026〕601号"), penalty_row(agency, "演测罚〔2026〕602号")]
    dry_run = upload(client, "records-administrative_penalty", csv_bytes(PENALTY, rows))
    assert dry_run.status_code == 200
    make_record(agency, document_number="演测罚〔2026〕602号", title="别人刚录入的")  # meanwhile
    before = count(Record), count(AuditEntry), count(OutboxEntry)
    response = write(client, dry_run)
    assert response.status_code == 409
    assert "已有文书编号相同的记录" in visible_text(response.get_data(as_text=True))
    assert (count(Record), count(AuditEntry), count(OutboxEntry)) == before  # not even the first row


def test_the_write_needs_the_token_issued_to_this_user(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    data = csv_bytes(PENALTY, [penalty_row(agency, "演测罚〔2026〕501号")])
    dry_run = upload(client, "records-administrative_penalty", data)
    fields = hidden_fields(dry_run.get_data(as_text=True))
    assert client.post(f"{URL}write", data=fields | {"upload": "forged"}).status_code == 400
    sign_in(client, make_user(Role.STAFF))  # another staff member with the same token
    assert client.post(f"{URL}write", data=fields).status_code == 400
    assert db.session.scalar(select(Record).where(Record.document_number == "演测罚〔2026〕501号")) is None


def test_a_file_over_the_limit_is_413(client: FlaskClient, staff: User, monkeypatch: pytest.MonkeyPatch) -> None:
    page = client.get(URL).get_data(as_text=True)
    body, content_type = multipart(
        {**hidden_fields(page), "dataset": "agencies"}, {"file": [(b"x" * (22 * 1024 * 1024), "big.csv")]}
    )
    assert client.post(URL, data=body, content_type=content_type).status_code == 413
    monkeypatch.setattr(workspace, "WEB_MOST_ROWS", 2)
    rows = [agency_row(make_uscc("11", "990121", 880_050 + n), f"局{n}") for n in range(3)]
    response = upload(client, "agencies", csv_bytes(AGENCIES, rows))
    assert response.status_code == 413
    message = text_of(one(response.get_data(as_text=True), "p", id="file-error"))
    assert "超过 2 行" in message
    assert "flask --app portal opendata import" in message


def bombed(workbook: bytes) -> bytes:
    """The workbook with its sheet made an XML entity bomb ("billion laughs")."""
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = bomb.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("build", "said"),
    [
        (lambda: bombed(xlsx_bytes(AGENCIES, [])), "不是可以打开的 XLSX 工作簿"),
        (
            lambda: csv_bytes(AGENCIES, [agency_row(make_uscc("11", "990121", 880_060), "长" * 140_000)]),
            "无法按 CSV 读取",
        ),
    ],
)
def test_an_xml_bomb_or_a_broken_table_is_refused_not_read(
    client: FlaskClient, staff: User, build: Any, said: str
) -> None:
    response = upload(client, "agencies", build(), "x.xlsx")
    assert response.status_code == 400
    assert said in text_of(one(response.get_data(as_text=True), "p", id="file-error"))


def test_a_record_no_longer_published_is_not_imported_again(client: FlaskClient, staff: User) -> None:
    """A repaired or revoked record's 文书编号 is taken: importing it again would publish what was stopped."""
    agency = make_agency()
    make_record(agency, document_number="演测罚〔2026〕撤销号", status="revoked", stopped_on=date(2026, 11, 2))
    data = csv_bytes(PENALTY, [penalty_row(agency, "演测罚〔2026〕撤销号")])
    body = upload(client, "records-administrative_penalty", data).get_data(as_text=True)
    (problem,) = row_problems(body, 2)
    assert problem.startswith("文书编号：该文书编号的记录")
    assert "已于 2026-11-02 停止公示（已撤销），不能再次导入" in problem


def test_a_workbook_claiming_every_cell_is_read_as_written() -> None:
    """Found by review: a 5 KB workbook whose <dimension> claims A1:XFD1048576 was padded to 16,384 cells a row,
    so reading it took many minutes instead of being refused or read at once."""
    workbook = Workbook()
    for row in (["统一社会信用代码", "机构名称"], ["x", "y"]):
        workbook.active.append(row)
    saved = io.BytesIO()
    workbook.save(saved)
    data = saved.getvalue()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode("utf-8")
                if "<dimension" in text:
                    start = text.index("<dimension")
                    text = text[:start] + '<dimension ref="A1:XFD1048576"/>' + text[text.index("/>", start) + 2 :]
                else:
                    text = text.replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>', 1)
                content = text.encode("utf-8")
            bomb.writestr(item, content)
    assert len(out.getvalue()) < 10_000
    table = read_table(out.getvalue())
    assert table.headers == ["统一社会信用代码", "机构名称"]
    assert [cells for _line, cells in table.rows] == [["x", "y"]]
