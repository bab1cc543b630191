"""The front page of issue 17: the 信用查询 box (a known agency's code opens its 诚信档案, anything else is searched),
the entry tiles, the statistics band (each figure the total of the list it links to), 信用动态, 典型案例 and 政策法规,
in both languages."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from portal.demo.generator import make_uscc
from portal.news.queries import shown_news
from portal.news.rules import NewsKind
from portal.pages.loader import list_pages
from tests.conftest import ROOT, TODAY
from tests.factories import make_agency, make_record, make_rectification
from tests.html import attr, find_all, one, parse_strict, text_of, title_of
from tests.statistics.builders import complaint, list_total, table_rows

today = date.fromisoformat(TODAY)


def home(client: FlaskClient, lang: str = "") -> str:
    response = client.get(f"/?lang={lang}" if lang else "/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def figure(body: str, figure_id: str) -> tuple[int, str]:
    link = one(one(body, "div", id=figure_id), "a")
    return int(text_of(link)), attr(link, "href")


# --- 信用查询 ---------------------------------------------------------------------------------------------------


def test_the_lookup_box_is_a_labelled_search_form(client: FlaskClient) -> None:
    body = home(client)
    form = one(one(body, "section", class_="lookup"), "form")
    assert attr(form, "action") == "/lookup"
    assert attr(form, "method") == "get"
    field = one(form, "input", name="q")
    assert text_of(one(form, "label", for_=attr(field, "id"))) == "机构名称或统一社会信用代码"


@pytest.mark.parametrize("typed", ["{code}", " {code} ", "{lower}", "{spaced}", "{wide}"])
def test_a_known_agencys_code_opens_its_page(client: FlaskClient, typed: str) -> None:
    agency = make_agency(name="测试信用查询的机构")
    code = agency.uscc
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # full-width, as a Chinese input method may type it
    text = typed.format(code=code, lower=code.lower(), spaced=f"{code[:9]} {code[9:]}", wide=wide)
    response = client.get("/lookup", query_string={"q": text})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agencies/{code}"
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "typed",
    [
        "财政局",  # a name
        make_uscc("11", "990121", 99_999_001),  # a valid code no agency has
        "91110000MA00000000",  # not a valid code
        "测试" * 200,  # longer than the box takes: cut, still searched
        "控制\x00字符",
    ],
)
def test_anything_else_is_searched(client: FlaskClient, typed: str) -> None:
    response = client.get("/lookup", query_string={"q": typed})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/search"
    assert parse_qs(location.query)["q"] == [typed.strip()[:200]]
    assert client.get(response.headers["Location"]).status_code in (200, 400)


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20"])
def test_an_empty_lookup_opens_the_search_page(client: FlaskClient, query: str) -> None:
    response = client.get(f"/lookup{query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search"


# --- the entry tiles ----------------------------------------------------------------------------------------------


def test_the_tiles_lead_to_their_pages(client: FlaskClient) -> None:
    tiles = one(home(client), "nav", class_="tiles")
    expected = {
        "失信记录": "/records/",
        "政务承诺": "/commitments/",
        "信用修复": "/pages/credit-repair",
        "异议申诉": "/pages/how-to-complain",
        "我要投诉": "/complaints/new",
        "投诉查询": "/complaints/status",
    }
    found = {text_of(one(a, "strong")): attr(a, "href") for a in find_all(tiles, "a")}
    assert found == expected
    for href in expected.values():
        assert client.get(href).status_code == 200, href


# --- the statistics band ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figure_id", "href"),
    [
        ("figure-records", "/records/"),
        ("figure-overdue", "/records/?case=overdue"),
        ("figure-outcomes", "/outcomes/"),
        ("figure-commitments", "/commitments/"),
        ("figure-published-complaints", "/complaints/"),
    ],
)
def test_each_list_figure_is_the_total_of_the_list_it_links_to(client: FlaskClient, figure_id: str, href: str) -> None:
    make_rectification(make_record(title="首页带数字的逾期记录", status="rectifying"), deadline=date(2026, 11, 1))
    make_rectification(make_record(status="fulfilled"), outcome="performed", finished_on=today, deadline=today)
    complaint(today, answer_due=today, close_due=today, closed_on=today, status="closed").published = True
    before, link = figure(home(client), figure_id)
    assert link == href
    assert list_total(client.get(link).get_data(as_text=True)) == before
    assert before > 0


def test_the_figures_follow_a_change(client: FlaskClient) -> None:
    body = home(client)
    records, overdue = figure(body, "figure-records")[0], figure(body, "figure-overdue")[0]
    make_rectification(make_record(title="又一条逾期未整改的记录", status="rectifying"), deadline=date(2026, 11, 19))
    make_rectification(make_record(title="未逾期的记录", status="rectifying"), deadline=date(2026, 11, 20))
    body = home(client)
    assert figure(body, "figure-records")[0] == records + 2
    assert figure(body, "figure-overdue")[0] == overdue + 1  # past its deadline (新信用发〔2018〕6号 二(五))


def test_this_months_complaints_lead_to_the_statistics_row_that_states_them(client: FlaskClient) -> None:
    complaint(today, answer_due=today, close_due=today)
    received, href = figure(home(client), "figure-complaints-month")
    assert href == "/statistics/#complaints"
    last = table_rows(client.get(href).get_data(as_text=True), "table-complaints")[-1]
    assert last[0].startswith("2026年11月")
    assert int(last[1]) == received
    assert received >= 1


# --- 信用动态, 典型案例, 政策法规, both languages ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_news_cases_and_policies_are_on_the_front_page(client: FlaskClient, lang: str) -> None:
    body = home(client, lang)
    parse_strict(body)
    assert f'<html lang="{"en" if lang == "en" else "zh-CN"}">' in body
    news = shown_news(ROOT / "content", lang, today)
    for list_id, kind, most in (("home-news", NewsKind.UPDATE, 5), ("home-cases", NewsKind.CASE, 3)):
        shown = [(text_of(a), attr(a, "href")) for a in find_all(one(body, "ul", id=list_id), "a")]
        expected = [(n.title, f"/news/{n.slug}") for n in news if n.kind is kind][:most]
        assert shown == expected
        assert expected
    policies = [(text_of(a), attr(a, "href")) for a in find_all(one(body, "ul", id="home-policies"), "a")]
    expected = [
        (p.title, f"/pages/{p.slug}") for p in list_pages(ROOT / "content", lang) if p.slug.startswith("policy-")
    ]
    assert policies == expected
    assert len(policies) >= 5
    hrefs = [attr(a, "href") for a in find_all(body, "a")]
    assert "/news/?kind=update" in hrefs
    assert "/news/?kind=case" in hrefs


def test_the_front_page_has_its_own_description_and_title(client: FlaskClient) -> None:
    body = home(client)
    assert title_of(body).startswith("首页")
    description = attr(one(body, "meta", name="description"), "content")
    assert "信用查询" in description
    assert description != attr(
        one(client.get("/records/").get_data(as_text=True), "meta", name="description"), "content"
    )
