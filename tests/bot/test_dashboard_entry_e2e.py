"""End to end: how a user opens the dashboard. The real bot against the fake Bot API sets the
Mini App menu button at start only when the dashboard is configured; /tableau in private
gives the Mini App button and a one-time login link that signs in once; in a group it asks
for the private chat; without ALLIANCE_WEB_URL it says the dashboard is not set up. The
terminal prints the link, and `alliance web`, a real process, serves the dashboard and
prints a link that works."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.app import serve_dashboard
from bot.console import Console
from bot.services import Actor, Core, Services
from bot.services.dashboard_entry import open_dashboard
from bot.web.auth import sign_init_data
from storage.db import make_engine
from tests.bot.conftest import running_bot
from tests.bot.driver import last_text, type_text
from tests.bot.process import free_port, start_bot, stop

WEB_URL = "https://alliance.example.org/tableau"
USER, ENGLISH, GROUP_MEMBER = 8101, 8102, 8103
LINK = re.compile(r"(https?://\S+/login/[A-Za-z0-9_-]+)")


def keyboard(api, chat: int) -> list[list[dict]]:
    """The buttons of the bot's last message in the chat, as Telegram received them."""
    (last, *_) = reversed(api.calls_of("sendMessage", chat))
    markup = last.params.get("reply_markup") or {}
    return markup.get("inline_keyboard", [])


async def serve(application) -> tuple[web.AppRunner, str]:
    """The dashboard as `alliance run` serves it (bot.app.serve_dashboard on the server of the
    health check), on a free loopback port; returns its runner and its root address."""
    server = web.Application()
    serve_dashboard(server, application)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def sign_in(root: str, link: str) -> tuple[int, str]:
    """Opens a login link's path on the local server, as a browser would (no redirect
    followed): its status and where it sends the browser."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(root + urlsplit(link).path, allow_redirects=False) as answer,
    ):
        return answer.status, answer.headers.get("Location", "")


async def test_tableau_opens_the_mini_app_and_a_link_that_signs_in_once(api, sqlite_url):
    async with running_bot(api, sqlite_url, alliance_web_url=WEB_URL + "/") as running:
        # At start, one menu button for every chat: the Mini App, in French.
        (menu,) = api.calls_of("setChatMenuButton")
        assert "chat_id" not in menu.params
        assert menu.params["menu_button"] == {
            "type": "web_app",
            "text": "Tableau de bord",
            "web_app": {"url": WEB_URL + "/app"},
        }

        await type_text(api, USER, "/tableau")
        assert "Tableau de bord" in last_text(api, USER)
        assert "une seule fois" in last_text(api, USER)
        (app_row, link_row) = keyboard(api, USER)
        assert app_row == [
            {"text": "Ouvrir le tableau de bord", "web_app": {"url": WEB_URL + "/app"}}
        ]
        (browser,) = link_row
        assert browser["text"] == "Ouvrir dans un navigateur"
        assert LINK.fullmatch(browser["url"]) and browser["url"].startswith(WEB_URL + "/login/")

        # The link signs in once: a session and the portfolio; then it is spent.
        runner, root = await serve(running.application)
        try:
            assert await sign_in(root, browser["url"]) == (303, "/tableau/")
            status, _ = await sign_in(root, browser["url"])
            assert status == 410
            # Each /tableau brings a fresh link, good once too.
            await type_text(api, USER, "/tableau")
            again = keyboard(api, USER)[1][0]["url"]
            assert again != browser["url"]
            assert (await sign_in(root, again))[0] == 303
        finally:
            await runner.cleanup()

        # In English, with the English command.
        await type_text(api, ENGLISH, "/dashboard", language_code="en")
        assert "Dashboard" in last_text(api, ENGLISH)
        assert [row[0]["text"] for row in keyboard(api, ENGLISH)] == [
            "Open the dashboard",
            "Open in a browser",
        ]
        assert running.errors == []


async def test_in_a_group_tableau_asks_for_the_private_chat(api, sqlite_url):
    async with running_bot(api, sqlite_url, alliance_web_url=WEB_URL) as running:
        group = -GROUP_MEMBER
        api.send_text(GROUP_MEMBER, "/tableau@alliance_test_bot", chat_type="group")
        (answer,) = await api.wait_for(lambda a: a.calls_of("sendMessage", group))
        assert "conversation privée" in answer.text and "/tableau" in answer.text
        # No Mini App button (Telegram refuses one there) and no login link for all to read.
        assert "reply_markup" not in answer.params and "/login/" not in answer.text
        assert running.errors == []


async def test_without_a_dashboard_tableau_says_so_and_the_menu_is_left_alone(api, sqlite_url):
    async with running_bot(api, sqlite_url) as running:
        await type_text(api, USER, "/tableau")
        text = last_text(api, USER)
        assert "pas encore activé" in text and "ALLIANCE_WEB_URL" in text
        assert "/partenariats" in text
        assert keyboard(api, USER) == []
        assert api.calls_of("setChatMenuButton", ok=None) == []
        # The help lists /tableau.
        await type_text(api, USER, "/aide")
        assert "/tableau — vos partenariats sur une page" in last_text(api, USER)
        assert running.errors == []


async def test_on_plain_http_the_link_is_written_out_and_no_menu_button_is_set(api, sqlite_url):
    """Telegram opens Mini Apps only over HTTPS: a local HTTP address gets no Mini App, and
    the link comes in the text."""
    local = "http://alliance.example.org"
    async with running_bot(api, sqlite_url, alliance_web_url=local) as running:
        assert api.calls_of("setChatMenuButton", ok=None) == []
        await type_text(api, USER, "/tableau")
        text = last_text(api, USER)
        link = LINK.search(text).group(1)
        assert link.startswith(local + "/login/")
        # As code: Telegram neither links nor previews it (a preview would spend it).
        assert f"<code>{link}</code>" in text
        assert keyboard(api, USER) == []
        assert running.errors == []


def test_the_console_prints_the_login_link(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    actor = Actor("console:camille", "fr", "camille")
    for web_url, expected in ((WEB_URL, "une seule fois"), (None, "alliance web")):
        out = io.StringIO()
        services = Services(engine, Core("Europe/Paris", web_url=web_url))
        console = Console(services, actor, out, tmp_path)
        console.handle("/tableau")
        printed = out.getvalue()
        assert expected in printed
        link = LINK.search(printed)
        assert (link is not None) == (web_url is not None), printed
        if link:
            assert link.group(1).startswith(WEB_URL + "/login/")
            assert "Ouvrir le tableau de bord" not in printed  # no Mini App in a terminal
    engine.dispose()


async def test_alliance_web_serves_the_dashboard_and_prints_a_link(sqlite_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": sqlite_url,
        "ALLIANCE_LISTEN": f"127.0.0.1:{port}",
        "LANG": "fr_FR.UTF-8",
        "HOME": str(tmp_path),
    }
    for unset in ("ALLIANCE_WEB_URL", "TELEGRAM_BOT_TOKEN"):
        env.pop(unset, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "web",
        "--user",
        "camille",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        printed = ""
        while not (found := LINK.search(printed)):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, f"alliance web ended: {await process.stderr.read()!r}"
            printed += line.decode()
        link = found.group(1)
        # Without ALLIANCE_WEB_URL, an address on this machine.
        assert link.startswith(f"http://127.0.0.1:{port}/login/")
        # A browser keeps the session's cookie for an IP address too (aiohttp's jar, unless
        # told).
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(f"http://127.0.0.1:{port}/health") as health:
                assert health.status == 200
            async with session.get(link, allow_redirects=False) as signed_in:
                assert signed_in.status == 303
                assert "alliance_session" in signed_in.cookies
            async with session.get(f"http://127.0.0.1:{port}/") as portfolio:
                assert portfolio.status == 200
            async with session.get(link, allow_redirects=False) as spent:
                assert spent.status == 410
            # Without the bot's token no Mini App sign-in passes, even data "signed" with an
            # empty token (which anyone could sign with).
            forged = sign_init_data("", {"id": USER, "first_name": "Eve"}, datetime.now(UTC))
            async with session.post(
                f"http://127.0.0.1:{port}/auth/telegram", data={"init_data": forged}
            ) as mini_app:
                assert mini_app.status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    log = (await process.stderr.read()).decode()
    assert process.returncode == 0, log
    assert "ALLIANCE_WEB_URL is not set" in log
    assert "TELEGRAM_BOT_TOKEN is not set" in log and "login links work" in log


def fresh_link(database_url: str) -> str:
    """A one-time login link's path for a Telegram user, made through the use case."""
    engine = make_engine(database_url)
    services = Services(engine, Core("Europe/Paris", web_url=WEB_URL))
    result = services.run(Actor(f"tg:{USER}", "fr"), open_dashboard)
    engine.dispose()
    (offer,) = result.shown
    return urlsplit(offer.login_url).path


async def test_alliance_run_serves_the_dashboard_when_polling_and_with_a_webhook(api, sqlite_url):
    for webhook in (False, True):
        port = free_port()
        env = {"ALLIANCE_WEB_URL": WEB_URL, "ALLIANCE_LISTEN": f"127.0.0.1:{port}"}
        if webhook:
            hook = f"http://127.0.0.1:{port}/telegram"
            env |= {"ALLIANCE_WEBHOOK_URL": hook, "ALLIANCE_WEBHOOK_SECRET": "s3cret"}
        since = len(api.calls)
        last = "setWebhook" if webhook else "setChatMenuButton"
        process = await start_bot(
            api,
            sqlite_url,
            env=env,
            # Listening before the menu button is set (polling), or Telegram told (webhook).
            ready=lambda a, start, last=last: any(c.method == last for c in a.calls[start:]),
        )
        try:
            root = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as session:
                async with session.get(root + "/health") as health:
                    assert health.status == 200
                path = fresh_link(sqlite_url)
                async with session.get(root + path, allow_redirects=False) as signed_in:
                    assert (signed_in.status, signed_in.headers["Location"]) == (303, "/tableau/")
            methods = [c.method for c in api.calls[since:]]
            assert ("setWebhook" in methods) == webhook
        finally:
            await stop(process)
