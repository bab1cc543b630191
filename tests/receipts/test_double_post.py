"""A double click never loses a receipt (issue 18): the same form posted again shows the same receipt page (number
and secret) for 10 minutes, sealed server-side on the form's spent token (never in plain text); then the second
post goes where it went before (a complaint: 303 to its status page; an objection: the "already filed" page). One
case is filed either way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.complaints.models import Complaint
from portal.extensions import db
from portal.forms import UsedFormToken
from portal.objections.models import Objection
from tests.complaints.test_public import complaint_fields, receipt_of
from tests.complaints.test_public import look_up as look_up_complaint
from tests.factories import make_record
from tests.forms import hidden_fields, multipart
from tests.objections.test_public import objection_fields
from tests.objections.test_public import receipt_of as objection_receipt
from tests.receipts.clock import later
from tests.receipts.test_recovery import recover

Post = Callable[[], TestResponse]


def twice(client: FlaskClient, url: str, fields: dict[str, str], files_field: str) -> Post:
    """The same form (the same hidden fields and values) ready to be posted as often as a user clicks."""
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    body, content_type = multipart({**hidden, **fields}, {files_field: []})
    return lambda: client.post(url, data=body, content_type=content_type)


def count(model: type[Complaint] | type[Objection]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_complaint_posted_twice_shows_the_same_receipt_and_files_once(app: Flask, client: FlaskClient) -> None:
    post = twice(client, "/complaints/new", complaint_fields(), "attachments")
    first = post()
    assert first.status_code == 201
    number, secret = receipt_of(first.get_data(as_text=True))
    again = post()
    assert again.status_code == 200
    assert receipt_of(again.get_data(as_text=True)) == (number, secret)
    assert again.headers["Cache-Control"] == "private, no-store"
    assert count(Complaint) == 1
    assert look_up_complaint(client, number, secret).status_code == 200
    kept = db.session.scalars(select(UsedFormToken.kept_sealed)).all()
    assert len(kept) == 1
    assert kept[0] is not None
    for plain in (secret, secret.replace("-", ""), number):
        assert plain not in kept[0], "the kept receipt is sealed"


def test_after_ten_minutes_the_second_post_goes_to_the_status_page(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = twice(client, "/complaints/new", complaint_fields(), "attachments")
    number, secret = receipt_of(post().get_data(as_text=True))
    later(monkeypatch, 9)
    assert receipt_of(post().get_data(as_text=True)) == (number, secret)
    later(monkeypatch, 11)
    again = post()
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/complaints/status?number={number}")
    assert secret not in again.get_data(as_text=True)
    assert count(Complaint) == 1


def test_an_objection_posted_twice_shows_the_same_receipt_then_the_already_filed_page(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = make_record()
    post = twice(client, f"/records/{record.id}/objection", objection_fields(), "evidence")
    first = post()
    assert first.status_code == 201
    number, secret = objection_receipt(first.get_data(as_text=True))
    again = post()
    assert again.status_code == 200
    assert objection_receipt(again.get_data(as_text=True)) == (number, secret)
    later(monkeypatch, 11)
    late = post()
    assert late.status_code == 200
    text = late.get_data(as_text=True)
    assert "此异议已经提交" in text
    assert number in text
    assert secret not in text
    assert count(Objection) == 1


def test_a_replaced_secret_is_not_shown_again(app: Flask, client: FlaskClient) -> None:
    post = twice(client, "/complaints/new", complaint_fields(), "attachments")
    number, secret = receipt_of(post().get_data(as_text=True))
    recover(client, "/complaints/recover", number, complaint_fields()["email"])
    again = post()
    assert again.status_code == 303, "the kept secret no longer opens the complaint"
    assert secret not in again.get_data(as_text=True)


def test_kept_receipts_are_emptied_once_expired(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    twice(client, "/complaints/new", complaint_fields(), "attachments")()
    later(monkeypatch, 11)
    twice(client, "/complaints/new", complaint_fields(), "attachments")()
    kept = db.session.execute(select(UsedFormToken.used_at, UsedFormToken.kept_sealed)).all()
    assert len(kept) == 2
    assert sorted(sealed is None for _, sealed in kept) == [False, True]
    assert all(isinstance(at, datetime) for at, _ in kept)
