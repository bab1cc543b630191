from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.commitments.operations import determine_fulfilment
from portal.commitments.rules import Fulfilment
from portal.core.transitions import TransitionError
from portal.extensions import db
from tests.factories import make_commitment
from tests.html import visible_text


def test_fulfilment_is_recorded_shown_and_audited(client: FlaskClient) -> None:
    commitment = make_commitment()
    determine_fulfilment(
        commitment,
        Fulfilment.PARTLY,
        date(2026, 11, 18),
        determined_by="演示县信用办",
        note="部分款项未付",
        actor="staff1",
    )
    text = visible_text(client.get(f"/commitments/{commitment.code}").get_data(as_text=True))
    assert "部分履行" in text
    assert "2026年11月18日" in text
    assert "部分款项未付" in text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == commitment.code)).one()
    assert entry.changes["fulfilment"] == ["in_progress", "partly"]


def test_a_determined_commitment_cannot_change_again(client: FlaskClient) -> None:
    commitment = make_commitment(fulfilment="fulfilled")
    with pytest.raises(TransitionError):
        determine_fulfilment(commitment, Fulfilment.UNFULFILLED, date(2026, 11, 18), determined_by="x", actor="s")
    assert commitment.fulfilment == "fulfilled"
    assert commitment.fulfilment_history == []


def test_the_determining_unit_must_be_named(client: FlaskClient) -> None:
    commitment = make_commitment()
    with pytest.raises(ValueError, match="named"):
        determine_fulfilment(commitment, Fulfilment.FULFILLED, date(2026, 11, 18), determined_by=" ", actor="s")
    assert commitment.fulfilment == "in_progress"
