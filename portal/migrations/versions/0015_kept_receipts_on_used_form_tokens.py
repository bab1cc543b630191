"""kept receipts on used form tokens

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:27:18.368158

A spent form token keeps, sealed, what a second post of the same form is shown again (issue 18: a double click shows
the same receipt, number and secret, for 10 minutes; portal/receipts/sealing.py). Nullable: older tokens keep nothing.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("used_form_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_sealed", sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table("used_form_tokens", schema=None) as batch_op:
        batch_op.drop_column("kept_sealed")
