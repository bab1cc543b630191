"""accounts and review

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import portal.db_types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_form_tokens',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('result_url', sa.String(length=300), nullable=False),
    sa.Column('used_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_used_form_tokens'))
    )
    op.create_table('record_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('corrected_on', sa.Date(), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_record_corrections_actor_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_record_corrections_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_corrections'))
    )
    with op.batch_alter_table('record_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_corrections_record_id'), ['record_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.db_types.UTCDateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('commitment', 'progress', 'fulfilment')", name=op.f('ck_submissions_kind_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'returned', 'rejected')", name=op.f('ck_submissions_status_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_submissions_agency_id_agencies')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_submissions_commitment_id_commitments')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_submissions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_submissions_record_id_records')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index('ix_submissions_queue', ['status', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_record_id'), ['record_id'], unique=False)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        # every commitment so far came from the demo loader, published
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False, server_default='published'))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.alter_column('code',
               existing_type=sa.VARCHAR(length=20),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_commitments_created_by_id_users'), 'users', ['created_by_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_commitments_state_known'), "state IN ('draft', 'submitted', 'returned', 'rejected', 'published')"
        )
        batch_op.create_check_constraint(
            op.f('ck_commitments_published_have_code'), "state != 'published' OR code IS NOT NULL"
        )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_version', server_default=None)



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_commitments_published_have_code'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_commitments_state_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_commitments_created_by_id_users'), type_='foreignkey')
        batch_op.alter_column('code',
               existing_type=sa.VARCHAR(length=20),
               nullable=False)
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('state')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_record_id'))
        batch_op.drop_index('ix_submissions_queue')
        batch_op.drop_index(batch_op.f('ix_submissions_commitment_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_agency_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('record_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_corrections_record_id'))

    op.drop_table('record_corrections')
    op.drop_table('used_form_tokens')
