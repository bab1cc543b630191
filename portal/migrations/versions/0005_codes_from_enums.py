"""codes from enums: users.role gets the CHECK every other stored code has

Every stored code (status, kind, category, role) is now a LabelledEnum column whose CHECK constraint is built
from the same enum (portal/db_types.py: Coded and one_of); users.role was the one code column without one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 23:00:00

"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_users_role_known'), "role IN ('officer', 'staff', 'admin')")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
