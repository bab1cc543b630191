"""arrears (repayment plan, payments, promised incentives, complaint links)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
