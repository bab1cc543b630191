"""joint measures (eight kinds, implementing unit, confirmation, lifting)

A joint measure (联合惩戒) now belongs to the record rather than to its rectification (书面警示 and 约谈告诫 may come
before any plan), names the agency that carries it out (implementing_agency_id, in place of the free text
applied_by), its 文号, basis, the confirmation 已落实 and the lifting (date, reason), each with who did it.

The codes stored so far stay (interview, limit_financing, no_honours, recorded, limit_project_approval,
limit_subsidies, limit_consumption: only their labels took the documents' wording, e.g. 约谈告诫, 取消评先评优,
记入信用信息系统, 限制财政补助/资金拨付, 限制高消费); 书面警示 (written_warning) is new. An old row's implementing
unit is the agency named by its applied_by text, else the parent of the record's body, else the body itself; its
basis is 新信用发〔2018〕6号 (五), the clause the overdue measures came from.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 23:30:00

"""

from alembic import op
import sqlalchemy as sa

import portal.db_types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "kind IN ('interview', 'limit_financing', 'no_honours', 'recorded', 'limit_project_approval', "
    "'limit_subsidies', 'limit_consumption')"
)
NEW_KINDS = (
    "kind IN ('written_warning', 'interview', 'limit_financing', 'no_honours', 'recorded', "
    "'limit_project_approval', 'limit_subsidies', 'limit_consumption')"
)
USERS = ("applied_by_id", "confirmed_by_id", "lifted_by_id")


def _now() -> str:
    """The current instant in UTC, as the UTCDateTime columns store it (naive)."""
    return "(now() AT TIME ZONE 'UTC')" if op.get_bind().dialect.name == "postgresql" else "CURRENT_TIMESTAMP"


def upgrade():
    with op.batch_alter_table("joint_measures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("implementing_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("document_number", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("basis", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("applied_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("confirm_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lifted_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("lift_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("lifted_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("created_at", portal.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", portal.db_types.UTCDateTime(), nullable=True))
        batch_op.drop_constraint(op.f("ck_joint_measures_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_joint_measures_kind_known"), NEW_KINDS)

    op.execute(
        "UPDATE joint_measures SET record_id = "
        "(SELECT r.record_id FROM rectifications r WHERE r.id = joint_measures.rectification_id)"
    )
    op.execute(
        "UPDATE joint_measures SET implementing_agency_id = COALESCE("
        "(SELECT MIN(a.id) FROM agencies a WHERE a.name = joint_measures.applied_by), "
        "(SELECT a.parent_id FROM records r JOIN agencies a ON a.id = r.agency_id "
        "WHERE r.id = joint_measures.record_id), "
        "(SELECT r.agency_id FROM records r WHERE r.id = joint_measures.record_id))"
    )
    op.execute(
        f"UPDATE joint_measures SET basis = '新信用发〔2018〕6号 (五)', created_at = {_now()}, updated_at = {_now()}"
    )

    with op.batch_alter_table("joint_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_measures_rectification_id"))
        batch_op.drop_constraint(op.f("fk_joint_measures_rectification_id_rectifications"), type_="foreignkey")
        batch_op.drop_column("rectification_id")
        batch_op.drop_column("applied_by")
        batch_op.alter_column("record_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("implementing_agency_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("created_at", existing_type=portal.db_types.UTCDateTime(), nullable=False)
        batch_op.alter_column("updated_at", existing_type=portal.db_types.UTCDateTime(), nullable=False)
        for column in ("document_number", "basis", "confirm_note", "lift_reason"):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_foreign_key(op.f("fk_joint_measures_record_id_records"), "records", ["record_id"], ["id"])
        batch_op.create_foreign_key(
            op.f("fk_joint_measures_implementing_agency_id_agencies"), "agencies", ["implementing_agency_id"], ["id"]
        )
        for column in USERS:
            batch_op.create_foreign_key(op.f(f"fk_joint_measures_{column}_users"), "users", [column], ["id"])
        batch_op.create_index(batch_op.f("ix_joint_measures_record_id"), ["record_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_joint_measures_implementing_agency_id"), ["implementing_agency_id"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_joint_measures_confirmed_after_start"), "confirmed_on IS NULL OR confirmed_on >= applied_on"
        )
        batch_op.create_check_constraint(
            op.f("ck_joint_measures_lifted_after_start"), "lifted_on IS NULL OR lifted_on >= applied_on"
        )


def downgrade():
    with op.batch_alter_table("joint_measures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rectification_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("applied_by", sa.String(length=200), nullable=False, server_default=""))
    # a measure of a record without a rectification has nowhere to go back to; 书面警示 was not a kind before
    op.execute(
        "DELETE FROM joint_measures WHERE NOT EXISTS "
        "(SELECT 1 FROM rectifications r WHERE r.record_id = joint_measures.record_id)"
    )
    op.execute("UPDATE joint_measures SET kind = 'interview' WHERE kind = 'written_warning'")
    op.execute(
        "UPDATE joint_measures SET "
        "rectification_id = (SELECT r.id FROM rectifications r WHERE r.record_id = joint_measures.record_id), "
        "applied_by = COALESCE((SELECT a.name FROM agencies a WHERE a.id = joint_measures.implementing_agency_id), '')"
    )
    with op.batch_alter_table("joint_measures", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_joint_measures_lifted_after_start"), type_="check")
        batch_op.drop_constraint(op.f("ck_joint_measures_confirmed_after_start"), type_="check")
        batch_op.drop_constraint(op.f("ck_joint_measures_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_joint_measures_kind_known"), OLD_KINDS)
        batch_op.drop_index(batch_op.f("ix_joint_measures_implementing_agency_id"))
        batch_op.drop_index(batch_op.f("ix_joint_measures_record_id"))
        for column in reversed(USERS):
            batch_op.drop_constraint(op.f(f"fk_joint_measures_{column}_users"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_joint_measures_implementing_agency_id_agencies"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_joint_measures_record_id_records"), type_="foreignkey")
        for column in (
            "updated_at",
            "created_at",
            "lifted_by_id",
            "lift_reason",
            "lifted_on",
            "confirmed_by_id",
            "confirm_note",
            "confirmed_on",
            "applied_by_id",
            "basis",
            "document_number",
            "implementing_agency_id",
            "record_id",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("rectification_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("applied_by", server_default=None)
        batch_op.create_foreign_key(
            op.f("fk_joint_measures_rectification_id_rectifications"), "rectifications", ["rectification_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_joint_measures_rectification_id"), ["rectification_id"], unique=False)
