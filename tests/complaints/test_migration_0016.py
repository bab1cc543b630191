"""Migration 0016 (issue 18): a complaint published before it showed its internal answer verbatim, so the upgrade
withdraws every publication (and queues it for the search index to drop); the downgrade does the same, since the
code before it would show the internal answer again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db

COMPLAINT = (
    "INSERT INTO complaints (number, secret_hash, filer_type, name, uscc, phone, email, category, description,"
    " attachments, publish_consent, status, agency_answer, answer, filed_on, accept_due, answer_due, close_due,"
    " closed_on, published, submitted_at, updated_at, agency_typed)"
    " VALUES (:number, :hash, 'individual', '欧阳小明', '', '', '', 'arrears', '欠款', '[]', :yes, 'closed', '',"
    " :answer, '2026-11-02', '2026-11-04', '2026-11-16', '2026-11-23', '2026-11-20', :yes,"
    " '2026-11-02', '2026-11-20', '')"
)


def published_and_queued(connection: sa.Connection) -> tuple[list[str], list[str]]:
    published = connection.execute(sa.text("SELECT number FROM complaints WHERE published ORDER BY number"))
    queued = connection.execute(sa.text("SELECT item_key FROM search_outbox ORDER BY id"))
    return list(published.scalars()), list(queued.scalars())


def test_publications_are_withdrawn_both_ways(tmp_path: Path) -> None:
    app = create_app(
        {
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.db'}",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        }
    )
    with app.app_context():
        upgrade(revision="0015")
        with db.engine.begin() as connection:
            for number, consented in (("TS-2026-000001", True), ("TS-2026-000002", False)):
                values = {"number": number, "hash": "0" * 64, "yes": consented, "answer": "欧阳小明您好，已支付。"}
                connection.execute(sa.text(COMPLAINT), values)
        upgrade(revision="0016")
        with db.engine.connect() as connection:
            assert published_and_queued(connection) == ([], ["complaint:TS-2026-000001"])
        with db.engine.begin() as connection:  # staff publish the checked public version again
            connection.execute(sa.text("UPDATE complaints SET published = true, public_answer = '已支付。'"))
        downgrade(revision="0015")
        with db.engine.connect() as connection:
            published, queued = published_and_queued(connection)
        assert published == []
        assert queued.count("complaint:TS-2026-000002") == 1
        db.engine.dispose()
