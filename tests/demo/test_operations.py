from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.core.periods import DEFAULT_PERIODS
from portal.core.uscc import is_valid_uscc
from portal.demo.generator import demo_agencies, demo_commitments, demo_records
from portal.demo.operations import DemoRefusedError, load_demo
from portal.extensions import db
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.rules import RecordStatus
from tests.conftest import TODAY

ANCHOR = date.fromisoformat(TODAY)


def generate(size: int = 300, seed: int = 2026) -> list[dict[str, object]]:
    import random

    agencies = demo_agencies()
    commitments = demo_commitments(agencies, ANCHOR, random.Random(seed))
    return list(demo_records(size, agencies, commitments, ANCHOR, seed))


def test_generation_is_deterministic() -> None:
    assert generate() == generate()
    assert generate(seed=1) != generate(seed=2)


def test_every_agency_code_is_a_valid_uscc_and_unique() -> None:
    agencies = demo_agencies()
    assert len(agencies) >= 30
    codes = [a["uscc"] for a in agencies]
    assert all(is_valid_uscc(code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_loaded_demo_covers_every_kind_tier_and_status(app: Flask) -> None:
    combos = {tuple(row) for row in db.session.execute(select(Record.kind, Record.severity, Record.status).distinct())}
    expected = {(k, t.value, s.value) for k in KINDS for t in DEFAULT_PERIODS for s in RecordStatus}
    assert expected <= combos
    assert db.session.scalar(select(func.count()).select_from(Record)) == 300
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 100
    assert (db.session.scalar(select(func.count()).select_from(Agency)) or 0) >= 30


def test_demo_records_follow_the_publication_rules(app: Flask) -> None:
    records = db.session.scalars(select(Record)).all()
    for record in records:
        shown = record.is_public(ANCHOR)
        if record.status in ("repaired", "revoked", "expired"):
            assert not shown, record.id
        else:
            assert shown, (record.id, record.status, record.publication_max_end)


def test_every_commitment_letter_is_stored_under_its_hash(app: Flask) -> None:
    import hashlib

    files_dir: Path = app.config["PORTAL_SETTINGS"].files_dir
    for commitment in db.session.scalars(select(Commitment)):
        assert commitment.letter is not None
        data = commitment.letter.path_in(files_dir).read_bytes()
        assert hashlib.sha256(data).hexdigest() == commitment.letter_sha256
        assert len(data) == commitment.letter.size


def test_loading_twice_changes_nothing(app: Flask) -> None:
    settings = app.config["PORTAL_SETTINGS"]
    summary = load_demo(300, 2026, ANCHOR, settings.files_dir, dict(settings.disclosure_periods))
    assert summary.already_loaded
    assert db.session.scalar(select(func.count()).select_from(Record)) == 300


def test_refuses_to_mix_demo_data_with_real_data(app: Flask) -> None:
    from portal.demo.models import DemoDataset

    db.session.execute(DemoDataset.__table__.delete())
    settings = app.config["PORTAL_SETTINGS"]
    with pytest.raises(DemoRefusedError):
        load_demo(300, 2026, ANCHOR, settings.files_dir, dict(settings.disclosure_periods))


def test_size_scales_the_records() -> None:
    assert len(generate(size=2000)) == 2000
