"""How the API answers over HTTP: JSON errors with the right status everywhere under /api/, CORS for any site,
ETag and 304 (with the page cache and without it), and only GET."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import pagecache
from portal.users.rules import Role
from tests.factories import make_record, make_user
from tests.forms import sign_in

PATHS = [
    "/api/v1/records",
    "/api/v1/commitments?fulfilment=in_progress",
    "/api/v1/outcomes",
    "/api/v1/agencies",
    "/api/v1/complaints",
    "/api/v1/bulletins",
    "/api/v1/statistics",
    "/api/v1/openapi.json",
    "/api/v1/search?q=财政局",
]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/nothing", 404),
        ("/api/v2/records", 404),
        ("/api/v1/", 404),
        ("/api/v1/records/", 404),
        ("/api/v1/records/abc", 404),
        ("/api/v1/records/0252", 404),
        ("/api/v1/records/٢٥٢", 404),
        ("/api/v1/records/99999999999999999999", 404),
        ("/api/v1/records?kind=nope", 400),
        ("/api/v1/agencies/123", 404),
    ],
)
def test_errors_under_api_are_json_with_a_message(
    client: FlaskClient, spec: dict[str, Any], path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["error"] in ("not_found", "bad_request")
    assert body["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/records", "/api/v1/records/1", "/api/v1/search", "/api/v1/anything"])
def test_only_get_is_taken_with_a_json_405(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method, data={"x": "1"})  # no CSRF token: the API changes nothing
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", PATHS)
def test_any_site_may_read_every_answer(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://newsroom.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        path,
        headers={
            "Origin": "https://newsroom.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", PATHS)
def test_an_etag_and_304_without_the_page_cache(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert client.head(path).headers["ETag"] == etag


def test_a_change_is_a_new_etag(client: FlaskClient) -> None:
    etag = client.get("/api/v1/records?limit=5").headers["ETag"]
    make_record()  # published today's … the list's first page changes
    changed = client.get("/api/v1/records?limit=5", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.fixture
def cached(app: Flask, monkeypatch: pytest.MonkeyPatch) -> pagecache.MemoryPages:
    """The page cache on, empty (as tests/test_pagecache.py turns it on)."""
    pages = pagecache.MemoryPages()
    monkeypatch.setitem(app.config, "PORTAL_PAGE_CACHE", True)
    monkeypatch.setitem(app.extensions, "page_cache", pages)
    monkeypatch.setitem(app.extensions, "page_versions", pagecache._Versions())
    return pages


def test_with_the_page_cache_the_api_is_kept_and_revalidated_by_publication_version(
    client: FlaskClient, cached: pagecache.MemoryPages
) -> None:
    path = "/api/v1/records?kind=arrears&limit=3"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    kept = client.get(path)  # answered from the cache, without the view
    assert kept.data == first.data
    assert kept.headers["ETag"] == etag
    assert kept.headers["Access-Control-Allow-Origin"] == "*"
    assert kept.content_type == "application/json"
    revalidated = client.get(path, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.headers["Access-Control-Allow-Origin"] == "*"


def test_signed_in_the_api_answers_the_same_and_is_not_kept(client: FlaskClient) -> None:
    anonymous = client.get("/api/v1/records?limit=3").get_json()
    sign_in(client, make_user(Role.STAFF))
    response = client.get("/api/v1/records?limit=3")
    assert response.get_json()["items"] == anonymous["items"]  # staff see the public data here, nothing more
    assert response.headers["Cache-Control"] == "private, no-store"
    assert client.get("/api/v1/records?limit=3", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("extra", ["endpoint=x", "_method=POST", "_scheme=javascript", "_external=1", "_anchor=x"])
@pytest.mark.parametrize("path", ["/api/v1/records", "/api/v1/agencies", "/api/v1/commitments"])
def test_names_url_for_keeps_for_itself_are_ignored_in_the_next_link(
    client: FlaskClient, path: str, extra: str
) -> None:
    """Found by review: the next page's address was built from the raw query string, so `endpoint=` was a 500 and
    `_scheme=` made a broken link. It is built from what was parsed."""
    response = client.get(f"{path}?limit=1&{extra}")
    assert response.status_code == 200
    following = response.get_json()["links"]["next"]
    assert following.startswith("http://localhost/api/v1/")
    assert extra.split("=")[0] not in following
    assert client.get(following.removeprefix("http://localhost")).status_code == 200
