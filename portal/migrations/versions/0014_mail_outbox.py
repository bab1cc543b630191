"""mail outbox

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:49:19.505748

The outbox of e-mail (portal/mail, issue 18): each message written with the change that causes it, sent after the
commit by the request's hook or `flask mail send`, retried with backoff and kept (with its error) when given up.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import portal.db_types

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("about", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", portal.db_types.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", portal.db_types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", portal.db_types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name=op.f("ck_mail_outbox_status_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_about"), ["about"], unique=False)
        batch_op.create_index("ix_mail_outbox_due", ["status", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_due")
        batch_op.drop_index(batch_op.f("ix_mail_outbox_about"))

    op.drop_table("mail_outbox")
