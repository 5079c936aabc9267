"""A fan-out reads the messages of many chats at once; a chat flushed by anyone else in the
meantime is read again, so nobody receives a message twice."""

from __future__ import annotations

import asyncio

from telegram.ext import ExtBot

from bot.app import bot_options
from bot.delivery import record
from bot.settings import Settings
from bot.telegram.locks import ChatLocks
from bot.telegram.outbox import Sender
from bot.views.screens import Reply, Screen
from storage.db import make_engine, session_scope
from storage.models import utcnow

FIRST, SECOND = 8101, 8102


def recorded(engine, chat_id: int, text: str) -> None:
    with session_scope(engine) as db:
        reply = Reply(language="fr", messages=[Screen(text)])
        record(db, chat_id, reply, acted_message_id=None, toast=False, at=utcnow(), bulk=True)


async def test_a_chat_flushed_during_a_fan_out_gets_its_message_once(api, sqlite_url):
    engine = make_engine(sqlite_url)
    api.open_chat(FIRST)
    api.open_chat(SECOND)
    settings = Settings(
        telegram_bot_token="123456:TEST",
        telegram_api_base_url=api.base_url,
        database_url=sqlite_url,
        alliance_chat_messages_per_second=1000,
    )
    recorded(engine, FIRST, "Point d’étape, première organisation")
    recorded(engine, SECOND, "Point d’étape, seconde organisation")
    async with ExtBot(**bot_options(settings)) as bot:
        sender = Sender(bot, engine, ChatLocks())
        # The fan-out reads both chats, then waits on the first one's send...
        gate = api.hold("sendMessage", chat_id=FIRST)
        task = asyncio.ensure_future(sender.flush_chats([FIRST, SECOND], concurrency=1))
        await api.wait_for(lambda a: a.held("sendMessage", FIRST))
        # ...while the second user's own update flushes their chat.
        await sender.flush_locked(SECOND)
        gate.release()
        await task
    assert len(api.calls_of("sendMessage", FIRST)) == 1
    assert len(api.calls_of("sendMessage", SECOND)) == 1
    engine.dispose()
