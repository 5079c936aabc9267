"""Edits Telegram refuses: one past its length limit arrives as new messages, one that
changes nothing counts as done, and any edit given up says so in the log (issue 17)."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.delivery import record
from bot.telegram.locks import ChatLocks
from bot.telegram.outbox import Sender
from bot.views.screens import Button, Reply, Screen
from bot.views.splitting import visible_length
from storage.db import make_engine, session_scope
from storage.models import OutboxMessage, utcnow

CHAT = 9002


@pytest.fixture(autouse=True)
def started(api):
    """The chat pressed Start before; Telegram refusing edits is what this module tries."""
    api.open_chat(CHAT)
    api.expect_refusals("editMessageText")


KEYBOARD = ((Button("☐ Se rencontrer", "v1:p:1:3:tick:meet"),),)
OUTBOX = "bot.telegram.outbox"


async def flushed(api, engine, reply: Reply, acted_message_id: int | None) -> None:
    """Records the reply as the bot does after a press, then lets the sender deliver it."""
    with session_scope(engine) as db:
        record(db, CHAT, reply, acted_message_id=acted_message_id, toast=False, at=utcnow())
    html = Defaults(parse_mode=ParseMode.HTML)
    async with ExtBot("123456:TEST", base_url=api.base_url, defaults=html) as bot:
        await Sender(bot, engine, ChatLocks()).flush(CHAT)


async def shown_message(api, text: str, keyboard) -> int:
    """A bot message with buttons already in the chat (the one the user presses)."""
    html = Defaults(parse_mode=ParseMode.HTML)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )
    async with ExtBot("123456:TEST", base_url=api.base_url, defaults=html) as bot:
        message = await bot.send_message(CHAT, text, reply_markup=markup)
    return message.message_id


def statuses(engine) -> list[tuple[str, str]]:
    with session_scope(engine) as db:
        rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(row.kind, row.status) for row in rows]


def refused(api) -> list[str]:
    return [f"{c.method}: {c.error_code}" for c in api.sent(CHAT) if not c.ok]


async def test_an_edit_longer_than_telegram_allows_arrives_as_new_messages_with_its_buttons(
    api, sqlite_url
):
    card = await shown_message(api, "<b>Carte</b>", ((Button("Dialogue", "v1:p:1:3:dialogue"),),))
    long_screen = Screen("<b>Dialogue</b>\n\n" + "\n\n".join(["note " * 400] * 3), KEYBOARD)
    assert visible_length(long_screen.text) > 4096
    engine = make_engine(sqlite_url)
    await flushed(api, engine, Reply("fr", edit=long_screen), acted_message_id=card)

    # Telegram refused nothing; the screen came whole, as new messages, buttons on the last.
    assert refused(api) == []
    parts = api.calls_of("sendMessage", CHAT)[1:]
    assert len(parts) == 2
    assert sum(part.text.count("note") for part in parts) == 1200
    assert "reply_markup" not in parts[0].params
    assert api.last_keyboard(CHAT) == [[("☐ Se rencontrer", "v1:p:1:3:tick:meet")]]
    # The card it would have replaced keeps its text and loses its buttons.
    assert api.chat_messages(CHAT)[0] == "<b>Carte</b>"
    assert len(api.chat_messages(CHAT)) == 3
    assert all(status == "sent" for _kind, status in statuses(engine))
    engine.dispose()


async def test_an_edit_telegram_finds_too_long_is_sent_as_new_messages_not_dropped(
    api, sqlite_url, caplog
):
    # Our count and Telegram's disagree: Telegram refuses an edit we thought fitted.
    shown = await shown_message(api, "Dialogue", KEYBOARD)
    api.fail_next("editMessageText", 400, "Bad Request: message is too long")
    engine = make_engine(sqlite_url)
    screen = Screen("<b>Dialogue</b>\n\n" + "mot " * 500, KEYBOARD)
    with caplog.at_level(logging.WARNING, logger=OUTBOX):
        await flushed(api, engine, Reply("fr", edit=screen), acted_message_id=shown)
    sent = api.calls_of("sendMessage", CHAT)[1:]
    assert "".join(call.text for call in sent).count("mot") == 500
    assert "reply_markup" in sent[-1].params
    assert [kind for kind, status in statuses(engine) if status != "sent"] == []
    assert any("too long" in r.getMessage() for r in caplog.records)
    engine.dispose()


async def test_an_edit_that_changes_nothing_counts_as_delivered_and_the_next_message_goes(
    api, sqlite_url, caplog
):
    # The user presses a button whose screen is already shown as it would be redrawn.
    shown = await shown_message(api, "Dialogue", KEYBOARD)
    engine = make_engine(sqlite_url)
    reply = Reply("fr", messages=[Screen("Et la suite")], edit=Screen("Dialogue", KEYBOARD))
    with caplog.at_level(logging.INFO, logger=OUTBOX):
        await flushed(api, engine, reply, acted_message_id=shown)
        # Telegram said "not modified": nothing is left to retry.
        html = Defaults(parse_mode=ParseMode.HTML)
        async with ExtBot("123456:TEST", base_url=api.base_url, defaults=html) as bot:
            await Sender(bot, engine, ChatLocks()).sweep()

    edits = api.calls_of("editMessageText", CHAT, ok=None)
    assert len(edits) == 1 and edits[0].error_code == 400  # asked once, never again
    assert api.chat_messages(CHAT) == ["Dialogue", "Et la suite"]
    assert statuses(engine) == [("edit", "sent"), ("send", "sent")]
    assert [r.getMessage() for r in caplog.records] == []
    engine.dispose()


async def test_an_edit_refused_for_another_reason_is_given_up_with_a_warning(
    api, sqlite_url, caplog
):
    shown = await shown_message(api, "Dialogue", KEYBOARD)
    api.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    engine = make_engine(sqlite_url)
    with caplog.at_level(logging.WARNING, logger=OUTBOX):
        await flushed(api, engine, Reply("fr", edit=Screen("Autre", KEYBOARD)), shown)
    assert statuses(engine) == [("edit", "dropped")]
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "message to edit not found" in caplog.records[0].getMessage().lower()
    engine.dispose()
