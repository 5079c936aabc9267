"""Webhook mode through the real `alliance run` process: the secret is checked on every
request, an update Telegram posts twice is handled once, and the health check answers."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import aiohttp
import pytest

from bot.telegram.webhook import SECRET_HEADER, database_answers
from storage.db import make_engine
from tests.bot.process import start_bot, stop

SECRET = "s3cret_-token"
TOKEN = "123456:TEST-token-never-logged"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_webhook(api, database_url: str, output=asyncio.subprocess.PIPE):
    """`alliance run` in webhook mode, once Telegram was told the webhook's URL; its output
    piped by default (None: inherited)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ALLIANCE_WEBHOOK_URL": url,
        "ALLIANCE_WEBHOOK_SECRET": SECRET,
        "ALLIANCE_LISTEN": f"127.0.0.1:{port}",
    }
    process = await start_bot(
        api,
        database_url,
        env=env,
        ready=lambda a, since: any(c.method == "setWebhook" for c in a.calls[since:]),
        output=output,
    )
    return url, process


@pytest.fixture
async def webhook_bot(api, sqlite_url):
    url, process = await start_webhook(api, sqlite_url)
    yield url
    await stop(process)


async def post(url: str, update: dict, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def test_the_webhook_refuses_requests_without_the_secret(api, webhook_bot):
    (hook,) = api.calls_of("setWebhook")
    assert hook.params["url"] == webhook_bot and hook.params["secret_token"] == SECRET
    refused = api.send_text(501, "/aide")
    assert await post(webhook_bot, refused, secret=None) == 403
    assert await post(webhook_bot, refused, secret="wrong") == 403
    assert await post(webhook_bot, {"update_id": "x"}) == 400
    assert await post(webhook_bot, api.send_text(501, "/start")) == 200
    await api.wait_for(lambda a: a.calls_of("sendMessage", 501))
    # Only the update with the secret was handled: the chat holds the welcome, not the help.
    (welcome,) = api.calls_of("sendMessage", 501)
    assert "Bonjour" in welcome.text


async def test_an_update_posted_twice_is_handled_once(api, webhook_bot):
    update = api.send_text(502, "/start")
    assert await post(webhook_bot, update) == 200
    await api.wait_for(lambda a: a.calls_of("sendMessage", 502))
    # Telegram posts it again (our answer came too late for it), then the next one.
    assert await post(webhook_bot, update) == 200
    assert await post(webhook_bot, api.send_text(502, "/aide")) == 200
    await api.wait_for(lambda a: len(a.calls_of("sendMessage", 502)) >= 2)
    texts = [c.text for c in api.calls_of("sendMessage", 502)]
    assert len(texts) == 2 and texts[0] != texts[1]


async def test_the_health_check_answers_while_the_database_does(api, webhook_bot):
    health = webhook_bot.replace("/telegram/hook", "/health")
    async with aiohttp.ClientSession() as session, session.get(health) as response:
        assert response.status == 200
        assert await response.json() == {"database": "ok"}
    unreachable = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    assert database_answers(unreachable) is False


async def test_a_webhook_without_its_secret_does_not_start(api, sqlite_url):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": sqlite_url,
        "ALLIANCE_WEBHOOK_URL": "https://bot.example.org/hook",
    }
    env.pop("ALLIANCE_WEBHOOK_SECRET", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    assert "ALLIANCE_WEBHOOK_SECRET" in err.decode()


async def test_logs_hold_neither_the_token_nor_what_users_type(api, sqlite_url):
    url, process = await start_webhook(api, sqlite_url)
    assert await post(url, api.send_text(503, "/nouveau")) == 200
    await api.wait_for(lambda a: a.calls_of("sendMessage", 503))
    assert await post(url, api.send_text(503, "Projet-confidentiel-42")) == 200
    await api.wait_for(lambda a: "Projet-confidentiel-42" in "".join(a.messages(503)))
    # A refused request and a failed send are logged, without what they carried.
    await post(url, api.send_text(503, "Autre-secret-43"), secret="wrong")
    api.fail_next("sendMessage", 500, chat_id=503)
    assert await post(url, api.send_text(503, "Encore-secret-44")) == 200
    await api.wait_for(lambda a: "Encore-secret-44" in "".join(a.messages(503)), timeout=20)
    await stop(process)
    logs = (await process.stdout.read()).decode()
    assert "refused" in logs and "failed" in logs
    for secret in ("TEST-token-never-logged", "confidentiel", "Autre-secret", "Encore-secret"):
        assert secret not in logs
