"""The content pages say what the policy documents ask, clause by clause, and what the portal really does: every
policy summary names its clauses and, for each, links the public page that carries it out or says it is not yet
done (or staff only); rules are credited to the document they come from; and every link in every content page, in
both languages, answers 200 (with the section it points at)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.measures.rules import MeasureKind
from portal.pages.loader import ContentPage, load_page
from portal.records.models import Record
from portal.rectifications.rules import Outcome
from tests.html import find, find_all, links, one, text_of, visible_text

CONTENT = Path(__file__).resolve().parents[2] / "content"
SLUGS = sorted(p.name.split(".")[0] for p in CONTENT.glob("*.md") if p.name.count(".") == 1)
LANGS = ("zh_CN", "en")

# The five local documents (../shared/policy/) and the clauses each summary must head a section with.
POLICIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "policy-sizheng-2018-145": ("泗政秘〔2018〕145号", ("(三)", "(四)", "(六)", "(七)", "(八)", "(十四)")),
    "policy-xinxinyong-2018-6": (
        "新信用发〔2018〕6号",
        ("二(一)", "二(二)", "二(三)", "二(四)", "二(五)", "二(六)", "二(七)", "二(八)", "二(九)"),
    ),
    "policy-taixinyong-2022-12": (
        "泰信用办〔2022〕12号",
        ("一", "二(一)", "二(二)", "二(三)", "二(四)", "二(五)", "二(六)", "三(四)"),
    ),
    "policy-shenzhengbanfa-2018-117": (
        "沈政办发〔2018〕117号",
        ("一(一)", "一(三)", "一(五)", "二(二)", "二(三)1", "二(三)2", "二(三)3", "三(三)"),
    ),
    "policy-rudong-2020": (
        "如东县政务失信防范治理长效管理办法",
        ("三(一)", "三(二)", "三(三)", "四(一)", "四(二)", "四(三)", "五(二)", "五(四)"),
    ),
}
# Words that say a mechanism has no public page: not done yet, or done in the staff's workspace only.
NOT_PUBLIC = ("暂未实现", "仅工作人员", "not yet", "staff only", "only staff")

# Rules that come from one document: wherever another page mentions one, it names its source.
SOURCES = [
    (
        re.compile(r"(?<!\d)7 ?个工作日|(?<!\d)7[ -]working[ -]day"),
        "policy-taixinyong-2022-12",
        ("泰信用办〔2022〕12号", "Tai Xinyong Ban"),
    ),
    (
        re.compile(r"月底前一个工作日|working day before the (end of each month|month’s last day)"),
        "policy-xinxinyong-2018-6",
        ("新信用发〔2018〕6号", "Xin Xinyong Fa"),
    ),
]


def page(slug: str, lang: str) -> ContentPage:
    loaded = load_page(CONTENT, slug, lang)
    assert loaded is not None
    return loaded


def sections(article: ET.Element) -> dict[str, list[ET.Element]]:
    """Each <h3>'s text and the elements after it up to the next heading."""
    found: dict[str, list[ET.Element]] = {}
    current: list[ET.Element] | None = None
    for element in article:
        if element.tag == "h3":
            current = found.setdefault(text_of(element), [])
        elif element.tag in ("h1", "h2"):
            current = None
        elif current is not None:
            current.append(element)
    return found


def blocks(slug: str, lang: str) -> list[str]:
    """The page's summary and the text of each paragraph, list item and table cell of its body."""
    shown = page(slug, lang)
    body = ET.fromstring(f"<div>{shown.html}</div>")
    return [shown.summary, *(text_of(e) for e in body.iter() if e.tag in ("p", "li", "td"))]


def test_every_local_document_has_its_summary_in_both_languages() -> None:
    for slug in POLICIES:
        assert (CONTENT / f"{slug}.md").is_file(), slug
        assert (CONTENT / f"{slug}.en.md").is_file(), slug


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", sorted(POLICIES))
def test_a_policy_page_heads_a_section_with_each_clause(client: FlaskClient, slug: str, lang: str) -> None:
    number, clauses = POLICIES[slug]
    shown = page(slug, lang)
    assert number in shown.title
    assert shown.summary, "the page list and the front page show the summary"
    article = one(client.get(f"/pages/{slug}?lang={lang}").get_data(as_text=True), "article")
    headings = list(sections(article))
    for clause in clauses:
        assert any(re.search(rf"(?:^|[、\s]){re.escape(clause)}(?![(\d])", h) for h in headings), (clause, headings)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", sorted(POLICIES))
def test_each_mechanism_links_its_public_page_or_says_it_has_none(client: FlaskClient, slug: str, lang: str) -> None:
    article = one(client.get(f"/pages/{slug}?lang={lang}").get_data(as_text=True), "article")
    for heading, elements in sections(article).items():
        hrefs = [href for e in elements for href in links(e)]
        said = " ".join(visible_text(e) for e in elements).lower()
        assert any(h.startswith("/") for h in hrefs) or any(w in said for w in NOT_PUBLIC), heading
        assert not any("/workspace/" in h for h in hrefs), heading  # the public cannot open those


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", SLUGS)
def test_a_rule_is_credited_to_the_document_it_comes_from(slug: str, lang: str) -> None:
    for pattern, source, names in SOURCES:
        if slug == source:
            continue
        for text in blocks(slug, lang):
            if pattern.search(text):
                assert any(name in text for name in names), text


def test_the_county_rules_of_2020_are_not_credited_with_time_limits() -> None:
    for lang in LANGS:
        text = " ".join(blocks("policy-rudong-2020", lang))
        assert "没有规定天数时限" in text or "set no time limits in days" in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_methodology_lists_the_outcomes_and_measures_the_portal_has(client: FlaskClient, lang: str) -> None:
    body = client.get(f"/pages/methodology?lang={lang}").get_data(as_text=True)
    text = visible_text(one(body, "article"))
    assert "每条记录都有整改信息" not in text
    assert "Every record carries rectification details" not in text
    with force_locale(lang):
        outcomes = {str(o.label).lower() for o in Outcome}
        measures = [str(k.label).lower() for k in MeasureKind]
    paragraph = next(p for p in find_all(body, "p") if "销案" in text_of(p))
    assert {text_of(s).lower() for s in find_all(paragraph, "strong")} == outcomes  # 逾期未整改 is never one
    assert all(measure in text.lower() for measure in measures), measures


def test_a_record_without_a_plan_says_so_as_the_methodology_does(client: FlaskClient) -> None:
    assert "尚未登记整改信息" in visible_text(one(client.get("/pages/methodology").get_data(as_text=True), "article"))
    record = db.session.scalar(
        select(Record).where(Record.public_clause(clock.today()), ~Record.rectification.has()).limit(1)
    )
    assert record is not None, "the demo data has no public record without a plan"
    shown = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    assert "尚未登记整改信息" in shown
    assert "整改期限" not in shown


@pytest.mark.parametrize("lang", LANGS)
def test_the_about_page_promises_only_what_exists(client: FlaskClient, lang: str) -> None:
    """Open data (issue 15) is promised with links to what serves it, and each of them answers."""
    article = one(client.get(f"/pages/about?lang={lang}").get_data(as_text=True), "article")
    hrefs = links(article)
    for served in ("/data/", "/data/dictionary", "/pages/open-data-licence", "/developers/"):
        assert served in hrefs
        assert client.get(served).status_code == 200, served
    assert client.get("/records/export.csv").status_code == 200


@pytest.mark.parametrize("lang", LANGS)
def test_the_complaints_page_sends_people_to_the_forms(client: FlaskClient, lang: str) -> None:
    hrefs = links(one(client.get(f"/pages/how-to-complain?lang={lang}").get_data(as_text=True), "article"))
    for form in ("/complaints/new", "/complaints/status", "/objections/status"):
        assert form in hrefs
    text = visible_text(client.get(f"/pages/how-to-complain?lang={lang}").get_data(as_text=True))
    assert "正在建设中" not in text
    assert "being built" not in text


def _content_links() -> list[tuple[str, str, str]]:
    found = []
    for slug in SLUGS:
        for lang in LANGS:
            for href in links(f"<div>{page(slug, lang).html}</div>"):
                found.append((slug, lang, href))
    return found


CONTENT_LINKS = _content_links()
INTERNAL = sorted({(lang, href) for _, lang, href in CONTENT_LINKS if href.startswith("/")})


def test_content_links_are_internal_or_https() -> None:
    assert INTERNAL
    for slug, _, href in CONTENT_LINKS:
        assert (href.startswith("/") and not href.startswith("//")) or href.startswith("https://"), (slug, href)


@pytest.mark.parametrize(("lang", "href"), INTERNAL)
def test_every_internal_link_of_the_content_pages_answers(client: FlaskClient, lang: str, href: str) -> None:
    path, _, fragment = href.partition("#")
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    assert response.status_code == 200, href
    if fragment:
        assert find(response.get_data(as_text=True), id=fragment) is not None, href
