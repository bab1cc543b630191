"""The audit log view: staff and admins only, newest first, filters by who, what and when (local days in
Asia/Shanghai), bad filters refused beside their field, everything stored shown escaped, and no way to change it.
(That the ORM and the database refuse UPDATE and DELETE is proved in test_models.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.audit.models import AuditEntry
from portal.audit.operations import write_audit
from portal.extensions import db
from tests.factories import make_user
from tests.forms import csrf_token, sign_in
from tests.html import attr, find, find_all, links, one, parse_strict, startswith, text_of, title_of, visible_text

LOG = "/workspace/audit/"


def entry(action: str, entity: tuple[str, str], actor: str, at: datetime, **fields: Any) -> AuditEntry:
    written = write_audit(action, entity[0], entity[1], fields.pop("changes", None), actor=actor, **fields)
    written.at = at  # before the INSERT: setting it is not an update
    db.session.flush()
    return written


@pytest.fixture
def entries(app: Flask) -> dict[str, AuditEntry]:
    """Entries in March 2026, around a local midnight (2026-03-02 00:00 in Shanghai = 03-01 16:00 UTC)."""
    return {
        "a": entry("test.alpha.create", ("widget", "1"), "alice.t", datetime(2026, 3, 1, 15, 59, tzinfo=UTC)),
        "b": entry("test.alpha.update", ("widget", "2"), "bob.t", datetime(2026, 3, 1, 16, 0, tzinfo=UTC)),
        "c": entry("test.beta", ("gadget", "1"), "alice.t", datetime(2026, 3, 5, 8, 0, tzinfo=UTC)),
        "u": entry("test_alpha.go", ("gizmo", "9"), "carol.t", datetime(2026, 2, 10, 8, 0, tzinfo=UTC)),
        "x": entry("testxalpha.go", ("gizmo", "9"), "carol.t", datetime(2026, 2, 10, 9, 0, tzinfo=UTC)),
    }


def shown(client: FlaskClient, query: str, status: int = 200) -> list[int]:
    """The ids of the entries listed, in their order on the page."""
    response = client.get(f"{LOG}?{query}")
    assert response.status_code == status
    body = response.get_data(as_text=True)
    return [int(attr(row, "id").removeprefix("entry-")) for row in find_all(body, "tr", id=startswith("entry-"))]


def shown_on_every_page(client: FlaskClient, query: str) -> list[int]:
    """The ids listed on every page of the log, in order (the demo data's own entries may fill the first pages)."""
    ids: list[int] = []
    for page in range(1, 100):
        listed = shown(client, f"{query}&page={page}" if query else f"page={page}")
        if not listed:
            return ids
        ids += listed
    raise AssertionError("the log has more than 99 pages")


def ours(ids: list[int], entries: dict[str, AuditEntry]) -> list[str]:
    names = {e.id: name for name, e in entries.items()}
    return [names[i] for i in ids if i in names]


def test_staff_and_admins_only(app: Flask, client: FlaskClient) -> None:
    response = client.get(f"{LOG}?actor=x")
    assert response.status_code == 302
    assert unquote(response.headers["Location"]) == f"/login?next={LOG}?actor=x"
    sign_in(client, make_user("officer"))
    assert client.get(LOG).status_code == 403
    for role in ("staff", "admin"):
        sign_in(client, make_user(role))
        response = client.get(LOG)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        parse_strict(body)
        assert title_of(body).startswith("审计日志")
        assert "demo.load" in body  # the demo loader's entry


def test_the_log_has_no_route_that_changes_anything(app: Flask, client: FlaskClient) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit_workspace.")]
    assert rules
    assert all((rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"} for rule in rules)
    sign_in(client, make_user("admin"))
    token = csrf_token(client.get(LOG).get_data(as_text=True))
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)(LOG, data={"csrf_token": token}).status_code == 405


def test_newest_first_and_paginated(app: Flask, client: FlaskClient) -> None:
    pages = [entry("test.page", ("page", str(n)), "pager", datetime(2026, 4, 1, 0, n, tzinfo=UTC)) for n in range(25)]
    sign_in(client, make_user("staff"))
    first = shown(client, "actor=pager")
    second = shown(client, "actor=pager&page=2")
    assert first == [e.id for e in reversed(pages)][:20]
    assert second == [e.id for e in reversed(pages)][20:]
    body = client.get(f"{LOG}?actor=pager").get_data(as_text=True)
    assert "共 25 条，第 1 / 2 页" in body
    assert 'href="/workspace/audit/?actor=pager&amp;page=2"' in body
    assert shown(client, "actor=pager&page=3") == []  # past the end: empty, not an error


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["c", "b", "a", "x", "u"]),
        ("actor=alice.t", ["c", "a"]),
        ("actor=alice", []),  # exact, not a substring
        ("action=test.alpha", ["b", "a"]),  # a prefix covers its actions...
        ("action=test.alpha.create", ["a"]),  # ...and an action only itself
        ("action=test", ["c", "b", "a"]),
        ("action=test_alpha", ["u"]),  # "_" is no wildcard
        ("entity_type=widget", ["b", "a"]),
        ("entity_type=widget&entity_id=2", ["b"]),
        ("entity_type=gizmo&entity_id=9", ["x", "u"]),
        ("from=2026-03-02", ["c", "b"]),  # local days: 03-01 16:00 UTC is 03-02 00:00 in Shanghai
        ("to=2026-03-01", ["a", "x", "u"]),
        ("from=2026-03-01&to=2026-03-01", ["a"]),
        ("from=2026-03-02&to=2026-03-02", ["b"]),
        ("from=2026-02-10&to=2026-02-10&actor=carol.t&action=testxalpha", ["x"]),
    ],
)
def test_each_filter_narrows_the_list(
    app: Flask, client: FlaskClient, entries: dict[str, AuditEntry], query: str, expected: list[str]
) -> None:
    sign_in(client, make_user("staff"))
    assert ours(shown_on_every_page(client, query), entries) == expected


def test_the_filter_form_offers_the_actions_and_keeps_the_choice(
    app: Flask, client: FlaskClient, entries: dict[str, AuditEntry]
) -> None:
    sign_in(client, make_user("admin"))
    body = client.get(f"{LOG}?action=test.alpha&entity_type=widget&actor=alice.t&from=2026-03-01").get_data(
        as_text=True
    )
    parse_strict(body)
    assert '<optgroup label="test">' in body
    assert '<option value="test"' in body
    assert '<option value="test.beta"' in body
    assert '<option value="test.alpha" selected>' in body
    assert '<option value="widget" selected>' in body
    assert 'name="actor" type="text" size="20" maxlength="100" value="alice.t"' in body
    assert 'value="2026-03-01"' in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-01", "from", "应为日期"),
        ("from=20260301", "from", "应为日期"),
        ("to=yesterday", "to", "应为日期"),
        ("to=0001-01-01", "to", "应为日期"),
        ("from=9999-12-31", "from", "应为日期"),
        ("from=2026-03-05&to=2026-03-01", "to", "结束日期不能早于开始日期"),
        ("action=User.Create", "action", "应为操作名称"),
        ("action=user.%25", "action", "应为操作名称"),
        ("entity_type=%3Cscript%3E", "entity_type", "应为对象类型"),
        ("entity_id=5", "entity_id", "请同时选择对象类型"),
        ("entity_type=user&entity_id=" + "9" * 51, "entity_id", "太长"),
        ("actor=" + "a" * 101, "actor", "太长"),
        ("actor=a%00b", "actor", "含有控制字符"),
    ],
)
def test_bad_filters_are_refused_beside_their_field(
    app: Flask, client: FlaskClient, entries: dict[str, AuditEntry], query: str, field: str, message: str
) -> None:
    sign_in(client, make_user("staff"))
    response = client.get(f"{LOG}?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    beside = find(body, "p", class_="field-error-message", id=f"filter-{field}-error")
    assert beside is not None
    assert message in text_of(beside)
    assert f'id="filter-{field}"' in body
    assert f'aria-describedby="filter-{field}-error"' in body
    assert 'id="entry-' not in body
    assert "<script>" not in body


def test_stored_payloads_come_back_escaped(app: Flask, client: FlaskClient) -> None:
    hostile = entry(
        "record.correct",
        ("record", '"><svg onload=alert(1)>'),
        "<b>mallory</b>",
        datetime(2026, 3, 3, tzinfo=UTC),
        changes={
            "<script>alert('field')</script>": ["<img src=x onerror=alert(2)>", "</td><script>alert(3)</script>"],
            "note": "javascript:alert(4)",
            "amount": [None, {"<i>": 1}],
        },
        reason="<iframe src=javascript:alert(5)></iframe>",
    )
    sign_in(client, make_user("staff"))
    body = client.get(f"{LOG}?from=2026-03-03&to=2026-03-03").get_data(as_text=True)
    parse_strict(body)
    row = one(body, "tr", id=f"entry-{hostile.id}")
    for tag in ("script", "img", "svg", "iframe", "b", "i"):  # no payload became markup...
        assert find_all(row, tag) == [], tag
    assert len(find_all(row, "td")) == 6  # ...nor closed a cell early ("</td><script>")
    text = visible_text(row)  # ...each is shown as the text it was
    assert "<script>alert('field')</script>" in text
    assert "<img src=x onerror=alert(2)> → </td><script>alert(3)</script>" in text
    assert "<iframe src=javascript:alert(5)></iframe>" in text
    assert "<b>mallory</b>" in text
    assert '"><svg onload=alert(1)>' in text
    assert '— → {"<i>": 1}' in text
    assert not [e for e in find_all(row, href=True) if attr(e, "href").startswith("javascript")]
    # and the filter links built from them are encoded, not injected
    assert any("actor=%3Cb%3Emallory%3C/b%3E" in link for link in links(row))
