"""rectification plans (measures list, revisions, outcomes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import portal.db_types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


OLD_KINDS = "kind IN ('commitment', 'progress', 'fulfilment')"
NEW_KINDS = "kind IN ('commitment', 'progress', 'fulfilment', 'plan', 'completion')"
OLD_OUTCOMES = "outcome IN ('performed', 'settled', 'case_closed', 'overdue')"
NEW_OUTCOMES = "outcome IN ('performed', 'settled', 'case_closed')"


def upgrade():
    op.create_table('rectification_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_steps_rectification_id_rectifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_steps'))
    )
    with op.batch_alter_table('rectification_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_steps_rectification_id'), ['rectification_id'], unique=False)

    op.create_table('rectification_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('revised_on', sa.Date(), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_rectification_revisions_actor_id_users')),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_revisions_rectification_id_rectifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_revisions'))
    )
    with op.batch_alter_table('rectification_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_revisions_rectification_id'), ['rectification_id'], unique=False)

    # The one text of measures becomes the first (and only) measure of the list, due with the plan; it counts as
    # done when the case ended in a real result.
    op.execute(
        "INSERT INTO rectification_steps (rectification_id, position, text, deadline, done_on) "
        "SELECT id, 0, measures, deadline, CASE WHEN outcome IS NOT NULL AND outcome != 'overdue' "
        "THEN finished_on END FROM rectifications"
    )
    # 逾期未整改 is a state, not a result: a stored 'overdue' outcome becomes an open (and so overdue) case.
    op.execute("UPDATE rectifications SET outcome = NULL, finished_on = NULL WHERE outcome = 'overdue'")
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_basis', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_constraint(op.f('ck_rectifications_outcome_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_rectifications_outcome_known'), NEW_OUTCOMES)
        batch_op.drop_column('measures')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.alter_column('outcome_basis', server_default=None)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submissions_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_submissions_kind_known'), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM submissions WHERE kind IN ('plan', 'completion')")
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submissions_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_submissions_kind_known'), OLD_KINDS)

    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measures', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_constraint(op.f('ck_rectifications_outcome_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_rectifications_outcome_known'), OLD_OUTCOMES)
        batch_op.drop_column('outcome_basis')
    # the measures' texts go back into the one text column (their deadlines and dates done are lost)
    op.execute(
        "UPDATE rectifications SET measures = COALESCE((SELECT MIN(s.text) FROM rectification_steps s "
        "WHERE s.rectification_id = rectifications.id AND s.position = 0), '')"
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.alter_column('measures', server_default=None)

    with op.batch_alter_table('rectification_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_revisions_rectification_id'))
    op.drop_table('rectification_revisions')
    with op.batch_alter_table('rectification_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_steps_rectification_id'))
    op.drop_table('rectification_steps')
