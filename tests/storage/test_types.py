"""Moments come back from the database aware and in UTC, on SQLite as on PostgreSQL, and
the column type changes nothing in the schema."""

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func
from sqlmodel import SQLModel, select

from storage.db import make_engine, session_scope
from storage.models import StageMove, User

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_moments_are_read_aware_in_utc(database_url):
    engine = make_engine(database_url)
    written = datetime(2027, 6, 1, 11, 30, tzinfo=PARIS_SUMMER)
    with session_scope(engine) as db:
        db.add(User(external_id="tg:1", language="fr", created_at=written))
    with session_scope(engine) as db:
        user = db.exec(select(User)).one()
        assert user.created_at == written and user.created_at.tzinfo == UTC
        assert user.created_at.hour == 9
        # Read as a column, and through an aggregate, too.
        (moment,) = db.exec(select(User.created_at)).all()
        assert moment.tzinfo == UTC
        assert db.exec(select(func.max(User.created_at))).one().tzinfo == UTC
        assert db.exec(select(StageMove.moved_at)).all() == []
    engine.dispose()


def test_the_column_type_needs_no_migration(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert [d for d in diff if "modify_type" in repr(d)] == []
