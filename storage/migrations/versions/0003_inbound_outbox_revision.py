"""inbound updates, outbox, partnership revision

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_inbound_handled_at", "inbound", ["handled_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("flow_session_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_chat_status", "outbox", ["chat_id", "status"])
    op.create_index("ix_outbox_status_due", "outbox", ["status", "next_attempt_at"])
    with op.batch_alter_table("partnership") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    # Handled updates are now claimed in `inbound`, atomically.
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("last_update_id")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("last_update_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("partnership") as batch:
        batch.drop_column("revision")
    op.drop_index("ix_outbox_status_due", table_name="outbox")
    op.drop_index("ix_outbox_chat_status", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_inbound_handled_at", table_name="inbound")
    op.drop_table("inbound")
