"""complaints objections repairs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 12:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import portal.db_types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('number_sequences',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_number_sequences'))
    )
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('filer_type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('agency_typed', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('attachments', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('publish_consent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('refusal_reason', sa.String(length=24), nullable=True),
    sa.Column('agency_answer', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('accept_due', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('close_due', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("category IN ('arrears', 'broken_promise', 'contract', 'old_debts', 'other')", name=op.f('ck_complaints_category_known')),
    sa.CheckConstraint("filer_type IN ('individual', 'enterprise')", name=op.f('ck_complaints_filer_type_known')),
    sa.CheckConstraint("refusal_reason IN ('no_facts', 'duplicate', 'other_channel', 'not_our_jurisdiction')", name=op.f('ck_complaints_refusal_reason_known')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'not_accepted', 'transferred', 'answered', 'closed')", name=op.f('ck_complaints_status_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_complaints_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('number', name=op.f('uq_complaints_number'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_complaints_published', ['published', 'closed_on'], unique=False)
        batch_op.create_index('ix_complaints_queue', ['status', 'submitted_at'], unique=False)

    op.create_table('complaint_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', portal.db_types.UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'not_accepted', 'transferred', 'answered', 'closed')", name=op.f('ck_complaint_steps_status_known')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_steps_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_steps'))
    )
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_steps_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('repair_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('pledge_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('decide_due', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('submitted_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'approved', 'rejected')", name=op.f('ck_repair_applications_status_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_repair_applications_agency_id_agencies')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_repair_applications_applicant_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_repair_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['pledge_sha256'], ['stored_files.sha256'], name=op.f('fk_repair_applications_pledge_sha256_stored_files')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_repair_applications_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_applications'))
    )
    with op.batch_alter_table('repair_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repair_applications_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_repair_applications_queue', ['status', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_repair_applications_record_id'), ['record_id'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('ground', sa.String(length=16), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('accept_due', sa.Date(), nullable=False),
    sa.Column('verify_due', sa.Date(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=False),
    sa.Column('correction_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("ground IN ('wrong', 'omission', 'duplicate', 'should_not', 'overdue', 'mismatch')", name=op.f('ck_objections_ground_known')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'corrected', 'revoked', 'upheld')", name=op.f('ck_objections_status_known')),
    sa.ForeignKeyConstraint(['correction_id'], ['record_corrections.id'], name=op.f('fk_objections_correction_id_record_corrections')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_objections_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections')),
    sa.UniqueConstraint('number', name=op.f('uq_objections_number'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index('ix_objections_queue', ['status', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_record_id'), ['record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_record_id'))
        batch_op.drop_index('ix_objections_queue')

    op.drop_table('objections')
    with op.batch_alter_table('repair_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repair_applications_record_id'))
        batch_op.drop_index('ix_repair_applications_queue')
        batch_op.drop_index(batch_op.f('ix_repair_applications_agency_id'))

    op.drop_table('repair_applications')
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_steps_complaint_id'))

    op.drop_table('complaint_steps')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_queue')
        batch_op.drop_index('ix_complaints_published')
        batch_op.drop_index(batch_op.f('ix_complaints_agency_id'))

    op.drop_table('complaints')
    op.drop_table('number_sequences')
