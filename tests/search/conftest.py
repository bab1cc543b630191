"""Search fixtures: each test that takes `index` or `writable_index` runs once per engine (and per database).
The demo index of each engine is built once per database; a test that changes an index gets its own copy."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from portal.db import commit
from portal.extensions import db
from portal.outbox import changed
from portal.search.engine import SearchRequest, SearchResult
from portal.search.index import SearchIndex
from portal.search.query import parse_query
from tests.conftest import TODAY

ENGINES = ["tantivy", "whoosh"]
TODAY_DATE = date.fromisoformat(TODAY)


@pytest.fixture(scope="session", params=ENGINES)
def built_index(request: pytest.FixtureRequest, app: Flask, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    root = tmp_path_factory.mktemp(f"index-{request.param}")
    index = SearchIndex(root, request.param, app.config["PORTAL_SETTINGS"].content_dir)
    with app.app_context():
        index.rebuild(db.session, TODAY_DATE)
        db.session.remove()
    return index


@pytest.fixture
def index(app: Flask, built_index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> SearchIndex:
    """The demo index of one engine, for tests that only read it."""
    monkeypatch.setitem(app.extensions, "search_index", built_index)
    return built_index


@pytest.fixture
def writable_index(
    app: Flask, built_index: SearchIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SearchIndex:
    """A copy of the demo index that the test may change (publish, sync, rebuild, break)."""
    root = tmp_path / "search_index"
    shutil.copytree(built_index.root, root, symlinks=True)
    copy = SearchIndex(root, built_index.engine_name, built_index.content_dir)
    monkeypatch.setitem(app.extensions, "search_index", copy)
    return copy


def search(index: SearchIndex, text: str = "", today: date = TODAY_DATE, **options: object) -> SearchResult:
    return index.search(SearchRequest(parse_query(text, index.analyzer()), today, **options))  # type: ignore[arg-type]


def keys(result: SearchResult) -> list[str]:
    return [hit.key for hit in result.hits]


def publish(*keys_changed: str) -> None:
    """What a publishing view does: note the change in the outbox, commit once (which updates the index)."""
    changed(*keys_changed)
    commit()
