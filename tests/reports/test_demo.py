"""The demo's bulletins (portal/demo/bulletin_showcase.py): the three months before today's drafted, written and
published by the demo's staff account through the reports' operations, one with an erratum; run again, nothing
changes and nothing fails."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.core.months import Month
from portal.demo.bulletin_showcase import publish_past_bulletins
from portal.extensions import db
from portal.reports.models import Bulletin, BulletinErratum
from portal.reports.queries import make_figures
from portal.users.models import User
from tests.reports.builders import files_dir
from tests.reports.conftest import TODAY


def test_the_demo_publishes_the_past_three_months(app: Flask, client: FlaskClient) -> None:
    publish_past_bulletins(TODAY, files_dir())
    bulletins = list(db.session.scalars(select(Bulletin).order_by(Bulletin.month)))
    assert [(b.month, b.is_published, b.published_on) for b in bulletins] == [
        ("2026-08", True, TODAY),
        ("2026-09", True, TODAY),
        ("2026-10", True, TODAY),
    ]
    staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
    assert staff is not None
    assert {b.published_by_id for b in bulletins} == {staff.id}
    for b in bulletins:
        month = Month.parse(b.month)
        assert b.figures == make_figures(month, TODAY)
        assert "演示数据" in b.summary
        assert b.next_steps
        assert client.get(f"/reports/{b.month}").status_code == 200
    assert [len(b.errata) for b in bulletins] == [1, 0, 0]
    assert "勘误" in client.get("/reports/2026-08").get_data(as_text=True)
    published = db.session.scalar(select(func.count()).where(AuditEntry.action == "bulletin.publish"))

    publish_past_bulletins(TODAY, files_dir())  # a second run: each month has its bulletin, nothing changes
    assert db.session.scalar(select(func.count(Bulletin.id))) == 3
    assert db.session.scalar(select(func.count(BulletinErratum.id))) == 1
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "bulletin.publish")) == published
