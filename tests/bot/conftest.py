"""Fixtures for the end-to-end tests: the fake Bot API and the real bot polling it."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application, on_start
from bot.services import Core, Services
from bot.settings import Settings
from storage.db import make_engine
from tests.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST"


@pytest.fixture
def services(sqlite_url):
    """The use cases on a fresh SQLite database, as the terminal runs them."""
    engine = make_engine(sqlite_url)
    yield Services(engine, Core("Europe/Paris"))
    engine.dispose()


@dataclass
class RunningBot:
    application: Application
    # What the handlers raised.
    errors: list[BaseException] = field(default_factory=list)


def bot_settings(api: FakeBotApi, database_url: str, **overrides) -> Settings:
    """Settings pointing at the fake; Telegram's pace lifted so tests run fast."""
    values = dict(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=database_url,
        alliance_max_messages_per_second=1000,
        alliance_chat_messages_per_second=1000,
    )
    return Settings(**(values | overrides))


@asynccontextmanager
async def running_bot(api: FakeBotApi, database_url: str, **overrides):
    """The real Application polling the fake, started as `alliance run` starts it."""
    application = build_application(bot_settings(api, database_url, **overrides))
    running = RunningBot(application)

    async def record(update, context):
        running.errors.append(context.error)

    application.add_error_handler(record)
    async with application:
        await on_start(application)
        await application.start()
        await application.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        yield running
        await application.updater.stop()
        await application.stop()


@pytest.fixture
async def bot(api, sqlite_url):
    """The bot, polling the fake API; yields the list of errors its handlers raised."""
    async with running_bot(api, sqlite_url) as running:
        yield running.errors
