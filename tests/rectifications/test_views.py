from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.records.models import Record
from portal.rectifications.models import Rectification
from tests.conftest import TODAY
from tests.factories import make_record, make_rectification
from tests.html import links, parse_strict


def test_outcomes_are_finished_rectifications_newest_first(client: FlaskClient) -> None:
    body = client.get("/outcomes/").get_data(as_text=True)
    parse_strict(body)
    today = date.fromisoformat(TODAY)
    expected = db.session.scalars(
        select(Rectification.record_id)
        .join(Rectification.record)
        .where(Rectification.finished_on.is_not(None), Record.public_clause(today))
        .order_by(Rectification.finished_on.desc(), Rectification.id.desc())
        .limit(20)
    ).all()
    assert expected
    ids = [href.removeprefix("/records/") for href in links(body) if href.startswith("/records/")]
    shown = [int(n) for n in ids if n.isdigit()]
    assert shown == list(expected)


def test_outcome_of_a_stopped_record_is_not_listed(client: FlaskClient) -> None:
    record = make_record(status="revoked", stopped_on=date(2026, 11, 1), title="已撤销的整改记录")
    make_rectification(record, outcome="performed", finished_on=date(2026, 11, 19))
    assert "已撤销的整改记录" not in client.get("/outcomes/").get_data(as_text=True)


def test_bad_page_is_400(client: FlaskClient) -> None:
    assert client.get("/outcomes/?page=x").status_code == 400
