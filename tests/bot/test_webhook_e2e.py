"""Webhook mode through the real `alliance run` process: the secret is checked on every
request, an update Telegram posts twice is handled once, the health check answers, a slow
client cannot hold the server, and the logs keep what people sent to themselves."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time

import aiohttp
import pytest
from sqlalchemy import text

from bot.telegram.outage import DatabaseWatch
from bot.telegram.webhook import SECRET_HEADER
from storage.db import make_engine
from tests.bot.process import start_bot, stop

SECRET = "s3cret_-token"
TOKEN = "123456:TEST-token-never-logged"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_webhook(api, database_url: str, output=asyncio.subprocess.PIPE, env=None):
    """`alliance run` in webhook mode, once Telegram was told the webhook's URL; its output
    piped by default (None: inherited); `env` adds settings."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    api.token = TOKEN  # the token these tests look for in the logs
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ALLIANCE_WEBHOOK_URL": url,
        "ALLIANCE_WEBHOOK_SECRET": SECRET,
        "ALLIANCE_LISTEN": f"127.0.0.1:{port}",
        **(env or {}),
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
    # Telegram's updates are small: a body over 1 MiB is refused.
    assert await post(webhook_bot, {"update_id": 1, "padding": "x" * (1 << 20)}) == 413
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
    unreachable = DatabaseWatch(make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none"))
    assert await unreachable.check() is False
    unreachable.close()


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


async def send_headers(url: str, length: int, headers: dict[str, str]):
    """A raw connection to the webhook, a POST's headers sent: (reader, writer)."""
    hostport, _, path = url.split("//", 1)[1].partition("/")
    host, _, port = hostport.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = [f"POST /{path} HTTP/1.1", f"Host: {hostport}", f"Content-Length: {length}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    await writer.drain()
    return reader, writer


async def slow_request(url: str, body: bytes, headers: dict[str, str]):
    """A raw HTTP client that sends the request's headers at once, then its body one byte a
    second; returns the connection's (reader, the task dripping the body)."""
    reader, writer = await send_headers(url, len(body), headers)

    async def drip():
        try:
            for byte in body:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(1)  # the client's pace, not a wait for the server
        except ConnectionError:
            pass  # the server cut the connection: what is expected
        finally:
            writer.close()

    return reader, asyncio.create_task(drip())


async def test_a_body_sent_slowly_is_cut_after_the_read_timeout(api, sqlite_url):
    url, process = await start_webhook(api, sqlite_url, env={"ALLIANCE_WEBHOOK_READ_TIMEOUT": "2"})
    try:
        body = json.dumps(api.send_text(505, "/aide")).encode()
        assert len(body) > 60  # a minute at least to send it all
        started = time.monotonic()
        reader, dripping = await slow_request(
            url, body, {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        )
        # Meanwhile, Telegram posts an update: it is answered as usual.
        assert await post(url, api.send_text(506, "/start")) == 200
        await api.wait_for(lambda a: a.calls_of("sendMessage", 506))
        # The slow request is answered 408 and its connection closed, long before its body
        # could have arrived (the time-out is 2 s; 20 s allows for a busy machine).
        answer = await asyncio.wait_for(reader.read(), timeout=20)
        assert answer.startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started < 20
        assert not api.calls_of("sendMessage", 505)
        dripping.cancel()
    finally:
        await stop(process)


async def test_a_database_error_is_logged_without_the_statements_values(api, clean_postgres_url):
    # A database error, forced by a trigger for one name: the failing statement carries it.
    engine = make_engine(clean_postgres_url)
    refuse = """CREATE OR REPLACE FUNCTION refuse_this_name() RETURNS trigger AS $$ BEGIN
        IF NEW.display_name LIKE '%Claire-Secretname%' THEN RAISE EXCEPTION 'forced failure';
        END IF; RETURN NEW; END $$ LANGUAGE plpgsql"""
    with engine.begin() as connection:
        connection.execute(text(refuse))
        connection.execute(
            text(
                "CREATE TRIGGER refuse_this_name BEFORE INSERT OR UPDATE ON app_user "
                "FOR EACH ROW EXECUTE FUNCTION refuse_this_name()"
            )
        )
    try:
        url, process = await start_webhook(api, clean_postgres_url)
        update = api.send_text(507, "/start", first_name="Claire-Secretname")
        assert await post(url, update) == 200
        logged = b""
        while b"forced failure" not in logged:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
            assert line, logged.decode()
            logged += line
        await stop(process)
        logs = (logged + await process.stdout.read()).decode()
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TRIGGER IF EXISTS refuse_this_name ON app_user"))
            connection.execute(text("DROP FUNCTION IF EXISTS refuse_this_name()"))
        engine.dispose()
    # The error is logged, with its statement, but none of the statement's values.
    assert "error while handling an update" in logs and "forced failure" in logs
    assert "INSERT INTO app_user" in logs or "UPDATE app_user" in logs
    assert "Claire-Secretname" not in logs
    assert "tg:507" not in logs


async def held_request(url: str, body: bytes):
    """A raw request that sends its headers (asking to be told to go on) and holds its body:
    returns the connection once the server has taken the request in hand (100 Continue)."""
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    reader, writer = await send_headers(url, len(body), headers | {"Expect": "100-continue"})
    assert (await asyncio.wait_for(reader.readline(), timeout=20)).startswith(b"HTTP/1.1 100")
    await reader.readline()
    return reader, writer


async def test_beyond_the_cap_webhook_requests_are_refused_at_once(api, sqlite_url):
    url, process = await start_webhook(
        api,
        sqlite_url,
        env={"ALLIANCE_WEBHOOK_MAX_REQUESTS": "2", "ALLIANCE_WEBHOOK_READ_TIMEOUT": "60"},
    )
    try:
        bodies = [json.dumps(api.send_text(chat, "/start")).encode() for chat in (508, 509)]
        held = [await held_request(url, body) for body in bodies]
        # Two requests in progress: a third is answered 503 at once (Telegram will retry).
        refused = api.send_text(510, "/start")
        assert await asyncio.wait_for(post(url, refused), timeout=20) == 503
        # The held ones finish; then the same update, posted again, is taken.
        for (reader, writer), body in zip(held, bodies, strict=True):
            writer.write(body)
            assert (await asyncio.wait_for(reader.readline(), timeout=20)).startswith(
                b"HTTP/1.1 200"
            )
            writer.close()
        assert await post(url, refused) == 200
        await api.wait_for(lambda a: all(a.calls_of("sendMessage", c) for c in (508, 509, 510)))
    finally:
        await stop(process)
