"""The database itself refuses codes it does not know and stopped records without a stop date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.extensions import db
from tests.factories import make_commitment, make_record


@pytest.mark.parametrize(
    "fields",
    [{"status": "deleted"}, {"severity": "huge"}, {"kind": "gossip"}, {"status": "revoked", "stopped_on": None}],
)
def test_bad_records_are_refused(app: Flask, fields: dict[str, object]) -> None:
    record = make_record()
    for name, value in fields.items():
        setattr(record, name, value)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("fields", [{"scope": "secret"}, {"fulfilment": "maybe"}, {"type": "x"}, {"subject": "y"}])
def test_bad_commitments_are_refused(app: Flask, fields: dict[str, Any]) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        make_commitment(**fields)
    db.session.rollback()


def test_a_stopped_record_with_its_date_is_accepted(app: Flask) -> None:
    assert make_record(status="revoked", stopped_on=date(2026, 11, 1)).id
