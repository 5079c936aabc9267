"""A screen longer than Telegram's limit arrives whole, split where Telegram allows."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.delivery import record
from bot.telegram.locks import ChatLocks
from bot.telegram.outbox import Sender
from bot.views.screens import Button, Reply, Screen
from bot.views.splitting import visible_length
from storage.db import make_engine, session_scope
from storage.models import utcnow

CHAT = 9001


@pytest.fixture(autouse=True)
def started(api):
    """The chat pressed Start before: the bot may write to it."""
    api.open_chat(CHAT)


class Balance(HTMLParser):
    """Checks that every tag opened is closed, in order."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, tag


async def test_a_6000_unit_text_of_emoji_and_ampersands_arrives_split_and_well_formed(
    api, sqlite_url
):
    # 6,000 UTF-16 units: emoji count 2, "&amp;" counts 1.
    paragraph = "<b>" + "😀&amp; " * 50 + "</b>"  # 200 units a paragraph
    text = "\n\n".join([paragraph] * 30)
    assert visible_length(text) > 6000
    screen = Screen(text, ((Button("OK", "v1:m:all"),),))
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        record(db, CHAT, Reply("fr", [screen]), acted_message_id=None, toast=False, at=utcnow())
    html = Defaults(parse_mode=ParseMode.HTML)
    async with ExtBot("123456:TEST", base_url=api.base_url, defaults=html) as bot:
        await Sender(bot, engine, ChatLocks()).flush(CHAT)
    engine.dispose()
    parts = api.calls_of("sendMessage", CHAT)
    # Telegram refused nothing: each part is within its limit and parses.
    assert api.calls_of("sendMessage", CHAT, ok=False) == []
    assert len(parts) == 2
    for part in parts:
        Balance().feed(part.text)
        assert visible_length(part.text) <= 4096
    # The buttons come with the last part; nothing was lost.
    assert "reply_markup" not in parts[0].params and "reply_markup" in parts[1].params
    joined = "".join(p.text for p in parts).replace("<b>", "").replace("</b>", "")
    assert joined.count("😀") == 30 * 50
