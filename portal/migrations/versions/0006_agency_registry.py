"""agency registry (names, close, merge, positive information)

Agencies get a standing (存续 / 已撤销 / 已合并) with the date, a note and, merged, the agency they went into;
their former names (曾用名) are kept with the last day each was used; and positive information (表彰、奖励、守信践诺,
泰信用办〔2022〕12号 三(四)) is entered per agency.

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
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        # existing agencies are all in force: the server default fills them in
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='active'))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closing_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_agencies_status_known'), "status IN ('active', 'closed', 'merged')")
        batch_op.create_foreign_key(
            op.f('fk_agencies_merged_into_id_agencies'), 'agencies', ['merged_into_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_agencies_parent_id'), ['parent_id'], unique=False)

    op.create_table('agency_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('used_until', sa.Date(), nullable=False),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_names_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_names'))
    )
    with op.batch_alter_table('agency_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_names_agency_id'), ['agency_id'], unique=False)

    op.create_table('agency_positive_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('awarding_unit', sa.String(length=200), nullable=False),
    sa.Column('document_number', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.Column('removed_at', portal.db_types.UTCDateTime(), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('commendation', 'award', 'kept_faith')", name=op.f('ck_agency_positive_items_kind_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_positive_items_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_positive_items'))
    )
    with op.batch_alter_table('agency_positive_items', schema=None) as batch_op:
        batch_op.create_index('ix_agency_positive_items_agency', ['agency_id', 'awarded_on'], unique=False)


def downgrade():
    with op.batch_alter_table('agency_positive_items', schema=None) as batch_op:
        batch_op.drop_index('ix_agency_positive_items_agency')
    op.drop_table('agency_positive_items')
    with op.batch_alter_table('agency_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_names_agency_id'))
    op.drop_table('agency_names')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_parent_id'))
        batch_op.drop_constraint(op.f('fk_agencies_merged_into_id_agencies'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_agencies_status_known'), type_='check')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('closing_note')
        batch_op.drop_column('closed_on')
        batch_op.drop_column('status')
