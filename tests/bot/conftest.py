"""Fixtures for the end-to-end tests: the fake Bot API and the real bot polling it."""

from __future__ import annotations

import pytest

from bot.app import ALLOWED_UPDATES, build_application, on_start
from bot.settings import Settings
from tests.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST"


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api, sqlite_url):
    """The bot, polling the fake API; yields the list of errors its handlers raised."""
    settings = Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=sqlite_url,
        alliance_max_messages_per_second=1000,
        alliance_chat_messages_per_second=1000,
    )
    application = build_application(settings)
    errors: list[BaseException] = []

    async def record(update, context):
        errors.append(context.error)

    application.add_error_handler(record)
    async with application:
        await on_start(application)
        await application.start()
        await application.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        yield errors
        await application.updater.stop()
        await application.stop()
