"""arrears (repayment plan, payments, promised incentives, complaint links)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import portal.db_types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
# The kind field whose amount records.amount_fen keeps (portal/records/models.py AMOUNT_FIELDS, as of this revision).
AMOUNT_FIELDS = {'arrears': 'amount_owed', 'investment_promise': 'amount'}


def upgrade():
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_fen', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_records_kind_amount', ['kind', 'amount_fen', 'id', 'status', 'publication_max_end', 'publication_start', 'agency_id'], unique=False)
        # the kind list's index also carries the amount: the money on public arrears is summed inside it
        batch_op.drop_index('ix_records_kind_newest')
        batch_op.create_index('ix_records_kind_newest', ['kind', 'publication_start', 'id', 'status', 'publication_max_end', 'agency_id', 'amount_fen'], unique=False)

    # Backfill from each record's details (money is integer fen there).
    records = sa.table('records', sa.column('id', sa.Integer()), sa.column('kind', sa.String()), sa.column('details', JSON), sa.column('amount_fen', sa.BigInteger()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(records.c.id, records.c.kind, records.c.details).where(records.c.kind.in_(list(AMOUNT_FIELDS)))).all()
    for record_id, kind, details in rows:
        amount = (details or {}).get(AMOUNT_FIELDS[kind])
        if isinstance(amount, int) and not isinstance(amount, bool):
            connection.execute(records.update().where(records.c.id == record_id).values(amount_fen=amount))

    op.create_table('arrears_terms',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('subtype', sa.String(length=16), nullable=False),
    sa.Column('updated_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("subtype IN ('construction', 'goods', 'materials', 'deposit', 'policy', 'other')", name=op.f('ck_arrears_terms_subtype_known')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_arrears_terms_record_id_records')),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_arrears_terms'))
    )
    op.create_table('arrears_instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_arrears_instalments_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrears_instalments'))
    )
    with op.batch_alter_table('arrears_instalments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrears_instalments_record_id'), ['record_id'], unique=False)

    op.create_table('promised_incentives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_promised_incentives_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promised_incentives'))
    )
    with op.batch_alter_table('promised_incentives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promised_incentives_record_id'), ['record_id'], unique=False)

    op.create_table('arrears_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('incentive_id', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('evidence', JSON, nullable=False),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incentive_id'], ['promised_incentives.id'], name=op.f('fk_arrears_payments_incentive_id_promised_incentives')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_arrears_payments_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrears_payments'))
    )
    with op.batch_alter_table('arrears_payments', schema=None) as batch_op:
        batch_op.create_index('ix_arrears_payments_record', ['record_id', 'paid_on'], unique=False)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_complaints_record_id'), ['record_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_complaints_record_id_records'), 'records', ['record_id'], ['id'])


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_record_id_records'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_complaints_record_id'))
        batch_op.drop_column('record_id')

    with op.batch_alter_table('arrears_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_arrears_payments_record')
    op.drop_table('arrears_payments')
    with op.batch_alter_table('promised_incentives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promised_incentives_record_id'))
    op.drop_table('promised_incentives')
    with op.batch_alter_table('arrears_instalments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrears_instalments_record_id'))
    op.drop_table('arrears_instalments')
    op.drop_table('arrears_terms')

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_kind_amount')
        batch_op.drop_index('ix_records_kind_newest')
        batch_op.create_index('ix_records_kind_newest', ['kind', 'publication_start', 'id', 'status', 'publication_max_end', 'agency_id'], unique=False)
        batch_op.drop_column('amount_fen')
