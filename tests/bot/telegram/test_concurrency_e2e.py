"""Updates of different chats run side by side; the updates of one chat run in order; an
update delivered twice acts once."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.callback_data import partnership_button
from tests.bot.conftest import running_bot
from tests.bot.driver import button_data, last_text, start_diagnostic
from tests.bot.telegram.factories import partnership_ready_for_drafts
from tests.fake_bot_api import FakeBotApi


def sends(api: FakeBotApi, chat: int) -> list:
    return api.calls_of("sendMessage", chat)


async def test_one_chat_in_order_while_another_chat_runs_in_between(api, bot):
    slow, other = 8001, 8002
    gate = api.hold("sendMessage", chat_id=slow)
    api.send_text(slow, "/start")
    await api.wait_for(lambda a: a.held("sendMessage", slow))
    api.send_text(slow, "/aide")
    api.send_text(other, "/start")
    # The other chat is answered while the first one waits for Telegram.
    await api.wait_for(lambda a: sends(a, other))
    assert sends(api, slow) == []
    gate.release()
    await api.wait_for(lambda a: len(sends(a, slow)) == 2)
    welcome, help_ = (call.text for call in sends(api, slow))
    assert "Alliance" in welcome and "/diagnostic" in help_
    assert sends(api, other)[0].time < sends(api, slow)[0].time
    assert bot == []


async def test_a_held_document_upload_does_not_delay_another_user(api, sqlite_url):
    owner, other = 8003, 8004
    pid, revision = partnership_ready_for_drafts(sqlite_url, owner)
    async with running_bot(api, sqlite_url) as running:
        await start_diagnostic(api, other)
        gate = api.hold("sendDocument", chat_id=owner)
        api.press(owner, partnership_button(pid, revision, "generate"), message_id=1)
        await api.wait_for(lambda a: a.held("sendDocument", owner))
        api.press(other, button_data(api, other, "a", "profile", "company"))
        await api.wait_for(lambda a: "Question 2/" in last_text(a, other))
        # Answered while the upload is still held.
        assert api.held("sendDocument", owner) == 1
        gate.release()
        await api.wait_for(lambda a: len(a.calls_of("sendDocument", owner)) == 2)
        assert running.errors == []


async def test_the_same_update_delivered_twice_at_once_is_handled_once(api, sqlite_url):
    chat = 8005
    async with running_bot(api, sqlite_url) as running:
        await start_diagnostic(api, chat)
        press = api.press(chat, button_data(api, chat, "a", "profile", "company"))
        application = running.application
        # Telegram redelivers (after a crash) while the first copy is being handled.
        twice = [Update.de_json(press, application.bot) for _ in range(2)]
        # Each copy answers its press; Telegram takes the first answer only.
        api.expect_refusals("answerCallbackQuery")
        await asyncio.gather(*(application.update_queue.put(u) for u in twice))
        # The effect first, then a quiet moment (on a busy machine one can come before the
        # answer is saved); a second copy handled would still show.
        await api.wait_for(lambda a: "Question 2/" in last_text(a, chat))
        await api.idle()
        shown = api.calls_of("editMessageText", chat) + api.calls_of("sendMessage", chat)
        assert len([c for c in shown if "Question 2/" in c.text]) == 1
        assert running.errors == []
