"""The bulletin's public pages: /reports/ lists the published months, /reports/<YYYY-MM> shows one as published (its
figures, tables, notable cases with their links, narrative and dated errata) with its PDF, whose SHA-256 the page
shows and whose text holds the figures; the feeds. A published bulletin is frozen: its page and PDF are the same
bytes after the data changes. A malformed or unpublished month is 404."""

from __future__ import annotations

import calendar
import copy
import hashlib
import io
import re
from datetime import date, timedelta

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from portal.core.months import Month
from portal.extensions import db
from portal.reports.operations import add_erratum, make_draft
from portal.reports.queries import make_figures
from portal.web import format_date
from tests.factories import make_record, make_rectification
from tests.html import find_all, links, one, parse_strict, text_of, title_of, visible_text
from tests.reports.conftest import TODAY, County, publish


def fetch(client: FlaskClient, url: str) -> bytes:
    """The body of a GET answered 200 (a file is streamed from disk: the response is closed)."""
    response = client.get(url)
    try:
        assert response.status_code == 200, (url, response.status_code)
        return response.data
    finally:
        response.close()


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_list_shows_published_months_newest_first(app: Flask, client: FlaskClient, county: County) -> None:
    publish("2026-09", county.staff)
    publish("2026-10", county.staff)
    make_draft(Month(2026, 11), TODAY, by=county.staff)  # a draft is not public
    response = client.get("/reports/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("月度通报")
    months = [text_of(find_all(tr, "td")[0]) for tr in find_all(one(body, "tbody"), "tr")]
    assert months == ["2026-10", "2026-09"]
    alternates = {link.get("type"): link.get("href") for link in find_all(body, "link", rel="alternate")}
    assert alternates == {"application/atom+xml": "/reports/feed.atom", "application/rss+xml": "/reports/feed.rss"}
    assert "/reports/2026-10.pdf" in links(body)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/2026-13",
        "/reports/2026-1",
        "/reports/26-11",
        "/reports/1999-01",
        "/reports/2026-12",
        "/reports/2026-11",
        "/reports/2026-11.pdf",
        "/reports/2026-13.pdf",
        "/reports/x.pdf",
        "/reports/2026-11/",
    ],
)
def test_a_malformed_or_unpublished_month_is_404(app: Flask, client: FlaskClient, county: County, path: str) -> None:
    make_draft(Month(2026, 11), TODAY, by=county.staff)  # drafted, not published
    assert client.get(path).status_code == 404


def test_the_bulletin_page_shows_its_figures_and_links(app: Flask, client: FlaskClient, county: County) -> None:
    bulletin = publish("2026-11", county.staff)
    response = client.get("/reports/2026-11")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith(bulletin.title)
    text = visible_text(body)
    totals = bulletin.figures["totals"]
    new_records = one(body, "div", id="total-new_records")
    assert text_of(new_records) == f"新增失信记录 {totals['new_records']}"
    assert f"截至 2026年11月20日，逾期未整改 {totals['overdue']} 件" in text
    assert "新信用发〔2018〕6号 二(八)；沈政办发〔2018〕117号 二(二)" in text
    # every table has its caption; each cell its column's label (a card on a phone)
    for table in find_all(body, "table"):
        assert table.find("caption") is not None
        for td in find_all(table, "td"):
            assert td.get("data-label")
    row = next(tr for tr in find_all(one(body, "table", id="units-records"), "tr") if "测试甲局" in text_of(tr))
    assert [text_of(td) for td in find_all(row, "td")] == ["测试甲局", "2", "1", "1", "4", "2", "0"]
    assert f"/agencies/{county.a.uscc}" in links(row)
    town = next(tr for tr in find_all(one(body, "table", id="townships-records"), "tr") if "测试镇" in text_of(tr))
    assert [text_of(td) for td in find_all(town, "td")][:3] == ["测试镇人民政府", "3", "3"]
    case = one(body, "li", id=f"case-repayment-{county.arrears.id}")
    assert "测试甲局" in text_of(case)
    assert "20,000.00 元" in text_of(case)
    assert f"/records/{county.arrears.id}" in links(case)
    assert "<strong>正面案例</strong>" in body
    assert "继续督办" in text
    # the PDF it links to is the one stored, under the SHA-256 it shows
    assert bulletin.pdf_sha256 is not None
    assert bulletin.pdf_sha256 in text
    pdf = client.get("/reports/2026-11.pdf")
    pdf.close()
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert hashlib.sha256(fetch(client, "/reports/2026-11.pdf")).hexdigest() == bulletin.pdf_sha256
    english = client.get("/reports/2026-11?lang=en")
    assert english.status_code == 200
    assert bulletin.pdf_sha256 in english.get_data(as_text=True)


def test_the_pdf_holds_the_figures(app: Flask, client: FlaskClient, county: County) -> None:
    bulletin = publish("2026-11", county.staff)
    text = re.sub(r"\s+", "", pdf_text(fetch(client, "/reports/2026-11.pdf")))  # lines wrap anywhere
    totals = bulletin.figures["totals"]
    assert bulletin.title in text
    assert "2026年第11期" in text
    assert "2026年11月20日" in text
    assert f"新增失信记录（条）{totals['new_records']}" in text
    assert f"逾期未整改（件，截至2026年11月20日）{totals['overdue']}" in text
    assert f"收到投诉（件）{totals['complaints_received']}" in text
    assert f"月末{totals['defaulters_listed']}个" in text
    assert "测试甲局211420" in text  # its row of 表8: new 2, fulfilled 1, repaired 1, cleared 4, overdue 2, listed 0
    assert "测试镇人民政府33" in text  # 表10: bodies, new
    assert "测试丙局（本月新列入）" in text
    assert f"记录编号{county.arrears.id}" in text


def test_a_published_bulletin_is_frozen(app: Flask, client: FlaskClient, county: County) -> None:
    bulletin = publish("2026-11", county.staff)
    figures = copy.deepcopy(bulletin.figures)
    page, pdf = fetch(client, "/reports/2026-11"), fetch(client, "/reports/2026-11.pdf")

    # the data changes: a new record, a rectification finished, an agency renamed
    make_record(county.a, decision_date=date(2026, 11, 19))
    make_rectification(
        make_record(county.listed, decision_date=date(2026, 11, 2)), outcome="performed", finished_on=date(2026, 11, 19)
    )
    county.a.name = "测试甲局（已更名）"
    db.session.flush()
    assert make_figures(Month(2026, 11), TODAY) != figures  # the live figures moved …

    assert client.get("/reports/2026-11").data == page  # … the bulletin did not
    assert fetch(client, "/reports/2026-11.pdf") == pdf
    db.session.refresh(bulletin)
    assert bulletin.figures == figures
    assert "测试甲局（已更名）" not in client.get("/reports/2026-11").get_data(as_text=True)


def test_errata_are_dated_and_update_the_feed(app: Flask, client: FlaskClient, county: County) -> None:
    publish("2026-10", county.staff)
    november = publish("2026-11", county.staff)
    atom = feedparser.parse(client.get("/reports/feed.atom").data)
    assert not atom.bozo, atom.bozo_exception
    assert [e.link for e in atom.entries] == ["http://localhost/reports/2026-11", "http://localhost/reports/2026-10"]
    entry = atom.entries[0]
    assert entry.title == november.title
    assert entry.id.endswith(":reports/2026-11")
    before = entry.updated_parsed

    pdf = fetch(client, "/reports/2026-11.pdf")
    erratum = add_erratum(november, "表1中发出函件应为 2 件。", TODAY, by=county.staff)
    assert november.published_at is not None
    erratum.created_at = november.published_at + timedelta(hours=3)  # added some hours after publishing
    db.session.flush()
    page = client.get("/reports/2026-11").get_data(as_text=True)
    errata = one(page, "section", aria_labelledby="errata-heading")
    assert f"{format_date(TODAY)} ：表1中发出函件应为 2 件。" in text_of(errata)
    assert fetch(client, "/reports/2026-11.pdf") == pdf  # the PDF stays as published

    atom = feedparser.parse(client.get("/reports/feed.atom").data)
    entry = atom.entries[0]
    assert entry.updated_parsed > before
    assert "表1中发出函件应为 2 件" in entry.summary
    assert calendar.timegm(entry.updated_parsed) == int(erratum.created_at.timestamp())
    rss = feedparser.parse(client.get("/reports/feed.rss").data)
    assert not rss.bozo, rss.bozo_exception
    assert [e.link for e in rss.entries] == ["http://localhost/reports/2026-11", "http://localhost/reports/2026-10"]
    assert "勘误 1 条" in rss.entries[0].summary
    response = client.get("/reports/feed.atom")
    assert client.get("/reports/feed.atom", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
