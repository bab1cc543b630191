"""alert subscriptions

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 18:10:00.000000

E-mail alerts for followers (portal/alerts, issue 18): an address following a feed (a list with its filters, a
search, an agency), pending until confirmed, with what was already sent. Unsubscribing deletes the row.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import portal.db_types

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("feed", sa.String(length=2000), nullable=False),
        sa.Column("feed_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("requested_at", portal.db_types.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", portal.db_types.UTCDateTime(), nullable=True),
        sa.Column("checked_at", portal.db_types.UTCDateTime(), nullable=True),
        sa.Column(
            "seen", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", portal.db_types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("frequency IN ('immediate', 'daily')", name=op.f("ck_alert_subscriptions_frequency_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriptions")),
        sa.UniqueConstraint("feed_key", "email", name="uq_alert_subscriptions_feed_key_email"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_alert_subscriptions_due", ["frequency", "confirmed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_subscriptions_due")

    op.drop_table("alert_subscriptions")
