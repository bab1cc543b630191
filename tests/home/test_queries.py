"""Lists load what they show with a fixed number of queries, whatever the number of rows (no query per row)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from tests.statements import counted


@pytest.mark.parametrize(
    ("path", "most"),
    # each count includes the test transaction's SAVEPOINT and the demo-banner check; an agency page also counts
    # and lists its published complaints; the home page and an agency page sum the arrears money (one statement);
    # an agency page also reads its positive items and former names, and a government's its roll-up (the bodies and
    # the figures' version; the figures themselves, two statements, when they changed), and its evaluation (one)
    [("/", 9), ("/records/", 5), ("/commitments/", 5), ("/outcomes/", 5), ("/agencies/", 4), ("AGENCY", 18)],
)
def test_page_queries_do_not_grow_with_rows(client: FlaskClient, path: str, most: int) -> None:
    if path == "AGENCY":  # the agency with the most records
        agency = db.session.scalars(select(Agency).order_by(Agency.id)).first()
        assert agency is not None
        path = f"/agencies/{agency.uscc}"
    with counted() as statements:
        assert client.get(path).status_code == 200
    assert len(statements) <= most, statements
