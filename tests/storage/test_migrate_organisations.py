"""Migration 0008 on a database the previous schema filled: each creator's typed names become
organisations with the details their conventions typed, nothing is lost, nothing is shared
between creators. On SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from storage.migrate import upgrade
from tests.conftest import POSTGRES_URL

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
OURS_TYPED = (
    "association loi 1901 ; Siège : 12 rue de la Paix, 69008 Lyon ; RNA W691234567 ; "
    "représentée par Claire Durand, présidente"
)
OURS_LATER = "association loi 1901 ; 14 rue de la Paix, 69008 Lyon ; RNA W691234567"
PARTNER_TYPED = "SAS\n3 place Bellecour, 69002 Lyon\nSIREN 812 345 678\nMarc Martin, gérant"


def convention(ours: str | None = None, partner: str | None = None) -> dict:
    return {
        "duration": {"status": "in_place", "text": "Deux ans"},
        "_parties": {"ours": ours, "partner": partner},
    }


# (id, creator, our organisation, partner, convention) as the previous schema kept them.
PARTNERSHIPS = [
    (1, 1, "Association Rebond", "Boulangeries Martin", convention(OURS_TYPED, PARTNER_TYPED)),
    # The same creator, the same organisation typed otherwise: one organisation, and the
    # latest details typed for it.
    (2, 1, "  association   REBOND ", "Fondation Lumière", convention(OURS_LATER)),
    # No partner named yet, no convention.
    (3, 1, "Association Rebond", None, {}),
    # Another creator typing the same names: their own organisations, never shared.
    (4, 2, "Association Rebond", "Boulangeries Martin", convention("SARL ; Villeurbanne")),
    # A partner named with nothing but spaces is no organisation.
    (5, 2, "Mairie de Vaulx", "   ", {}),
]


def fill(url: str) -> None:
    """Rows of the schema at 0007: users, partnerships, memberships, an invitation."""
    engine = create_engine(url)
    meta = MetaData()
    with engine.begin() as db:
        tables = {
            name: Table(name, meta, autoload_with=db)
            for name in ("app_user", "partnership", "membership", "invitation")
        }
        for user_id in (1, 2, 3):
            db.execute(
                insert(tables["app_user"]).values(
                    id=user_id,
                    external_id=f"tg:{user_id}",
                    language="fr",
                    display_name=f"Personne {user_id}",
                    created_at=AT,
                )
            )
        for pid, creator, ours, partner, typed in PARTNERSHIPS:
            db.execute(
                insert(tables["partnership"]).values(
                    id=pid,
                    name=f"Partenariat {pid}",
                    our_organisation=ours,
                    partner_name=partner,
                    theme="Insertion",
                    territory="Lyon",
                    stage="content",
                    revision=3,
                    dialogue=[],
                    candidates=[],
                    convention=typed,
                    followup={},
                    created_by=creator,
                    created_at=AT + timedelta(days=pid),
                )
            )
            db.execute(
                insert(tables["membership"]).values(
                    partnership_id=pid,
                    user_id=creator,
                    role="member",
                    respondent=True,
                    joined_at=AT,
                )
            )
        # A partner contact of partnership 1.
        db.execute(
            insert(tables["membership"]).values(
                partnership_id=1, user_id=3, role="partner", respondent=True, joined_at=AT
            )
        )
        db.execute(
            insert(tables["invitation"]).values(
                partnership_id=1,
                role="partner",
                token_hash="a" * 64,
                created_by=1,
                created_at=AT,
                expires_at=AT + timedelta(days=7),
            )
        )
    engine.dispose()


def read(url: str) -> tuple[dict[int, dict], dict[int, dict]]:
    """(partnerships by id, organisations by id) after the migration."""
    engine = create_engine(url)
    meta = MetaData()
    with engine.connect() as db:
        partnership = Table("partnership", meta, autoload_with=db)
        organisation = Table("organisation", meta, autoload_with=db)
        partnerships = {row.id: row._asdict() for row in db.execute(select(partnership))}
        organisations = {row.id: row._asdict() for row in db.execute(select(organisation))}
        memberships = db.execute(text("SELECT count(*) FROM membership")).scalar_one()
        invitations = db.execute(text("SELECT organisation_id FROM invitation")).all()
    engine.dispose()
    assert memberships == 6 and invitations == [(None,)]
    return partnerships, organisations


def check(url: str) -> None:
    upgrade(url, "0007")
    fill(url)
    upgrade(url)
    partnerships, organisations = read(url)

    def org(pid: int, side: str) -> dict | None:
        found = partnerships[pid][f"{side}_organisation_id"]
        return organisations[found] if found is not None else None

    # Nothing lost: names as typed, conventions as they were.
    for pid, _creator, ours, partner, typed in PARTNERSHIPS:
        row = partnerships[pid]
        assert (row["our_organisation"], row["partner_name"]) == (ours, partner)
        assert row["convention"] == typed
        assert row["revision"] == 3
    # One organisation per creator and name, whatever the case and spacing.
    rebond = org(1, "our")
    assert org(2, "our") == rebond and org(3, "our") == rebond
    assert rebond["name"] == "Association Rebond" and rebond["created_by"] == 1
    # Its details: the latest typed for it, labels left out, as the application strips them.
    assert (rebond["legal_form"], rebond["seat"], rebond["identifier"]) == (
        "association loi 1901",
        "14 rue de la Paix, 69008 Lyon",
        "RNA W691234567",
    )
    # The latest typed had no representative: the application keeps the last details typed.
    assert rebond["representative"] is None
    martin = org(1, "partner")
    assert martin["name"] == "Boulangeries Martin"
    assert (martin["legal_form"], martin["seat"], martin["identifier"]) == (
        "SAS",
        "3 place Bellecour, 69002 Lyon",
        "SIREN 812 345 678",
    )
    assert martin["representative"] == "Marc Martin, gérant"
    assert org(2, "partner")["name"] == "Fondation Lumière"
    assert org(2, "partner")["legal_form"] is None
    # No partner named: no organisation.
    assert org(3, "partner") is None and org(5, "partner") is None
    # Another creator's same names are their own organisations, with their own details.
    assert org(4, "our")["id"] != rebond["id"] and org(4, "partner")["id"] != martin["id"]
    assert org(4, "our")["created_by"] == 2 and org(4, "our")["legal_form"] == "SARL"
    assert org(4, "partner")["legal_form"] is None
    assert org(5, "our")["name"] == "Mairie de Vaulx"
    # Nothing else made: 1 Rebond, Martin, Lumière; 2 Rebond, Martin, Vaulx.
    assert len(organisations) == 6
    assert all(o["created_at"] is not None for o in organisations.values())


def test_names_become_organisations_on_sqlite(tmp_path):
    check(f"sqlite:///{tmp_path / 'previous.db'}")


def test_names_become_organisations_on_postgresql(postgres_url):
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"alliance_orgs_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        check(url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("typed", [None, "", "   ", 12, ["a"]])
def test_details_that_say_nothing_give_none(typed):
    from importlib import import_module

    migration = import_module("storage.migrations.versions.0008_organisations_health")
    assert migration._details(copy.deepcopy(typed)) == {}
