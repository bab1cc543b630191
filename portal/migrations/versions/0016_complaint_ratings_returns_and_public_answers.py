"""complaint ratings, returns and public answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 17:28:25.207565

Issue 18: the complainant rates a closed complaint's answer (满意/基本满意/不满意, with a comment); after 不满意 staff may
return the case to the agency once; staff write the public version of the answer, checked for personal data.

Complaints published before this revision showed the internal answer verbatim, which is what the issue found naming
a complainant. They are withdrawn from publication here (and queued for the search index to drop) until staff
publish a checked public version of each.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_answer", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("rating", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("rating_comment", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("rated_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("returned_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("returned_answer_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("returned_close_due", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_complaints_rating_known"), "rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')"
        )
    _withdraw_publications()


def _withdraw_publications():
    """Every published complaint unpublished, and queued for the search index to drop."""
    connection = op.get_bind()
    numbers = connection.execute(sa.text("SELECT number FROM complaints WHERE published")).scalars().all()
    if numbers:
        connection.execute(sa.text("UPDATE complaints SET published = false WHERE published"))
        now = datetime.now(UTC).replace(tzinfo=None)
        connection.execute(
            sa.text("INSERT INTO search_outbox (item_key, created_at) VALUES (:key, :at)"),
            [{"key": f"complaint:{number}", "at": now} for number in numbers],
        )


def downgrade():
    # The code before this revision shows the internal answer of a published complaint: none stays published.
    _withdraw_publications()
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_complaints_rating_known"), type_="check")
        batch_op.drop_column("returned_close_due")
        batch_op.drop_column("returned_answer_due")
        batch_op.drop_column("returned_on")
        batch_op.drop_column("rated_on")
        batch_op.drop_column("rating_comment")
        batch_op.drop_column("rating")
        batch_op.drop_column("public_answer")
