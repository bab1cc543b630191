"""joint measures (eight kinds, implementing unit, confirmation, lifting)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
