"""the final evaluation: a round says it is the full review due at the convention's end

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-05 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkin_round") as batch:
        batch.add_column(
            sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("checkin_round") as batch:
        batch.drop_column("final")
