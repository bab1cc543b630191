from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from tests.html import title_of

CATALOG = Path(__file__).resolve().parents[1] / "portal/translations/en/LC_MESSAGES/messages.po"


def test_english_switch_is_remembered_in_a_cookie(client: FlaskClient) -> None:
    response = client.get("/records/?lang=en")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert title_of(response.get_data(as_text=True)).startswith("Records")
    follow = client.get("/commitments/")  # the test client sends the cookie back
    assert '<html lang="en">' in follow.get_data(as_text=True)
    back = client.get("/commitments/?lang=zh_CN")
    assert '<html lang="zh-CN">' in back.get_data(as_text=True)


def test_unknown_language_falls_back_to_chinese(client: FlaskClient) -> None:
    body = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="zh-CN">' in body


def test_english_catalog_is_complete() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []
    assert len(catalog) > 100
