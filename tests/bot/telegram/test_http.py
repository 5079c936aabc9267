"""python-telegram-bot over aiohttp: what a bot sends arrives whole, failures become
python-telegram-bot's errors (which the outbox knows how to wait out)."""

from __future__ import annotations

import socket

import pytest
from telegram import InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.telegram.http import AiohttpRequest
from tests.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST"
# Time-outs no busy machine reaches: a test decides on what the server does, not on speed.
PATIENT = {"read_timeout": 60, "write_timeout": 60, "connect_timeout": 60, "pool_timeout": 60}


def started(api: FakeBotApi) -> FakeBotApi:
    """Chat 7 pressed Start before: the bot may write to it."""
    api.open_chat(7)
    return api


def _bot(base_url: str, **timeouts) -> ExtBot:
    return ExtBot(TOKEN, base_url=base_url, request=AiohttpRequest(**(PATIENT | timeouts)))


async def test_a_message_with_buttons_and_a_file_arrive_whole():
    async with started(FakeBotApi()) as api, _bot(api.base_url) as bot:
        message = await bot.send_message(7, "Bonjour « Œillets » — 1 200 €")
        content = bytes(range(256)) * 40
        document = await bot.send_document(
            7, InputFile(content, filename="bilan.pdf"), caption="Le bilan"
        )
    assert message.text == "Bonjour « Œillets » — 1 200 €"
    upload = api.calls_of("sendDocument", 7)[0]
    assert upload.files["document"] == ("bilan.pdf", content)
    assert upload.params["caption"] == "Le bilan"
    assert document.message_id > message.message_id


async def test_telegram_errors_keep_their_meaning():
    async with started(FakeBotApi()) as api, _bot(api.base_url) as bot:
        api.fail_next("sendMessage", 429, retry_after=3)
        with pytest.raises(RetryAfter) as waited:
            await bot.send_message(7, "a")
        api.fail_next("sendMessage", 502)
        with pytest.raises(NetworkError):
            await bot.send_message(7, "b")
        api.upload_limits["document"] = 10
        with pytest.raises(NetworkError, match="(?i)too large"):
            await bot.send_document(7, InputFile(b"x" * 100, filename="gros.pdf"))
    assert str(waited.value) == "Flood control exceeded. Retry in 3 seconds"


async def test_a_slow_answer_times_out_and_the_next_call_goes_through():
    # Only the late call has a short time-out, and its answer comes long after it (the fake
    # cuts the wait short when it stops): a busy machine cannot make it answer in time, nor
    # make the other calls (getMe, the next message) time out. Every answer takes half a
    # second here, as on a busy machine.
    async with started(FakeBotApi(delay=0.5)) as api, _bot(api.base_url) as bot:
        api.answer_late("sendMessage", 3600)
        with pytest.raises(TimedOut):
            await bot.send_message(7, "lent", read_timeout=2)
        assert (await bot.send_message(7, "suivant")).text == "suivant"


async def test_a_server_that_is_not_there_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        bot = ExtBot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        with pytest.raises(NetworkError):
            await bot.send_message(7, "personne")
