"""user mail settings and text messages

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 18:00:00

Issue 18. Users get a work e-mail address, the daily digest of the 工作台账 they opt in to, and the language of their
messages (portal/mail/digest.py). The mail outbox gets a channel: e-mail, or a text message to a filer who gave a
phone but no e-mail address (portal/mail/sms.py), and a status for a text the development backend only logged
(logged: never sent). Downgrading removes the text messages (e-mail stays) and the users' mail settings.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('queued', 'sent', 'failed')"
NEW_STATUSES = "status IN ('queued', 'sent', 'failed', 'logged')"
KEEP = {"sqlite_autoincrement": True}  # SQLite rebuilds the table: ids are still never reused (Message-IDs)


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("daily_digest", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("mail_language", sa.String(length=8), nullable=False, server_default="zh_CN"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("email", server_default=None)
        batch_op.alter_column("daily_digest", server_default=None)
        batch_op.alter_column("mail_language", server_default=None)

    with op.batch_alter_table("mail_outbox", schema=None, table_kwargs=KEEP) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=8), nullable=False, server_default="email"))
        batch_op.create_check_constraint(op.f("ck_mail_outbox_channel_known"), "channel IN ('email', 'sms')")
        batch_op.drop_constraint(op.f("ck_mail_outbox_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mail_outbox_status_known"), NEW_STATUSES)
    with op.batch_alter_table("mail_outbox", schema=None, table_kwargs=KEEP) as batch_op:
        batch_op.alter_column("channel", server_default=None)


def downgrade():
    outbox = sa.table("mail_outbox", sa.column("channel", sa.String()))
    op.execute(outbox.delete().where(outbox.c.channel == "sms"))  # only texts are ever logged
    with op.batch_alter_table("mail_outbox", schema=None, table_kwargs=KEEP) as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_outbox_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mail_outbox_status_known"), OLD_STATUSES)
        batch_op.drop_constraint(op.f("ck_mail_outbox_channel_known"), type_="check")
        batch_op.drop_column("channel")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mail_language")
        batch_op.drop_column("daily_digest")
        batch_op.drop_column("email")
