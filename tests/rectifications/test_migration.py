"""Migration 0007: each plan's one text of measures becomes its first measure, and a stored 'overdue' outcome
becomes no outcome (逾期未整改 is a state, not a result); downgrading brings the text back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db

AGENCY = (
    "INSERT INTO agencies (id, uscc, name, kind, region_code, region_name, legal_representative, created_at) "
    "VALUES (1, '11990121MB0000001X', '演示县财政局', 'department', '990121', '演示县', '', '2026-01-01')"
)
RECORD = (
    "INSERT INTO records (id, kind, agency_id, title, summary, severity, deciding_authority, deciding_authority_code, "
    "source_unit, document_number, decision_date, publication_start, publication_min_end, publication_max_end, status, "
    "stop_note, objection_open, repair_open, details, created_at, updated_at) VALUES (:id, 'arrears', 1, 't', '', "
    "'general', 'a', '', 's', :doc, '2026-01-10', '2026-01-10', '2026-04-10', '2027-01-10', :status, '', 0, 0, '{}', "
    "'2026-01-10', '2026-01-10')"
)
RECTIFICATION = (
    "INSERT INTO rectifications (id, record_id, responsible_unit, responsible_post, measures, deadline, outcome, "
    "finished_on, outcome_summary, created_at, updated_at) VALUES (:id, :id, 'u', 'p', :measures, '2026-03-01', "
    ":outcome, :finished, '', '2026-01-10', '2026-01-10')"
)


def test_measures_and_overdue_outcomes_are_migrated(tmp_path: Path) -> None:
    app = create_app(
        {
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.db'}",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_SECRET_KEY": "test-secret-key-" + "x" * 32,
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        }
    )
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            connection.execute(sa.text(AGENCY))
            connection.execute(sa.text(RECORD), {"id": 1, "doc": "d1", "status": "fulfilled"})
            connection.execute(sa.text(RECORD), {"id": 2, "doc": "d2", "status": "public"})
            connection.execute(
                sa.text(RECTIFICATION),
                {"id": 1, "measures": "筹措资金", "outcome": "performed", "finished": "2026-02-01"},
            )
            connection.execute(
                sa.text(RECTIFICATION),
                {"id": 2, "measures": "限期付款", "outcome": "overdue", "finished": "2026-03-05"},
            )
        upgrade(revision="0007")
        with db.engine.connect() as connection:
            outcomes = connection.execute(
                sa.text("SELECT id, outcome, finished_on FROM rectifications ORDER BY id")
            ).all()
            steps = connection.execute(
                sa.text(
                    "SELECT rectification_id, position, text, deadline, done_on FROM rectification_steps ORDER BY 1"
                )
            ).all()
        assert [tuple(row) for row in outcomes] == [(1, "performed", "2026-02-01"), (2, None, None)]
        assert [tuple(row) for row in steps] == [
            (1, 0, "筹措资金", "2026-03-01", "2026-02-01"),
            (2, 0, "限期付款", "2026-03-01", None),
        ]
        downgrade(revision="0006")
        with db.engine.connect() as connection:
            measures = connection.execute(sa.text("SELECT measures FROM rectifications ORDER BY id")).scalars().all()
        assert measures == ["筹措资金", "限期付款"]
        db.engine.dispose()
