"""The dashboard's sign-in rows are personal data: /mesdonnees lists them (never a token),
and erasing a person signs out every dashboard they had open and kills their links."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.services import Actor, Core, Services
from bot.services.web_access import login_link, open_session, redeem, session_viewer
from storage import personal
from storage.db import session_scope
from storage.models import User
from storage.repository import get_or_create_user

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def services_at(engine) -> Services:
    return Services(engine, Core("Europe/Paris"), clock=lambda: NOW)


def test_the_migration_makes_the_tables_the_models_describe(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert [d for d in diff if "web_" in repr(d)] == []


def test_my_data_lists_the_dashboard_sign_ins_without_their_tokens(engine):
    services = services_at(engine)
    unused = services.run(Actor("tg:42"), login_link)
    used = services.run(Actor("tg:42"), login_link)
    services.run_system(redeem, used.token)
    opened = services.run(Actor("tg:42"), open_session, False)
    with session_scope(engine) as db:
        user = get_or_create_user(db, external_id="tg:42", language="fr")
        data = personal.collect(db, user=user)
    assert data["dashboard_sessions"] == [
        {"opened_via": "link", "opened_at": NOW, "expires_at": NOW + timedelta(hours=12)}
    ]
    assert sorted(link["used_at"] is not None for link in data["dashboard_links"]) == [
        False,
        True,
    ]
    written = json.dumps(data, default=str)
    for secret in (unused.token, used.token, opened.token, opened.viewer.csrf):
        assert secret not in written
    assert "token_hash" not in written


def test_erasing_a_person_signs_out_their_dashboards_and_kills_their_links(engine):
    services = services_at(engine)
    link = services.run(Actor("tg:42"), login_link)
    opened = services.run(Actor("tg:42"), open_session, True)
    others = services.run(Actor("tg:43"), open_session, True)
    with session_scope(engine) as db:
        user = get_or_create_user(db, external_id="tg:42", language="fr")
        personal.erase(db, user=user, chat_id=42, at=NOW)
    assert services.run_system(session_viewer, opened.token) is None
    assert services.run_system(redeem, link.token) is None
    # Someone else's dashboard stays open.
    assert services.run_system(session_viewer, others.token).external_id == "tg:43"
    with session_scope(engine) as db:
        erased = db.get(User, user.id)
        assert personal.collect(db, user=erased)["dashboard_sessions"] == []
