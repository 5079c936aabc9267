"""organisations and coordinators, steering meetings, health, alerts and weekly digests

Each partnership's free-text names become organisations: one per creator and name (two
people who typed the same name are not assumed to be the same organisation), with the
details the creator's conventions typed for it. Nothing is removed: the names stay on the
partnership and the typed details in its convention.

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-12 10:00:00
"""

import re

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
    """One organisation per creator and typed name (compared without case or spacing), with
    the details their conventions typed for it: the latest partnership's that says any, as
    the application keeps the last details typed. Each partnership then points at its two.
    The names stay as typed on the partnerships, the details in their conventions."""
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
    # (creator, name as compared): {"name", "created_at", "details"}, then its id.
    found: dict[tuple[int, str], dict] = {}
    sides: list[tuple[int, tuple | None, tuple | None]] = []
    for row in rows:
        parties = (row.convention or {}).get("_parties") or {}
        if not isinstance(parties, dict):
            parties = {}
        keys = []
        for name, typed in (
            (row.our_organisation, parties.get("ours")),
            (row.partner_name, parties.get("partner")),
        ):
            key = _key(row.created_by, name)
            if key is not None:
                entry = found.setdefault(
                    key, {"name": name.strip()[:200], "created_at": row.created_at, "details": {}}
                )
                entry["details"] = _details(typed) or entry["details"]
            keys.append(key)
        sides.append((row.id, keys[0], keys[1]))
    ids = {}
    for key, entry in found.items():
        values = {"name": entry["name"], "created_by": key[0], **entry["details"]}
        values.update(created_at=entry["created_at"], updated_at=entry["created_at"])
        ids[key] = bind.execute(
            organisation.insert().values(**values).returning(organisation.c.id)
        ).scalar_one()
    for partnership_id, ours, partner in sides:
        bind.execute(
            partnership.update()
            .where(partnership.c.id == partnership_id)
            .values(our_organisation_id=ids.get(ours), partner_organisation_id=ids.get(partner))
        )


def _key(creator: int, name: str | None) -> tuple[int, str] | None:
    """Two names are one organisation of that creator when they differ only by case or
    spacing; another creator's same name is another organisation (nobody reaches another
    person's organisation by typing its name)."""
    if not isinstance(name, str) or not name.strip():
        return None
    return creator, " ".join(name.casefold().split())


# The words people type before a detail that the party's block already writes, as the
# application strips them (flows.convention.PARTY_LABELS, copied: a migration stays as it
# was written whatever the code becomes).
LABELS = {
    "seat": re.compile(r"^(siège( social)?|registered office|head office)\s*[:：-]?\s*", re.I),
    "representative": re.compile(r"^(représenté(e)?( par)?|represented by)\s*[:：-]?\s*", re.I),
}


def _details(text: str | None) -> dict[str, str]:
    """A convention's typed party details ("legal form ; seat ; identifier ; representative",
    or one per line), their labels left out; empty when nothing is said."""
    if not isinstance(text, str) or not text.strip():
        return {}
    separator = ";" if ";" in text else "\n"
    parts = [part.strip() for part in text.split(separator)][: len(PARTY_FIELDS)]
    details = {}
    for field, part in zip(PARTY_FIELDS, parts, strict=False):
        if field in LABELS:
            part = LABELS[field].sub("", part, count=1).strip()
        if part:
            details[field] = part[: LIMITS[field]]
    return details


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
