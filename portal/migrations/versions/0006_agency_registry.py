"""agency registry (names, close, merge, positive information)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
