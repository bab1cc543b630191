"""What issue 16 added to the documents: records carry their state words (a case that turns overdue is noted by the
daily job, with no other change), and published complaints are searchable."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.db import commit
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.rectifications.operations import OVERDUE_LOOKBACK_DAYS, note_newly_overdue
from portal.search.index import SearchIndex
from tests.factories import make_agency, make_closed_complaint, make_record, make_rectification, make_user
from tests.search.conftest import TODAY_DATE, keys, publish, search


def _noted() -> set[str]:
    return set(db.session.scalars(select(OutboxEntry.item_key)))


def test_a_case_that_turns_overdue_is_found_by_its_state_words_from_that_day(
    app: Flask, writable_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = make_record(title="泊舟县逾期测试记录", status="rectifying")
    make_rectification(record, deadline=TODAY_DATE + timedelta(days=1))
    publish(f"record:{record.id}")
    assert f"record:{record.id}" in keys(search(writable_index, "泊舟县逾期测试记录 整改中"))
    assert keys(search(writable_index, "泊舟县逾期测试记录 逾期未整改")) == []

    later = TODAY_DATE + timedelta(days=3)  # the deadline passed two days ago: nothing else changed
    settings = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", dataclasses.replace(settings, today=later))
    assert note_newly_overdue(later) >= 1
    commit()  # the daily job's commit: the index applies what it noted
    found = keys(search(writable_index, "泊舟县逾期测试记录 逾期未整改", today=later))
    assert found == [f"record:{record.id}"]


def test_only_cases_that_turned_overdue_lately_and_are_still_open_are_noted(app: Flask) -> None:
    fresh = make_record(title="刚逾期")
    make_rectification(fresh, deadline=TODAY_DATE - timedelta(days=1))
    old = make_record(title="早已逾期")
    make_rectification(old, deadline=TODAY_DATE - timedelta(days=OVERDUE_LOOKBACK_DAYS + 1))
    finished = make_record(title="已办结")
    make_rectification(finished, deadline=TODAY_DATE - timedelta(days=1), outcome="performed", finished_on=TODAY_DATE)
    db.session.flush()
    note_newly_overdue(TODAY_DATE)
    noted = _noted()
    assert f"record:{fresh.id}" in noted
    assert f"record:{old.id}" not in noted
    assert f"record:{finished.id}" not in noted


def test_a_published_complaint_is_searchable_and_links_to_its_page(
    writable_index: SearchIndex, client: FlaskClient
) -> None:
    agency = make_agency(name="泊舟县测试局")
    staff = make_user("staff")
    make_closed_complaint(agency, "TS-2026-900001", "已督促泊舟县测试局结清货款", staff)
    make_closed_complaint(agency, "TS-2026-900000", "已督促泊舟县测试局结清货款", staff, publish_consent=False)
    commit()  # closing with consent noted it for search: the commit indexes it

    found = search(writable_index, "结清货款", filters={"type": "complaint"})
    assert keys(found) == ["complaint:TS-2026-900001"]
    assert found.hits[0].path == "/complaints/TS-2026-900001"
    for private in ("私密公司", "91990121MA0000000X", "13800000000", "TS-2026-900000"):
        assert keys(search(writable_index, private, filters={"type": "complaint"})) == [], private
    # the search feeds carry it too, as an entry of its own
    feed = client.get("/search/feed.atom?q=结清货款")
    assert feed.status_code == 200
    assert b"/complaints/TS-2026-900001" in feed.data
