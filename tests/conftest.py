"""Shared fixtures: databases (SQLite file and a fresh PostgreSQL database), migrated by Alembic."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.db import make_engine
from storage.migrate import upgrade
from tests.fake_api.spec import SPEC_PATH
from tests.fake_bot_api import SPEC, FakeBotApi

POSTGRES_URL = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = (
    "checkin_invite",
    "checkin_round",
    "outbox",
    "inbound",
    "generated_document",
    "invitation",
    "meeting_note",
    "stage_move",
    "membership",
    "partnership",
    "answer",
    "flow_session",
    "app_user",
)


def _admin_engine():
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_url():
    """A new PostgreSQL database for this test run, dropped at the end."""
    try:
        with _admin_engine().connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:
        message = f"PostgreSQL unreachable at {POSTGRES_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"alliance_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'alliance.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """Each storage test runs on both databases; PostgreSQL tables start empty."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_postgres_url(postgres_url):
    """The PostgreSQL test database, its tables emptied."""
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return postgres_url


@pytest.fixture
async def api():
    """The fake Bot API, as strict as Telegram. A test fails when the bot made a call that
    Telegram would refuse and the test did not ask for it (`api.expect_refusals`)."""
    async with FakeBotApi() as fake:
        yield fake
        refused = fake.unexpected_refusals()
    assert not refused, f"Telegram would have refused:\n{refused}"


def pytest_report_header(config) -> str:
    """Whether the fake Bot API holds calls to Telegram's published API."""
    if SPEC is None:
        return f"Bot API spec: NOT FOUND at {SPEC_PATH}; the fake checks only its own rules"
    return f"Bot API spec: {SPEC.version} ({SPEC_PATH})"


def pytest_terminal_summary(terminalreporter) -> None:
    """Said again at the end, where it is read: a missing spec weakens every Telegram test."""
    if SPEC is None:
        terminalreporter.write_sep(
            "!", f"Telegram's Bot API spec not found at {SPEC_PATH}: calls not checked against it"
        )
