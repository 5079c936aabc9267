"""organisations and coordinators, steering meetings, health, alerts and weekly digests

Each partnership's free-text names become organisations: one per creator and name (two
people who typed the same name are not assumed to be the same organisation), with the
details the creator's conventions typed for it. Nothing is removed: the names stay on the
partnership and the typed details in its convention.

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-12 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PARTY_FIELDS = ("legal_form", "seat", "identifier", "representative")
LIMITS = {"legal_form": 200, "seat": 300, "identifier": 64, "representative": 200}


def upgrade() -> None:
    _create_organisations()
    _create_health()
    with op.batch_alter_table("partnership") as batch:
        batch.add_column(sa.Column("our_organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("partner_organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_partnership_our_organisation", "organisation", ["our_organisation_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_partnership_partner_organisation",
            "organisation",
            ["partner_organisation_id"],
            ["id"],
        )
        batch.create_index("ix_partnership_our_organisation_id", ["our_organisation_id"])
        batch.create_index("ix_partnership_partner_organisation_id", ["partner_organisation_id"])
    with op.batch_alter_table("meeting_note") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="note",
            )
        )
        batch.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_invitation_organisation", "organisation", ["organisation_id"], ["id"]
        )
    _organisations_from_names()


def _create_organisations() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", text(length=200), nullable=False),
        sa.Column("kind", text(length=24), nullable=True),
        sa.Column("legal_form", text(length=200), nullable=True),
        sa.Column("seat", text(length=300), nullable=True),
        sa.Column("identifier", text(length=64), nullable=True),
        sa.Column("representative", text(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "coordinator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["invited_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "user_id"),
    )
    op.create_index("ix_coordinator_organisation_id", "coordinator", ["organisation_id"])
    op.create_index("ix_coordinator_user_id", "coordinator", ["user_id"])


def _create_health() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "partnership_health",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("light", text(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("stamp", text(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recheck_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("partnership_id"),
    )
    op.create_index("ix_partnership_health_recheck_at", "partnership_health", ["recheck_at"])
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("signal", text(length=32), nullable=False),
        sa.Column("subject", text(length=64), nullable=False),
        sa.Column("level", text(length=8), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("state", text(length=16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["handled_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_partnership_state", "alert", ["partnership_id", "state"])
    op.create_table(
        "digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", text(length=10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "week"),
    )
    op.create_index("ix_digest_user_id", "digest", ["user_id"])


def _organisations_from_names() -> None:
    """One organisation per creator and typed name, with the details their conventions typed
    (the first one that says anything); the partnership then points at both of its own."""
    bind = op.get_bind()
    meta = sa.MetaData()
    partnership = sa.Table("partnership", meta, autoload_with=bind)
    organisation = sa.Table("organisation", meta, autoload_with=bind)
    rows = bind.execute(
        sa.select(
            partnership.c.id,
            partnership.c.created_by,
            partnership.c.our_organisation,
            partnership.c.partner_name,
            partnership.c.convention,
            partnership.c.created_at,
        ).order_by(partnership.c.id)
    ).all()
    known: dict[tuple[int, str], int] = {}

    def organisation_id(creator: int, name: str | None, details: str | None, at) -> int | None:
        if not name or not name.strip():
            return None
        key = (creator, " ".join(name.lower().split()))
        if key not in known:
            values = {"name": name.strip()[:200], "created_by": creator}
            values.update(_details(details))
            values.update(created_at=at, updated_at=at)
            known[key] = bind.execute(
                organisation.insert().values(**values).returning(organisation.c.id)
            ).scalar_one()
        return known[key]

    for row in rows:
        parties = (row.convention or {}).get("_parties") or {}
        ours = organisation_id(
            row.created_by, row.our_organisation, parties.get("ours"), row.created_at
        )
        partner = organisation_id(
            row.created_by, row.partner_name, parties.get("partner"), row.created_at
        )
        bind.execute(
            partnership.update()
            .where(partnership.c.id == row.id)
            .values(our_organisation_id=ours, partner_organisation_id=partner)
        )


def _details(text: str | None) -> dict[str, str]:
    """A convention's typed party details ("legal form ; seat ; identifier ; representative")."""
    if not isinstance(text, str) or not text.strip():
        return {}
    separator = ";" if ";" in text else "\n"
    parts = [part.strip() for part in text.split(separator)][: len(PARTY_FIELDS)]
    return {
        field: part[: LIMITS[field]]
        for field, part in zip(PARTY_FIELDS, parts, strict=False)
        if part
    }


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_constraint("fk_invitation_organisation", type_="foreignkey")
        batch.drop_column("organisation_id")
    with op.batch_alter_table("meeting_note") as batch:
        batch.drop_column("held_at")
        batch.drop_column("kind")
    with op.batch_alter_table("partnership") as batch:
        batch.drop_index("ix_partnership_partner_organisation_id")
        batch.drop_index("ix_partnership_our_organisation_id")
        batch.drop_constraint("fk_partnership_partner_organisation", type_="foreignkey")
        batch.drop_constraint("fk_partnership_our_organisation", type_="foreignkey")
        batch.drop_column("partner_organisation_id")
        batch.drop_column("our_organisation_id")
    for table in ("digest", "alert", "partnership_health", "coordinator", "organisation"):
        op.drop_table(table)
