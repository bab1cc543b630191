"""records.amount_fen follows the kind's amount (拖欠金额, 涉及金额) through entering and correcting a record: it is
what the arrears list sorts by and the money figures sum."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.records.models import Record
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_user
from tests.forms import post_form, sign_in
from tests.records.test_workspace import enter, record_input


@pytest.fixture
def staff(app: Flask, client: FlaskClient) -> User:
    user = make_user(Role.STAFF)
    sign_in(client, user)
    return user


def _latest() -> Record:
    record = db.session.scalars(select(Record).order_by(Record.id.desc())).first()
    assert record is not None
    return record


def test_entering_and_correcting_keep_the_amount_in_step(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    assert enter(client, "arrears", agency.id, amount_owed="12345.67").status_code == 303
    record = _latest()
    assert record.amount_fen == 1_234_567 == record.details["amount_owed"]

    data = record_input("arrears", agency.id, amount_owed="20000", reason="拖欠金额有误") | {"action": "save"}
    response = post_form(client, f"/workspace/records/{record.id}/correct", data)
    assert response.status_code == 303
    db.session.refresh(record)
    assert record.amount_fen == 2_000_000


def test_other_kinds_have_no_amount_and_promises_their_own(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    assert enter(client, "administrative_penalty", agency.id).status_code == 303
    assert _latest().amount_fen is None
    assert enter(client, "investment_promise", agency.id, amount="88.8").status_code == 303
    assert _latest().amount_fen == 8_880
    assert enter(client, "investment_promise", agency.id, amount="").status_code == 303
    assert _latest().amount_fen is None
