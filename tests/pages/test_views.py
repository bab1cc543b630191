from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.html import parse_strict, title_of, visible_text

CONTENT = Path(__file__).resolve().parents[2] / "content"
SLUGS = sorted(p.name.split(".")[0] for p in CONTENT.glob("*.md") if p.name.count(".") == 1)


def test_the_required_pages_exist() -> None:
    for slug in ("about", "disclosure-periods", "credit-repair", "how-to-complain"):
        assert slug in SLUGS
        assert (CONTENT / f"{slug}.en.md").is_file()
    assert sum(slug.startswith("policy-") for slug in SLUGS) >= 5


@pytest.mark.parametrize("slug", SLUGS)
def test_every_content_page_renders_in_both_languages(client: FlaskClient, slug: str) -> None:
    zh = client.get(f"/pages/{slug}").get_data(as_text=True)
    en = client.get(f"/pages/{slug}?lang=en").get_data(as_text=True)
    for body, trail in ((zh, 'aria-label="当前位置"'), (en, 'aria-label="You are here"')):
        parse_strict(body)
        assert trail in body  # breadcrumbs: 首页 › 政策与指南 › the page
        assert body.count('<li aria-current="page">') == 1
    assert title_of(zh) != title_of(en)
    assert '<html lang="en">' in en
    assert '<html lang="zh-CN">' in zh


def test_credit_repair_page_says_repair_is_free(client: FlaskClient) -> None:
    assert "不收取任何费用" in visible_text(client.get("/pages/credit-repair").get_data(as_text=True))


def test_page_index_lists_every_page(client: FlaskClient) -> None:
    body = client.get("/pages/").get_data(as_text=True)
    for slug in SLUGS:
        assert f'href="/pages/{slug}"' in body


@pytest.mark.parametrize("slug", ["nope", "../pyproject", "ABOUT", "about.en", "a" * 3000])
def test_unknown_or_hostile_slugs_are_404(client: FlaskClient, slug: str) -> None:
    assert client.get(f"/pages/{slug}").status_code == 404
