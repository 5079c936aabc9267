"""The journeys' world: the fake Bot API on loopback and the real `alliance run` polling it,
on a database of the test's choice (SQLite by default, PostgreSQL when asked)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.bot.process import start_bot, stop
from tests.fake_bot_api import FakeBotApi


@dataclass
class World:
    """What a journey runs in: the fake Telegram, the database the bot and cron share."""

    api: FakeBotApi
    database_url: str


@pytest.fixture(params=["sqlite"])
def journey_database(request):
    """The database of a journey: a parametrised test may ask for "postgresql" too."""
    if request.param == "postgresql":
        return request.getfixturevalue("clean_postgres_url")
    return request.getfixturevalue("sqlite_url")


@pytest.fixture
async def world(api, journey_database):
    """`alliance run`, the real process, polling the fake API; stopped at the end."""
    process = await start_bot(api, journey_database)
    try:
        yield World(api, journey_database)
    finally:
        await stop(process)
