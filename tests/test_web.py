"""What every page shares (portal/web.py): the site's name comes from PORTAL_SITE_NAME, on pages and in feeds."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from portal.users import views
from tests.forms import hidden_fields
from tests.html import title_of, visible_text


def test_the_default_name_is_shown_in_the_readers_language(client: FlaskClient) -> None:
    assert title_of(client.get("/records/").get_data(as_text=True)).endswith(" · 信用演示县 · 政务诚信公示平台")
    assert "<title>政务失信记录 — 信用演示县</title>" in client.get("/records/feed.atom").get_data(as_text=True)
    english = client.get("/records/?lang=en").get_data(as_text=True)
    assert title_of(english).endswith(" · Credit Demo County · Government Integrity Portal")


def test_a_name_that_is_set_is_shown_everywhere_as_set(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], site_name="信用泗阳")
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
    for lang in ("zh_CN", "en"):
        page = client.get(f"/records/?lang={lang}").get_data(as_text=True)
        assert '<span class="site-title">信用泗阳</span>' in page
        assert " · 信用泗阳 · " in title_of(page)
        assert "信用演示县" not in page
        feed = client.get(f"/records/feed.atom?lang={lang}").get_data(as_text=True)
        assert "— 信用泗阳</title>" in feed
        assert "信用演示县" not in feed


def test_a_post_that_waited_too_long_for_the_write_lock_is_503_and_says_so(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: a request that could not get the write lock within the busy timeout (another held it) answers 503
    with Retry-After and a clear message, never a 500."""

    def locked(*_args: object) -> None:
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(views, "authenticate", locked)
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={**hidden_fields(page), "username": "demo-staff", "password": "x" * 12})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "网站正忙，本次提交未做任何更改" in visible_text(response.get_data(as_text=True))
