"""What a Chinese government website must show (《政府网站发展指引》, 国办发〔2017〕47号; issue 17): the footer's
主办单位, 承办单位, 联系方式, 网站标识码, ICP备案号 and 公安机关备案号 (each only when set), the site map as a page and
as /sitemap.xml, the accessibility statement, a meta description on every page and a favicon."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.config import ConfigError, load_settings
from portal.extensions import db
from portal.news.queries import news_slugs
from portal.pages.loader import list_pages
from tests.conftest import ROOT
from tests.html import attr, find, find_all, one, parse_strict, text_of, title_of

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FOOTER = {
    "PORTAL_SITE_ORGANISER": "测试县人民政府办公室",
    "PORTAL_SITE_OPERATOR": "测试县信用办",
    "PORTAL_SITE_CONTACT": "电话 0000-1234567",
    "PORTAL_SITE_CODE": "9901210001",
    "PORTAL_SITE_ICP_RECORD": "测ICP备12345678号",
    "PORTAL_SITE_POLICE_RECORD": "测公网安备 99012102000001号",
}


@pytest.fixture
def footer_set(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings({"PORTAL_SECRET_KEY": "x" * 40, "PORTAL_INSTANCE_DIR": "/nonexistent", **FOOTER})
    fields = {name: getattr(settings, name) for name in ("site_organiser", "site_operator", "site_contact")}
    fields |= {name: getattr(settings, name) for name in ("site_code", "site_icp_record", "site_police_record")}
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", dataclasses.replace(app.config["PORTAL_SETTINGS"], **fields))


def footer_fields(body: str) -> dict[str, tuple[str, str, str]]:
    """id -> (label, value, link) of each field the footer shows."""
    footer = one(body, "footer")
    shown = {}
    for div in find_all(footer, "div", id=lambda value: value.startswith("footer-")):
        link = find(div, "a")
        shown[attr(div, "id")] = (
            text_of(one(div, "dt")),
            text_of(one(div, "dd")),
            attr(link, "href") if link is not None else "",
        )
    return shown


@pytest.mark.usefixtures("footer_set")
@pytest.mark.parametrize("path", ["/", "/records/", "/news/", "/pages/about", "/sitemap", "/no-such-page"])
def test_the_footer_shows_each_field_that_is_set(client: FlaskClient, path: str) -> None:
    shown = footer_fields(client.get(path).get_data(as_text=True))
    assert shown == {
        "footer-organiser": ("主办单位", "测试县人民政府办公室", ""),
        "footer-operator": ("承办单位", "测试县信用办", ""),
        "footer-contact": ("联系方式", "电话 0000-1234567", ""),
        "footer-code": ("网站标识码", "9901210001", ""),
        "footer-icp": ("ICP备案号", "测ICP备12345678号", "https://beian.miit.gov.cn/"),
        "footer-police": (
            "公安机关备案号",
            "测公网安备 99012102000001号",
            "https://beian.mps.gov.cn/#/query/webSearch?code=99012102000001",
        ),
    }


def test_by_default_only_the_demo_organiser_is_shown(client: FlaskClient) -> None:
    shown = footer_fields(client.get("/").get_data(as_text=True))
    assert shown == {"footer-organiser": ("主办单位", "演示县社会信用体系建设领导小组办公室（信用办）", "")}


def test_a_field_left_empty_is_not_shown(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], site_organiser="", site_icp_record="测ICP备1号")
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
    body = client.get("/").get_data(as_text=True)
    assert list(footer_fields(body)) == ["footer-icp"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", dataclasses.replace(settings, site_icp_record=""))
    body = client.get("/").get_data(as_text=True)
    assert footer_fields(body) == {}
    assert find(one(body, "footer"), "dl") is None


def test_the_footer_settings_are_read_and_checked() -> None:
    base = {"PORTAL_SECRET_KEY": "x" * 40, "PORTAL_INSTANCE_DIR": "/nonexistent"}
    assert load_settings(base).site_organiser == "演示县社会信用体系建设领导小组办公室（信用办）"
    assert load_settings({**base, "PORTAL_SITE_ORGANISER": ""}).site_organiser == ""
    assert load_settings({**base, "PORTAL_SITE_CODE": " 9901210001 "}).site_code == "9901210001"
    for variable in FOOTER:
        with pytest.raises(ConfigError, match=variable):
            load_settings({**base, variable: "第一行\n第二行"})
        with pytest.raises(ConfigError, match=variable):
            load_settings({**base, variable: "长" * 201})


def test_the_footer_links_the_site_map_and_the_accessibility_statement(client: FlaskClient) -> None:
    footer = one(client.get("/").get_data(as_text=True), "footer")
    hrefs = {text_of(a): attr(a, "href") for a in find_all(footer, "a")}
    assert hrefs["网站地图"] == "/sitemap"
    assert hrefs["无障碍声明"] == "/pages/accessibility"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_accessibility_statement_says_what_is_done_and_how_to_give_feedback(client: FlaskClient, lang: str) -> None:
    body = client.get(f"/pages/accessibility?lang={lang}").get_data(as_text=True)
    parse_strict(body)
    text = text_of(one(body, "main"))
    for words in ("WCAG", "2.1", "JavaScript", "320", "Tell us" if lang == "en" else "反馈"):
        assert words in text


# --- the site map -------------------------------------------------------------------------------------------------


def sitemap_urls(client: FlaskClient) -> list[tuple[str, str | None]]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.content_type == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    found = []
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.findtext(f"{SITEMAP}loc")
        assert loc is not None
        found.append((loc, url.findtext(f"{SITEMAP}lastmod")))
    return found


def test_every_address_in_sitemap_xml_answers_200(client: FlaskClient) -> None:
    urls = sitemap_urls(client)
    locs = [loc for loc, _lastmod in urls]
    assert len(locs) == len(set(locs))
    for loc in locs:
        parts = urlsplit(loc)
        assert parts.scheme == "http"
        assert parts.netloc == "localhost"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        assert client.get(path).status_code == 200, loc


def test_sitemap_xml_holds_every_list_page_news_item_agency_and_commitment(client: FlaskClient) -> None:
    paths = {urlsplit(loc).path: lastmod for loc, lastmod in sitemap_urls(client)}
    for listed in ("/", "/records/", "/commitments/", "/agencies/", "/outcomes/", "/news/", "/reports/", "/pages/"):
        assert listed in paths, listed
    for page in list_pages(ROOT / "content", "zh_CN"):
        assert paths[f"/pages/{page.slug}"] == (page.updated.isoformat() if page.updated else None)
    for slug in news_slugs(ROOT / "content"):
        assert paths[f"/news/{slug}"] is not None
    agencies = db.session.scalars(select(Agency.uscc)).all()
    assert {f"/agencies/{uscc}" for uscc in agencies} <= set(paths)
    public = db.session.scalar(select(func.count()).where(Commitment.public_clause()))
    assert sum(path.startswith("/commitments/") and path != "/commitments/" for path in paths) == public
    assert not any(path.startswith("/records/") and path != "/records/" for path in paths)  # they expire: see queries
    assert not any(path.startswith("/workspace") or path.startswith("/login") for path in paths)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_site_map_page_lists_the_sections_pages_and_news(client: FlaskClient, lang: str) -> None:
    response = client.get(f"/sitemap?lang={lang}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    hrefs = {attr(a, "href") for a in find_all(one(body, "main"), "a")}
    for page in list_pages(ROOT / "content", lang):
        assert f"/pages/{page.slug}" in hrefs
    for slug in news_slugs(ROOT / "content"):
        assert f"/news/{slug}" in hrefs
    assert {"/records/", "/agencies/", "/complaints/new", "/complaints/status", "/sitemap.xml"} <= hrefs
    for href in hrefs - {"/sitemap.xml"}:
        assert client.get(href).status_code == 200, href
    assert title_of(body).startswith("网站地图" if lang == "zh_CN" else "Site map")


# --- meta description and favicon ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/records/", "/agencies/", "/news/", "/sitemap", "/pages/about", "/search"])
def test_every_page_has_one_meta_description(client: FlaskClient, path: str) -> None:
    for lang in ("zh_CN", "en"):
        body = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        metas = find_all(body, "meta", name="description")
        assert len(metas) == 1, path
        content = attr(metas[0], "content")
        assert content == content.strip()
        assert len(content) >= 20


def test_the_favicon_answers_where_browsers_ask(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as ico:
        assert ico.status_code == 200
        assert ico.content_type == "image/vnd.microsoft.icon"
        assert ico.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    body = client.get("/").get_data(as_text=True)
    icons = [attr(link, "href") for link in find_all(body, "link", rel="icon")]
    assert icons == ["/favicon.ico", "/static/favicon.svg"]
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200
        assert svg.content_type.startswith("image/svg+xml")
        ElementTree.fromstring(svg.data)
