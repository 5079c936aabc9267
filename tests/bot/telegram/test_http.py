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


def _bot(base_url: str, **timeouts) -> ExtBot:
    return ExtBot(TOKEN, base_url=base_url, request=AiohttpRequest(**timeouts))


async def test_a_message_with_buttons_and_a_file_arrive_whole():
    async with FakeBotApi() as api, _bot(api.base_url) as bot:
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
    async with FakeBotApi() as api, _bot(api.base_url) as bot:
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
    async with FakeBotApi() as api, _bot(api.base_url, read_timeout=0.2) as bot:
        api.answer_late("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(7, "lent")
        assert (await bot.send_message(7, "suivant")).text == "suivant"


async def test_a_server_that_is_not_there_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        bot = ExtBot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        with pytest.raises(NetworkError):
            await bot.send_message(7, "personne")
