"""PostgreSQL out of reach of the bot, through a proxy the test cuts (the shared server goes on
serving the other tests): the real `alliance run` polls Telegram no faster than when all is
well, logs one line when the database goes and one when it comes back, says so on /health,
and answers, once, everything people sent meanwhile. An update whose handling the database
failed is not marked handled: it goes through again once the database answers."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time

import aiohttp
import pytest
from sqlalchemy import text
from sqlmodel import select
from telegram.ext import CommandHandler

from bot.services import basics
from storage.db import make_engine, session_scope
from storage.models import Inbound
from storage.transient import ATTEMPTS
from tests.bot.conftest import running_bot
from tests.bot.db_proxy import CuttableProxy
from tests.bot.driver import button_data, start_diagnostic
from tests.bot.process import free_port, start_bot, stop

# The outage, in seconds: 10 in CI; ALLIANCE_TEST_OUTAGE_SECONDS=30 measures the case.
OUTAGE = float(os.environ.get("ALLIANCE_TEST_OUTAGE_SECONDS", "10"))
USERS = (4101, 4102, 4103, 4104)
# The long poll waits 1 s in these tests: about one getUpdates a second when all is well
# (without back-off, 70 a second while the database was out of reach).
MAX_POLLS_PER_SECOND = 2
# The lines that say the database went and came back; room for a few others, not a storm
# (without back-off, 630 KB of tracebacks a second).
MAX_LOG_BYTES = 4096
APOLOGY = "Désolé, un problème est survenu"


def count(api, chat: int, method: str) -> int:
    return len(api.calls_of(method, chat))


async def health(port: int) -> int:
    url = f"http://127.0.0.1:{port}/health"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status


async def test_postgresql_out_of_reach_in_polling_mode(api, clean_postgres_url, tmp_path):
    log_path, port = tmp_path / "bot.log", free_port()
    async with CuttableProxy(clean_postgres_url) as proxy:
        with log_path.open("wb") as log:
            env = {"ALLIANCE_LISTEN": f"127.0.0.1:{port}"}
            process = await start_bot(api, proxy.url, env=env, output=log)
            try:
                await outage(api, proxy, log_path, port)
            finally:
                await stop(process)


async def outage(api, proxy: CuttableProxy, log_path, port: int) -> None:
    for user in USERS:
        await start_diagnostic(api, user)
    await api.idle()
    assert await health(port) == 200
    before = {
        user: (count(api, user, "sendMessage"), count(api, user, "editMessageText"))
        for user in USERS
    }
    logged = log_path.stat().st_size
    polls = len(api.calls_of("getUpdates", ok=None))
    proxy.cut()
    cut_at = time.monotonic()
    # People go on: each answers the question on screen, later asks for the help.
    presses = [api.press(u, button_data(api, u, "a", "profile", "company")) for u in USERS]
    await asyncio.sleep(OUTAGE / 2)
    assert await health(port) == 503
    for user in USERS:
        api.send_text(user, "/aide")
    await asyncio.sleep(OUTAGE / 2)
    polled = len(api.calls_of("getUpdates", ok=None)) - polls
    seconds = time.monotonic() - cut_at
    proxy.restore()
    during = log_path.read_bytes()[logged:].decode(errors="replace")
    print(
        f"\noutage of {seconds:.1f} s: {polled} getUpdates ({polled / seconds:.1f}/s), "
        f"{len(during)} bytes of log:\n{during}"
    )
    # A button pressed during the outage is answered after it: its toast may come later than
    # Telegram's 15 s, then refused (the answer itself comes in the chat).
    api.expect_refusals("answerCallbackQuery")

    # Each input of the outage answered, once: the question turned into the next, the help.
    def answered(a) -> bool:
        return all(
            count(a, user, "sendMessage") >= before[user][0] + 1
            and count(a, user, "editMessageText") >= before[user][1] + 1
            for user in USERS
        )

    await api.wait_for(answered, timeout=60)
    await api.idle()
    assert await health(port) == 200
    for user in USERS:
        assert count(api, user, "sendMessage") == before[user][0] + 1
        assert count(api, user, "editMessageText") == before[user][1] + 1
        assert not any(APOLOGY in text for text in api.messages(user))
    late = {p["callback_query"]["id"] for p in presses}
    assert {c.params["callback_query_id"] for c in api.refused} <= late
    assert polled / seconds <= MAX_POLLS_PER_SECOND
    assert "Traceback" not in during and len(during) <= MAX_LOG_BYTES, during[:3000]
    lines = log_path.read_bytes()[logged:].decode(errors="replace").splitlines()
    assert len([line for line in lines if "database unreachable" in line]) == 1
    assert len([line for line in lines if "database reachable again" in line]) == 1


def flaky_help(proxy: CuttableProxy, how: str, attempts: list[int]):
    """/aide, whose database fails under it: its backend terminated at each attempt while the
    database answers (`terminated`), or the database cut away at its first one (`cut`)."""
    loop, done = asyncio.get_running_loop(), threading.Event()

    def cut() -> None:
        proxy.cut()
        done.set()

    def use_case(work, _words: str = ""):
        attempts.append(1)
        if how == "terminated" and len(attempts) <= ATTEMPTS:
            work.db.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        if how == "cut" and len(attempts) == 1:
            loop.call_soon_threadsafe(cut)
            assert done.wait(10)
            work.db.execute(text("SELECT 1"))
        return basics.help_screen(work)

    return use_case


def handled_at(database_url: str, update_id: int):
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        row = db.exec(select(Inbound).where(Inbound.key == f"tg:{update_id}")).one()
    engine.dispose()
    return row.handled_at


@pytest.mark.parametrize("how", ["terminated", "cut"])
async def test_an_update_the_database_failed_is_handled_again_when_it_answers(
    api, clean_postgres_url, caplog, how
):
    chat, attempts = 4201, []
    caplog.set_level(logging.INFO, logger="bot.telegram.outage")
    async with (
        CuttableProxy(clean_postgres_url) as proxy,
        running_bot(api, proxy.url) as bot,
    ):
        adapter = bot.application.bot_data["telegram"]
        use_case = flaky_help(proxy, how, attempts)

        async def flaky(update, _context):
            await adapter.handle(update, use_case)

        # First of its group, before the handler of unknown commands.
        bot.application.add_handler(CommandHandler("flaky", flaky))
        handlers = bot.application.handlers[0]
        handlers.insert(0, handlers.pop())
        update = api.send_text(chat, "/flaky")
        if how == "cut":
            await api.wait_for(lambda _: proxy.is_cut and proxy.refused >= 2, timeout=30)
            # Out of reach: nothing was done, no apology, and the update is not handled.
            assert handled_at(clean_postgres_url, update["update_id"]) is None
            assert count(api, chat, "sendMessage") == 0
            proxy.restore()
        await api.wait_for(lambda a: count(a, chat, "sendMessage") >= 1, timeout=30)
        await api.idle()
    # The help, once, and no apology; the update handled by the attempt that did it.
    (reply,) = api.messages(chat)
    assert APOLOGY not in reply and "Ce que je sais faire" in reply
    assert handled_at(clean_postgres_url, update["update_id"]) is not None
    assert len(attempts) == (ATTEMPTS + 1 if how == "terminated" else 2)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.outage"]
    assert len(said) == 2 and "unreachable" in said[0] and "reachable again" in said[1], said
