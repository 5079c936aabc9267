"""a generated file may belong to a person rather than a partnership (their data, /mesdonnees)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generated_document") as batch:
        batch.alter_column("partnership_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM generated_document WHERE partnership_id IS NULL")
    with op.batch_alter_table("generated_document") as batch:
        batch.alter_column("partnership_id", existing_type=sa.Integer(), nullable=False)
