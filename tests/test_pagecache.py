"""Public pages revalidated and kept by publication version (portal/pagecache.py, issue 20): an ETag on every public
page, 304 for a reader who has it, the kept page served without rendering, and nothing personal ever kept."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal import pagecache
from portal.extensions import db
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from portal.users.rules import Role
from tests.conftest import TEST_REDIS_URL, TODAY
from tests.factories import make_agency, make_record, make_user
from tests.forms import hidden_fields, sign_in, sign_out
from tests.html import visible_text


@pytest.fixture
def cached(app: Flask, monkeypatch: pytest.MonkeyPatch) -> pagecache.MemoryPages:
    """The page cache on, empty, with its own version memo (the suite's other tests run without it)."""
    pages = pagecache.MemoryPages()
    monkeypatch.setitem(app.config, "PORTAL_PAGE_CACHE", True)
    monkeypatch.setitem(app.extensions, "page_cache", pages)
    monkeypatch.setitem(app.extensions, "page_versions", pagecache._Versions())
    return pages


def public_pages(record_id: int, uscc: str) -> list[str]:
    return [
        "/",
        "/records/",
        "/records/?page=2",
        f"/records/{record_id}",
        f"/agencies/{uscc}",
        "/agencies/",
        "/commitments/",
        "/outcomes/",
        "/pages/about",
        "/reports/",
        "/statistics/",
        "/evaluation/",
        "/search?q=财政局",
    ]


def test_every_public_page_has_an_etag_and_answers_304_when_the_reader_has_it(
    client: FlaskClient, cached: pagecache.MemoryPages
) -> None:
    agency = make_agency()
    record = make_record(agency)
    for path in public_pages(record.id, agency.uscc):
        first = client.get(path)
        assert first.status_code == 200, path
        etag = first.headers.get("ETag")
        assert etag, f"{path} has no ETag"
        assert first.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600", path
        assert "Cookie" in first.headers["Vary"], path
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b""
        assert again.headers["ETag"] == etag


def test_a_change_through_the_operations_is_a_new_version_at_once(
    app: Flask, client: FlaskClient, cached: pagecache.MemoryPages
) -> None:
    record = make_record()
    page = f"/records/{record.id}"
    first = client.get(page)
    etag = first.headers["ETag"]
    # A change that went around the operations (no audit entry, no outbox row) is not seen: the kept page is served
    # without rendering. This is what the rule "every change goes through an operation" buys.
    db.session.execute(
        sa.text("UPDATE records SET title = :t WHERE id = :id"), {"t": "绕过操作的修改", "id": record.id}
    )
    kept = client.get(page)
    assert kept.headers["ETag"] == etag
    assert "绕过操作的修改" not in visible_text(kept.get_data(as_text=True))
    assert kept.data == first.data

    change_status(record, RecordStatus.REVOKED, date.fromisoformat(TODAY), reason="异议成立", actor="staff")
    after = client.get(page, headers={"If-None-Match": etag})
    assert after.status_code == 410  # its publication stopped: the notice, not the old page
    listed = client.get("/records/", headers={"If-None-Match": etag})
    assert listed.status_code == 200
    assert listed.headers["ETag"] != etag


def test_the_next_day_is_a_new_version(app: Flask, client: FlaskClient, cached: pagecache.MemoryPages) -> None:
    etag = client.get("/records/").headers["ETag"]
    settings = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = dataclasses.replace(settings, today=date(2026, 11, 21))
    try:
        response = client.get("/records/", headers={"If-None-Match": etag})
    finally:
        app.config["PORTAL_SETTINGS"] = settings
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_each_language_has_its_own_version(client: FlaskClient, cached: pagecache.MemoryPages) -> None:
    chinese = client.get("/records/")
    client.get("/?lang=en")  # the cookie remembers English
    english = client.get("/records/", headers={"If-None-Match": chinese.headers["ETag"]})
    assert english.status_code == 200
    assert english.headers["ETag"] != chinese.headers["ETag"]
    assert english.headers["Content-Language"] == "en"
    assert '<html lang="en"' in english.get_data(as_text=True)
    asked = client.get("/?lang=en")  # asked for what the cookie says already: no cookie to set, so revalidated
    assert client.get("/?lang=en", headers={"If-None-Match": asked.headers["ETag"]}).status_code == 304


def test_nothing_personal_is_kept_or_served_from_the_cache(
    app: Flask, client: FlaskClient, cached: pagecache.MemoryPages
) -> None:
    anonymous = client.get("/")
    etag = anonymous.headers["ETag"]
    staff = make_user(Role.STAFF, display_name="缓存测试工作人员")
    sign_in(client, staff)
    signed_in = client.get("/", headers={"If-None-Match": etag})
    assert signed_in.status_code == 200  # not the anonymous 304
    assert "ETag" not in signed_in.headers
    assert signed_in.headers["Cache-Control"] == "private, no-store"
    assert "缓存测试工作人员" in visible_text(signed_in.get_data(as_text=True))
    sign_out(client)  # leaves a message ("您已退出登录") to show: that page is not kept either
    told = client.get("/")
    assert "您已退出登录" in visible_text(told.get_data(as_text=True))
    after = client.get("/")
    assert "缓存测试工作人员" not in visible_text(after.get_data(as_text=True))
    assert "您已退出登录" not in visible_text(after.get_data(as_text=True))
    for form_page in ("/complaints/new", "/complaints/status"):
        response = client.get(form_page, headers={"If-None-Match": etag})
        assert response.status_code == 200, form_page
        assert "ETag" not in response.headers, form_page  # its CSRF token is this visitor's
        assert response.headers["Cache-Control"] == "private, no-store", form_page
    assert all(b"csrf_token" not in page for page in cached._pages.values())


def test_off_means_no_validators_and_no_kept_pages(
    app: Flask, client: FlaskClient, cached: pagecache.MemoryPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PORTAL_PAGE_CACHE", False)
    assert "ETag" not in client.get("/records/").headers
    assert not cached._pages


def test_redis_keeps_pages_for_every_worker_up_to_a_bound_and_a_redis_that_is_down_is_a_miss(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = pagecache.RedisPages(TEST_REDIS_URL)
    other_worker = pagecache.RedisPages(TEST_REDIS_URL)
    version = f"test-{uuid.uuid4().hex}"
    shared.put(f"{version}-a", b'{"Content-Type": "text/html"}\n<p>kept</p>', version)
    assert other_worker.get(f"{version}-a") == b'{"Content-Type": "text/html"}\n<p>kept</p>'
    monkeypatch.setattr(pagecache, "REDIS_PAGES", 2)  # junk query strings do not fill Redis
    shared.put(f"{version}-b", b"{}\nb", version)
    shared.put(f"{version}-c", b"{}\nc", version)
    assert shared.get(f"{version}-b") == b"{}\nb"
    assert shared.get(f"{version}-c") is None
    down = pagecache.RedisPages("redis://127.0.0.1:1/0")
    down.put(version, b"x", version)  # nothing raised
    assert down.get(version) is None


def test_a_weak_etag_from_a_gzip_proxy_revalidates_and_a_star_does_not(
    client: FlaskClient, cached: pagecache.MemoryPages
) -> None:
    etag = client.get("/records/").headers["ETag"]
    assert client.get("/records/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get("/records/", headers={"If-None-Match": "*"}).status_code == 200
    assert client.get("/records/999999", headers={"If-None-Match": "*"}).status_code == 404


def test_private_events_do_not_change_the_public_version(client: FlaskClient, cached: pagecache.MemoryPages) -> None:
    """A failed login, a sign-in or a contact reveal shows on no public page: anyone could otherwise keep the
    cache cold with wrong passwords."""
    etag = client.get("/records/").headers["ETag"]
    staff = make_user(Role.STAFF)
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={**hidden_fields(page), "username": staff.username, "password": "x" * 12})
    assert client.get("/records/", headers={"If-None-Match": etag}).status_code == 304


def test_without_a_base_url_the_host_is_part_of_the_key(client: FlaskClient, cached: pagecache.MemoryPages) -> None:
    """Development: absolute links follow the request's host, so a page asked for under a forged Host is never
    served to anyone else."""
    forged = client.get("/api/v1/search?q=财政局", headers={"Host": "evil.example"})
    plain = client.get("/api/v1/search?q=财政局")
    assert forged.headers["ETag"] != plain.headers["ETag"]
    assert "evil.example" not in plain.get_data(as_text=True)


def test_a_deploy_or_a_changed_setting_is_a_new_build(app: Flask) -> None:
    settings = app.config["PORTAL_SETTINGS"]
    assert pagecache.build_stamp(settings) == pagecache.build_stamp(settings)
    assert pagecache.build_stamp(dataclasses.replace(settings, site_contact="0527-88888888")) != (
        pagecache.build_stamp(settings)
    )
