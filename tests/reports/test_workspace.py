"""The bulletin in the workspace: staff make a month's draft, edit it, see where the live figures have changed since,
make the figures again, publish it after a confirm step (the PDF rendered once, the 工作台账 item closed) and add
dated errata; bad input gets a 4xx with the message beside its field and writes nothing; a published bulletin
refuses every edit with 409; officers get 403 (新信用发〔2018〕6号 二(八))."""

from __future__ import annotations

import copy
import hashlib
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.core.months import Month
from portal.extensions import db
from portal.files.models import StoredFile
from portal.reports import operations as report_operations
from portal.reports.models import Bulletin
from portal.reports.queries import make_figures
from portal.supervision.models import LedgerItem
from portal.supervision.rules import ClosedHow, LedgerRule
from portal.users.rules import Role
from tests.factories import make_record, make_user
from tests.forms import sign_in
from tests.html import attr, find, find_all, form_fields, forms, one, parse_strict, text_of, title_of, visible_text
from tests.reports.builders import files_dir
from tests.reports.conftest import TODAY, County, publish

INDEX = "/workspace/reports/"
NOV = Month(2026, 11)


# --- helpers ------------------------------------------------------------------------------------------------------


def main_forms(body: str, action: str) -> list[dict[str, str]]:
    """Every field of each post form in <main> that posts to `action`."""
    main = find(body, "main")
    assert main is not None
    return [form_fields(f) for f in forms(main, method="post") if f.get("action") == action]


def post(client: FlaskClient, page: str, action: str, data: dict[str, Any], pick: int = 0) -> TestResponse:
    """Open `page`, fill in its form that posts to `action` (the `pick`-th) with `data`, post it."""
    found = main_forms(client.get(page).get_data(as_text=True), action)
    assert found, f"no form posting to {action} on {page}"
    return client.post(action, data={**found[pick], **data})


def draft_month(client: FlaskClient, month: str) -> TestResponse:
    """Press the list's 起草 button of `month`, or fill in 起草其他月份 for a month not in the list."""
    body = client.get(INDEX).get_data(as_text=True)
    for fields in main_forms(body, "/workspace/reports/draft"):
        if fields.get("month") == month:
            return client.post("/workspace/reports/draft", data=fields)
    fields = next(f for f in main_forms(body, "/workspace/reports/draft") if f.get("month", "") == "")
    return client.post("/workspace/reports/draft", data={**fields, "month": month})


def bulletins() -> int:
    return db.session.scalar(select(func.count(Bulletin.id))) or 0


def audit(action: str, bulletin: Bulletin) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == str(bulletin.id))
        )
    )


def error_beside(body: str, field: str) -> str:
    message = find(body, "p", id=f"{field}-error")
    assert message is not None, f"no error beside {field}"
    return text_of(message)


@pytest.fixture
def staff(client: FlaskClient, county: County) -> County:
    sign_in(client, county.staff)
    return county


def open_item(month: str) -> LedgerItem:
    item = LedgerItem(
        key=f"monthly_bulletin:month:{month}",
        rule=LedgerRule.MONTHLY_BULLETIN,
        agency_id=None,
        subject=f"{month}月度通报",
        subject_type="month",
        opened_on=date(2026, 11, 1),
        due_on=date(2026, 11, 27),
    )
    db.session.add(item)
    db.session.flush()
    return item


# --- the flow --------------------------------------------------------------------------------------------------------


def test_staff_draft_edit_and_publish(app: Flask, client: FlaskClient, staff: County) -> None:
    item = open_item("2026-11")
    listing = client.get(INDEX)
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("月度通报")
    row = next(tr for tr in find_all(body, "tr") if "2026-11" in text_of(tr))
    assert "未起草" in text_of(row)
    assert "2026年11月27日" in text_of(row)

    made = draft_month(client, "2026-11")
    assert made.status_code == 303
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-11"))
    assert bulletin is not None
    assert made.headers["Location"].endswith(f"/workspace/reports/{bulletin.id}")
    assert bulletin.figures == make_figures(NOV, TODAY)
    assert bulletin.figures_as_of == TODAY
    assert bulletin.title == "2026年11月政务失信治理工作情况通报"
    assert f"新增政务失信记录{bulletin.figures['totals']['new_records']}条" in bulletin.summary
    assert len(audit("bulletin.draft", bulletin)) == 1

    page = client.get(made.headers["Location"]).get_data(as_text=True)
    parse_strict(page)
    assert "草稿数据与实时数据一致" in visible_text(page)
    assert "测试甲局" in visible_text(page)

    url = f"/workspace/reports/{bulletin.id}"
    saved = post(
        client,
        url,
        f"{url}/edit",
        {
            "title": "十一月通报",
            "summary": "总体**良好**<script>alert(1)</script>",
            "notable": "",
            "next_steps": "督办",
        },
    )
    assert saved.status_code == 303
    db.session.refresh(bulletin)
    assert (bulletin.title, bulletin.next_steps) == ("十一月通报", "督办")
    page = client.get(url).get_data(as_text=True)
    assert "<strong>良好</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert audit("bulletin.edit", bulletin)[0].changes["title"] == ["2026年11月政务失信治理工作情况通报", "十一月通报"]

    confirm = client.get(f"{url}/publish")
    assert confirm.status_code == 200
    unconfirmed = post(client, f"{url}/publish", f"{url}/publish", {})
    assert unconfirmed.status_code == 400
    assert "请勾选确认后再发布" in visible_text(unconfirmed.get_data(as_text=True))
    db.session.refresh(bulletin)
    assert not bulletin.is_published

    done = post(client, f"{url}/publish", f"{url}/publish", {"checked": "y"})
    assert done.status_code == 303
    db.session.refresh(bulletin)
    assert bulletin.is_published
    assert bulletin.published_on == TODAY
    assert bulletin.published_by_id == staff.staff.id
    stored = db.session.get(StoredFile, bulletin.pdf_sha256)
    assert stored is not None
    pdf = stored.path_in(files_dir()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == bulletin.pdf_sha256
    db.session.refresh(item)
    assert item.closed_on == TODAY
    assert item.closed_how is ClosedHow.MANUAL
    assert item.closed_by_id == staff.staff.id
    assert "月度通报" in item.closed_note
    entry = audit("bulletin.publish", bulletin)[0]
    assert entry.changes["pdf_sha256"] == [None, bulletin.pdf_sha256]
    assert entry.changes["ledger_item_id"] == [None, item.id]
    page = client.get(url).get_data(as_text=True)
    assert bulletin.pdf_sha256 in page
    assert "已登记办结" in visible_text(page)


def test_the_draft_marks_what_the_live_data_changed(app: Flask, client: FlaskClient, staff: County) -> None:
    assert draft_month(client, "2026-11").status_code == 303
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-11"))
    assert bulletin is not None
    url = f"/workspace/reports/{bulletin.id}"
    make_record(staff.a, decision_date=date(2026, 11, 18))  # a third new record for 测试甲局

    page = client.get(url).get_data(as_text=True)
    row = next(tr for tr in find_all(one(page, "table", id="units-records"), "tr") if "测试甲局" in text_of(tr))
    cell = next(td for td in find_all(row, "td") if td.get("data-label") == "新增失信记录")
    assert text_of(cell) == "2 实时：3"
    changes = find(page, "section", aria_labelledby="live-heading")
    assert changes is not None
    lines = [text_of(tr) for tr in find_all(changes, "tr")]
    assert "各单位情况 测试甲局 新增失信记录 2 3" in lines
    total = bulletin.figures["totals"]["new_records"]
    assert f"主要数据 新增失信记录 {total} {total + 1}" in lines
    assert bulletin.figures["totals"]["new_records"] == total  # the draft itself did not move

    remade = post(client, url, f"{url}/figures", {})
    assert remade.status_code == 303
    db.session.refresh(bulletin)
    assert bulletin.figures["totals"]["new_records"] == total + 1
    assert "草稿数据与实时数据一致" in visible_text(client.get(url).get_data(as_text=True))
    assert audit("bulletin.figures", bulletin)[0].changes["figures_changed"][1]


# --- bad input: 4xx and nothing written ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "status", "message"),
    [
        ("2026-13", 400, "请按“2026-11”的格式填写月份"),
        ("2026/11", 400, "请按“2026-11”的格式填写月份"),
        ("", 400, "此项必填"),
        ("2026-12", 400, "2026-12 尚未开始"),  # today is 2026-11-20
        ("2027-01", 400, "尚未开始"),
    ],
)
def test_a_bad_month_is_refused_beside_its_field(
    app: Flask, client: FlaskClient, staff: County, month: str, status: int, message: str
) -> None:
    before = bulletins()
    refused = draft_month(client, month)
    assert refused.status_code == status
    assert message in error_beside(refused.get_data(as_text=True), "month")
    assert bulletins() == before


def test_one_bulletin_per_month(app: Flask, client: FlaskClient, staff: County) -> None:
    assert draft_month(client, "2026-10").status_code == 303
    again = draft_month(client, "2026-10")  # the other-month form: the list no longer offers it
    assert again.status_code == 409
    assert "每月只有一期" in visible_text(again.get_data(as_text=True))
    assert db.session.scalar(select(func.count(Bulletin.id)).where(Bulletin.month == "2026-10")) == 1


def test_a_text_too_long_or_no_title_changes_nothing(app: Flask, client: FlaskClient, staff: County) -> None:
    assert draft_month(client, "2026-11").status_code == 303
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-11"))
    assert bulletin is not None
    url = f"/workspace/reports/{bulletin.id}"
    before = (bulletin.title, bulletin.summary, bulletin.notable, bulletin.next_steps)

    long = post(client, url, f"{url}/edit", {"summary": "长" * 20001, "notable": "新的典型案例"})
    assert long.status_code == 400
    assert "太长了：最多 20000 个字符" in error_beside(long.get_data(as_text=True), "summary")
    untitled = post(client, url, f"{url}/edit", {"title": "  ", "notable": "新的典型案例"})
    assert untitled.status_code == 400
    assert "此项必填" in error_beside(untitled.get_data(as_text=True), "title")
    control = post(client, url, f"{url}/edit", {"title": "标题\x00", "notable": "新的典型案例"})
    assert control.status_code == 400
    db.session.refresh(bulletin)
    assert (bulletin.title, bulletin.summary, bulletin.notable, bulletin.next_steps) == before
    assert audit("bulletin.edit", bulletin) == []

    # a draft's page has no errata form: an erratum posted with another form's tokens
    fields = main_forms(client.get(url).get_data(as_text=True), f"{url}/figures")[0]
    draft_erratum = client.post(f"{url}/errata", data={**fields, "text": "勘误"})
    assert draft_erratum.status_code == 409
    assert "草稿不需要勘误" in visible_text(draft_erratum.get_data(as_text=True))
    assert bulletin.errata == []


def test_a_draft_without_summary_is_not_published(app: Flask, client: FlaskClient, staff: County) -> None:
    assert draft_month(client, "2026-11").status_code == 303
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-11"))
    assert bulletin is not None
    url = f"/workspace/reports/{bulletin.id}"
    assert post(client, url, f"{url}/edit", {"summary": ""}).status_code == 303
    refused = post(client, f"{url}/publish", f"{url}/publish", {"checked": "y"})
    assert refused.status_code == 400
    assert "发布前请填写总体情况" in visible_text(refused.get_data(as_text=True))
    db.session.refresh(bulletin)
    assert not bulletin.is_published
    assert bulletin.pdf_sha256 is None


def test_a_pdf_that_fails_to_render_writes_nothing(
    app: Flask, client: FlaskClient, staff: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = open_item("2026-11")
    assert draft_month(client, "2026-11").status_code == 303
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-11"))
    assert bulletin is not None
    url = f"/workspace/reports/{bulletin.id}"
    files = db.session.scalar(select(func.count()).select_from(StoredFile))

    def broken(html: str) -> bytes:
        raise OSError("fontconfig is gone")

    monkeypatch.setattr(report_operations, "render_pdf", broken)
    failed = post(client, f"{url}/publish", f"{url}/publish", {"checked": "y"})
    assert failed.status_code == 503
    assert "PDF 生成失败" in visible_text(failed.get_data(as_text=True))
    db.session.refresh(bulletin)
    db.session.refresh(item)
    assert not bulletin.is_published
    assert bulletin.pdf_sha256 is None
    assert item.closed_on is None
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == files
    assert audit("bulletin.publish", bulletin) == []


# --- published: frozen, errata only --------------------------------------------------------------------------------


def test_a_published_bulletin_refuses_every_edit(app: Flask, client: FlaskClient, staff: County) -> None:
    bulletin = publish("2026-11", staff.staff)
    url = f"/workspace/reports/{bulletin.id}"
    frozen = (copy.deepcopy(bulletin.figures), bulletin.title, bulletin.summary, bulletin.pdf_sha256)
    page = client.get(url).get_data(as_text=True)
    parse_strict(page)
    assert not main_forms(page, f"{url}/edit")
    assert not main_forms(page, f"{url}/figures")
    token = main_forms(page, f"{url}/errata")[0]  # a page's tokens, posted where the page no longer offers a form

    edited = client.post(f"{url}/edit", data={**token, "title": "改过的标题", "summary": "改过"})
    assert edited.status_code == 409
    assert "已于 2026-11-20 发布，不能再修改" in visible_text(edited.get_data(as_text=True))
    remade = client.post(f"{url}/figures", data=token)
    assert remade.status_code == 409
    again = client.post(f"{url}/publish", data={**token, "checked": "y"})
    assert again.status_code == 409
    assert client.get(f"{url}/publish").status_code == 409
    make_record(staff.a, decision_date=date(2026, 11, 19))
    assert client.get(url).status_code == 200
    db.session.refresh(bulletin)
    assert (bulletin.figures, bulletin.title, bulletin.summary, bulletin.pdf_sha256) == frozen
    assert len(audit("bulletin.publish", bulletin)) == 1

    too_long = post(client, url, f"{url}/errata", {"text": "误" * 2001})
    assert too_long.status_code == 400
    assert "太长了：最多 2000 个字符" in error_beside(too_long.get_data(as_text=True), "text")
    empty = post(client, url, f"{url}/errata", {"text": "  "})
    assert empty.status_code == 400
    assert bulletin.errata == []
    added = post(client, url, f"{url}/errata", {"text": "表8中测试甲局的新增失信记录应为 3 条。"})
    assert added.status_code == 303
    db.session.refresh(bulletin)
    assert [(e.dated_on, e.text) for e in bulletin.errata] == [(TODAY, "表8中测试甲局的新增失信记录应为 3 条。")]
    assert audit("bulletin.erratum", bulletin)[0].changes["text"] == [None, "表8中测试甲局的新增失信记录应为 3 条。"]
    assert (bulletin.figures, bulletin.pdf_sha256) == (frozen[0], frozen[3])


def test_the_same_publish_posted_twice_publishes_once(app: Flask, client: FlaskClient, staff: County) -> None:
    assert draft_month(client, "2026-11").status_code == 303
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-11"))
    assert bulletin is not None
    url = f"/workspace/reports/{bulletin.id}/publish"
    fields = {**main_forms(client.get(url).get_data(as_text=True), url)[0], "checked": "y"}
    assert client.post(url, data=fields).status_code == 303
    twice = client.post(url, data=fields)
    assert twice.status_code == 303
    assert twice.headers["Location"].endswith(f"/workspace/reports/{bulletin.id}")
    assert len(audit("bulletin.publish", bulletin)) == 1


# --- the ledger and the dashboard ----------------------------------------------------------------------------------


def test_publishing_the_current_month_before_the_daily_job_leaves_its_item_closed(app: Flask, county: County) -> None:
    assert db.session.scalar(select(LedgerItem).where(LedgerItem.key == "monthly_bulletin:month:2026-11")) is None
    publish("2026-11", county.staff)
    item = db.session.scalar(select(LedgerItem).where(LedgerItem.key == "monthly_bulletin:month:2026-11"))
    assert item is not None
    assert item.closed_on == TODAY
    assert item.closed_how is ClosedHow.MANUAL
    assert item.due_on == date(2026, 11, 27)
    assert item.rule is LedgerRule.MONTHLY_BULLETIN
    from portal.supervision.operations.ledger import refresh_ledger

    refresh_ledger(TODAY)  # the daily job finds it closed and leaves it so
    db.session.refresh(item)
    assert item.closed_on == TODAY
    publish("2026-09", county.staff)  # a past month: the job opens none, nor does publishing
    assert db.session.scalar(select(LedgerItem).where(LedgerItem.key == "monthly_bulletin:month:2026-09")) is None


def test_the_dashboard_counts_this_months_bulletin_until_published(
    app: Flask, client: FlaskClient, staff: County
) -> None:
    assert "本月月度通报尚未发布：1" in visible_text(client.get("/workspace/").get_data(as_text=True))
    publish("2026-11", staff.staff)
    assert "本月月度通报尚未发布：0" in visible_text(client.get("/workspace/").get_data(as_text=True))


# --- access --------------------------------------------------------------------------------------------------------


def test_officers_are_refused_and_visitors_sent_to_login(app: Flask, client: FlaskClient, county: County) -> None:
    bulletin = publish("2026-10", county.staff)
    urls = [INDEX, f"/workspace/reports/{bulletin.id}", f"/workspace/reports/{bulletin.id}/publish"]
    for url in urls:
        assert client.get(url).status_code == 302
    sign_in(client, make_user(Role.OFFICER))
    for url in urls:
        assert client.get(url).status_code == 403
    links = [attr(a, "href") for a in find_all(client.get("/workspace/").get_data(as_text=True), "a")]
    assert not [href for href in links if href.startswith(INDEX)]  # (the public /reports/ is in every menu)
    sign_in(client, make_user(Role.ADMIN))
    assert client.get(INDEX).status_code == 200
    assert client.get("/workspace/reports/2147483647").status_code == 404
