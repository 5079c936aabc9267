"""evaluation check-ins: rounds, invites, respondents, unreachable users

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 23:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "kind", "due_at"),
    )
    op.create_index("ix_checkin_round_status", "checkin_round", ["status"])
    op.create_index("ix_checkin_round_partnership_id", "checkin_round", ["partnership_id"])
    op.create_table(
        "checkin_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("side", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["checkin_round.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "user_id"),
    )
    op.create_index("ix_checkin_invite_round_id", "checkin_invite", ["round_id"])
    op.create_index("ix_checkin_invite_user_id", "checkin_invite", ["user_id"])
    with op.batch_alter_table("membership") as batch:
        batch.add_column(
            sa.Column("respondent", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True)
        )
    with op.batch_alter_table("flow_session") as batch:
        batch.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch.create_index("ix_flow_session_round_id", ["round_id"])
    with op.batch_alter_table("stage_move") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("stage_move") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("flow_session") as batch:
        batch.drop_index("ix_flow_session_round_id")
        batch.drop_column("round_id")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("display_name")
        batch.drop_column("unreachable_at")
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("respondent")
    op.drop_table("checkin_invite")
    op.drop_table("checkin_round")
