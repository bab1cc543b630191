"""password resets and sealed totp secrets

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 15:01:44.595288

The admin-issued password reset link (its SHA-256 and until when it works), and TOTP secrets sealed at rest
(portal/users/sealing.py): the column grows to hold a Fernet token and every stored secret is sealed under the key
derived from the running app's PORTAL_SECRET_KEY. Downgrading unseals them again; a secret that cannot be unsealed
with this key (sealed under another one) becomes NULL: that user sets the second factor up again.
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

import portal.db_types
from portal.users.sealing import seal, unseal

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer()), sa.column("totp_secret", sa.String()))


def _rewrite_secrets(change):
    """Each stored secret through `change` (old value -> new value), row by row."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None)))
    for user_id, value in rows.all():
        connection.execute(users.update().where(users.c.id == user_id).values(totp_secret=change(value)))


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reset_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reset_expires_at", portal.db_types.UTCDateTime(), nullable=True))
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=True
        )
        batch_op.create_unique_constraint(batch_op.f("uq_users_reset_token_hash"), ["reset_token_hash"])

    key = current_app.config["SECRET_KEY"]
    _rewrite_secrets(lambda value: value if unseal(value, key) is not None else seal(value, key))


def downgrade():
    key = current_app.config["SECRET_KEY"]
    _rewrite_secrets(lambda value: unseal(value, key))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_reset_token_hash"), type_="unique")
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=True
        )
        batch_op.drop_column("reset_expires_at")
        batch_op.drop_column("reset_token_hash")
