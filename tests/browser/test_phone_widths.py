"""Every public page on a phone (issue 17): at 320, 360, 390 and 414 px, in Chinese and in English, nothing scrolls
sideways — document.documentElement.scrollWidth stays within the screen — and a failure names the page, the width
and the element that sticks out furthest. axe runs at each width on a few representative pages.

The pages come from the app's URL map: every GET route outside /workspace/ that answers a page (not a feed, PDF,
JSON or XML file). A route with parameters is filled from the links the public pages themselves carry (the demo
county's real ids, codes, months and slugs): the first such link and the one with the longest text (the longest
agency name or record title), a record of each kind, every content page. A new public route is tested as soon as
some public page links to it; one that no page links to fails `test_every_public_route_is_tried` until it is (or
until it is given below, as the e-mailed password-reset link is). The demo county publishes no complaint, so
/complaints/<number> is tried only when some page links one.

Each page is loaded once per language and then measured at each width (the viewport narrowed in place: media
queries and layout follow, as on a phone turned or a window resized)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter, Rule

from portal import create_app
from portal.records.kinds import KINDS
from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = (320, 360, 390, 414)
LANGUAGES = ("zh_CN", "en")

# Public pages no route list gives: filtered lists (a record of each kind is found on these), searches, and a list
# whose filters are wrong (the error summary and the messages beside the fields).
EXTRA_PAGES = [
    *(f"/records/?kind={kind}" for kind in KINDS),
    "/records/?kind=arrears&sort=amount",
    "/records/?kind=zzz&year=20x6",
    "/agencies/?listed=judgment_defaulter",
    "/search?q=" + quote("拖欠"),
    "/search?q=czj",
    "/search?q=" + quote("演示县人民政府 公示中"),
]
EVERY_LINKED = frozenset({"pages.show"})  # each content page differs: try them all
ONE_PER_SEED = frozenset({"records.detail"})  # the first on each page linking them: a record of each kind
# Routes the demo county gives no public link to (a daily dump is a zip, listed once `opendata dump` has run), and
# pages reached from outside the site: a password-reset link comes by e-mail (a stale one shows its notice).
NO_DEMO_LINK = frozenset({"opendata.dump"})
GIVEN = {
    "users.reset": "/reset/" + "0" * 43,
    "alerts.confirm": "/alerts/confirm/0",  # a stale link shows its notice (400)
    "alerts.unsubscribe": "/alerts/unsubscribe/0",
}
# axe at each width: the front page, a list as cards (the commitments and outcomes lists are the same macro), a
# record and an agency, search, and the statistics' tables that scroll in their own box ("records.detail": the first
# page of that route the crawl found). Six pages keep the four widths to about 20 s on two idle cores.
AXE_PAGES = ("/", "/records/", "records.detail", "agencies.profile", "/search?q=" + quote("拖欠"), "/statistics/")

# The element whose right edge is furthest right, outside any box that clips or scrolls it, as a short CSS path.
WIDEST = """(width) => {
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  let worst = null, right = width;
  for (const el of document.body.querySelectorAll('*')) {
    const edge = el.getBoundingClientRect().right + window.scrollX;
    if (edge > right + 0.5 && !clipped(el)) { right = edge; worst = el; }
  }
  if (!worst) return 'no single element (margins or a transform?)';
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  const path = [];
  for (let el = worst; el && el !== document.body && path.length < 5; el = el.parentElement) path.unshift(name(el));
  const text = worst.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40);
  return `${path.join(' > ')} reaches ${Math.round(right)} px ("${text}")`;
}"""


class LinkCollector(HTMLParser):
    """(href, text) of every <a href> on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self._open.append([href, ""])

    def handle_data(self, data: str) -> None:
        for link in self._open:
            link[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, text = self._open.pop()
            self.found.append((href, text.strip()))


def public_pages(url_map: Map) -> list[Rule]:
    """GET routes outside the workspace that answer an HTML page: not static files, feeds, PDFs, the API or other
    files (a last path segment with a dot: feed.<fmt>, report.pdf, sitemap.xml) and not the health check."""
    return [
        rule
        for rule in url_map.iter_rules()
        if "GET" in (rule.methods or set())
        and rule.endpoint not in ("static", "home.healthz")
        and not rule.rule.startswith(("/workspace", "/api/"))
        and "." not in rule.rule.rsplit("/", 1)[-1]
    ]


def fetch_links(url: str) -> list[tuple[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read().decode()
    except urllib.error.HTTPError as error:  # a 400 list with its error summary still links pages
        body = error.read().decode()
    collector = LinkCollector()
    collector.feed(body)
    return collector.found


def endpoint_of(adapter: MapAdapter, href: str) -> str | None:
    parts = urlsplit(href)
    if parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        endpoint, _ = adapter.match(parts.path, method="GET")
    except HTTPException:
        return None
    return str(endpoint)


@dataclass(frozen=True)
class Site:
    paths: list[str]  # every page to try, each once
    untried: list[str]  # routes with parameters no public page links to
    samples: dict[str, str]  # endpoint -> one page of it (the first linked)


def collect(base: str, url_map: Map) -> Site:
    """The pages to try: every route without parameters, EXTRA_PAGES, and for each route with parameters the
    pages that public pages link to (two rounds: a record page links its objection form)."""
    adapter = url_map.bind("localhost")
    rules = public_pages(url_map)
    wanted = {rule.endpoint for rule in rules if rule.arguments}
    paths = [rule.rule for rule in rules if not rule.arguments] + EXTRA_PAGES
    samples: dict[str, str] = {}
    chosen: list[str] = []
    to_read = list(paths)
    for _ in range(2):
        longest: dict[str, tuple[int, str]] = {}
        for page in to_read:
            first_here: set[str] = set()
            for href, text in fetch_links(base + page):
                endpoint = endpoint_of(adapter, href)
                if endpoint is None or endpoint not in wanted:
                    continue
                path = urlsplit(href).path
                if endpoint not in samples or endpoint in EVERY_LINKED:
                    samples.setdefault(endpoint, path)
                    chosen.append(path)
                elif endpoint in ONE_PER_SEED and endpoint not in first_here:
                    chosen.append(path)
                first_here.add(endpoint)
                if len(text) > longest.get(endpoint, (-1, ""))[0]:
                    longest[endpoint] = (len(text), path)
        chosen += [path for _, path in longest.values()]
        to_read = [path for path in dict.fromkeys(chosen) if path not in paths]
        paths += to_read
    for endpoint, path in GIVEN.items():
        samples.setdefault(endpoint, path)
        paths.append(path)
    untried = sorted(wanted - samples.keys() - NO_DEMO_LINK)
    return Site(list(dict.fromkeys(paths)), untried, samples)


@pytest.fixture(scope="module")
def site(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Site:
    instance = tmp_path_factory.mktemp("url-map")
    app = create_app({"PORTAL_INSTANCE_DIR": str(instance), "PORTAL_DATABASE_URL": f"sqlite:///{instance / 'x.db'}"})
    return collect(live_server, app.url_map)


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport={"width": WIDTHS[0], "height": 800})
    yield context.new_page()
    context.close()


def with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def overflows(page: Page, base: str, path: str, language: str) -> Iterator[str]:
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    response = page.goto(base + with_language(path, language))
    assert response is not None
    if response.status >= 500 or response.status == 404:
        yield f"{path} [{language}] answers {response.status}"
        return
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            widest = page.evaluate(WIDEST, width)
            yield f"{path} [{language}] at {width} px is {scroll_width} px wide: {widest}"


def test_every_public_route_is_tried(site: Site) -> None:
    assert site.untried == [], "no public page links to these routes: link them, or give the test a page of each"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_public_page_scrolls_sideways(live_server: str, site: Site, phone: Page, language: str) -> None:
    problems = [problem for path in site.paths for problem in overflows(phone, live_server, path, language)]
    assert problems == [], f"{len(problems)} page widths overflow:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_representative_pages_are_accessible_at_each_width(
    live_server: str, site: Site, phone: Page, width: int
) -> None:
    phone.set_viewport_size({"width": width, "height": 800})
    found: dict[str, list[str]] = {}
    for page in AXE_PAGES:
        path = site.samples.get(page, page)
        phone.goto(live_server + with_language(path, "zh_CN"))
        if violations := serious_violations(phone):
            found[path] = violations
    assert found == {}, f"at {width} px"


def test_the_widest_element_is_named(live_server: str, phone: Page) -> None:
    """The failure message names what sticks out (a 2,000-px box pushed into the records list)."""
    phone.set_viewport_size({"width": 320, "height": 800})
    phone.goto(f"{live_server}/records/")
    phone.evaluate("document.querySelector('main h1').style.width = '2000px'")
    assert "main" in phone.evaluate(WIDEST, 320)
    assert "h1 reaches" in phone.evaluate(WIDEST, 320)
