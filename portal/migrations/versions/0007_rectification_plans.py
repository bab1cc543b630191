"""rectification plans (measures list, revisions, outcomes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
