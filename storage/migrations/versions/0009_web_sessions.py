"""the dashboard's sign-in: one-time login links and browser sessions

Only the tokens' hashes are stored. Both tables point at the user and are emptied of a
user's rows when they are erased.

Revision ID: 0009
Revises: 0008
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "web_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", text(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_login_token_hash", "web_login", ["token_hash"], unique=True)
    op.create_index("ix_web_login_user_id", "web_login", ["user_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", text(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", text(length=64), nullable=False),
        sa.Column("via", text(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_session_token_hash", "web_session", ["token_hash"], unique=True)
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_session_user_id", table_name="web_session")
    op.drop_index("ix_web_session_token_hash", table_name="web_session")
    op.drop_table("web_session")
    op.drop_index("ix_web_login_user_id", table_name="web_login")
    op.drop_index("ix_web_login_token_hash", table_name="web_login")
    op.drop_table("web_login")
