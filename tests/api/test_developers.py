"""/developers/: what the API offers, how to page, cache and read errors, the rate limits nginx applies, examples
with curl and Python that work as printed, and the licence."""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from portal.api.endpoints import ENDPOINTS
from portal.api.views import EDGE_LIMITS
from tests.conftest import ROOT
from tests.html import attr, css, find_all, links, parse_strict, text_of, title_of, visible_text


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_page_lists_every_endpoint_and_links_the_document(client: FlaskClient, lang: str) -> None:
    response = client.get(f"/developers/?lang={lang}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body)
    rows = css(body, "main table.list tbody tr")
    assert [text_of(find_all(row, "code")[0]) for row in rows] == [e.path for e in ENDPOINTS]
    hrefs = links(body)
    assert "/api/v1/openapi.json" in hrefs
    assert "/data/" in hrefs  # the licence, beside the downloads


def test_the_examples_are_runnable_against_the_site(client: FlaskClient) -> None:
    body = client.get("/developers/").get_data(as_text=True)
    examples = ["".join(code.itertext()) for code in css(body, "main pre code")]  # as printed, lines and all
    curls = [e for e in examples if e.startswith("curl ")]
    assert len(curls) == 3
    for command in curls:
        url = urlsplit(shlex.split(command)[-1])
        assert url.netloc == "localhost"
        response = client.get(url.path, query_string=url.query)
        assert response.status_code == 200, command
    python = next(e for e in examples if e.startswith("import json"))
    compile(python, "example.py", "exec")  # it is Python
    assert 'SITE = "http://localhost"' in python
    for pre in css(body, "main pre"):
        assert attr(pre, "tabindex") == "0"  # a scrolling example can be reached by keyboard on a phone


def test_the_rate_limits_stated_are_nginxs(client: FlaskClient) -> None:
    """The page states EDGE_LIMITS; they are what deploy/nginx applies to /api/ and to the search API."""
    zones = dict(re.findall(r"zone=(\w+):\S+ rate=(\d+)r/s", (ROOT / "deploy/nginx/portal.conf").read_text()))
    site = (ROOT / "deploy/nginx/portal-site.conf").read_text()
    bursts = dict(re.findall(r"location (.+?) \{\s*limit_req zone=(?:portal_pages|portal_search) burst=(\d+)", site))
    assert EDGE_LIMITS["api"] == (int(zones["portal_pages"]), int(bursts["/"]))
    assert EDGE_LIMITS["search"] == (int(zones["portal_search"]), int(bursts["~ ^/(search|api/v1/search)$"]))
    text = visible_text(client.get("/developers/").get_data(as_text=True))
    for rate, burst in EDGE_LIMITS.values():
        assert f"{rate} 次" in text
        assert f"{burst} 次" in text


def test_the_footer_leads_to_the_page(client: FlaskClient) -> None:
    assert "/developers/" in links(client.get("/").get_data(as_text=True))
