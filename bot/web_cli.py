"""`alliance web`: the dashboard alone, without the bot, for a coordinator on their own
machine (or a server that runs the bot elsewhere). It listens on ALLIANCE_LISTEN beside the
health check, then prints a one-time login link for the terminal's user, the same person
`alliance console` talks for."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import sys
from collections.abc import Callable

from aiohttp import web

from bot import terminal
from bot.process import freeze_loaded
from bot.services import Actor, Core, Services
from bot.services.dashboard_entry import open_dashboard
from bot.settings import Settings
from bot.telegram.health import add_health, listen_address
from bot.telegram.outage import DatabaseWatch
from bot.views import plain
from storage.db import make_engine

log = logging.getLogger(__name__)


def local_url(host: str, port: int) -> str:
    """The address a browser on this machine opens when no public URL is set: a server
    listening on every interface is reached on the loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def run(settings: Settings, actor: Actor) -> int:
    """Serves until SIGINT or SIGTERM; 1 when the address cannot be listened on."""
    from bot.web.app import dashboard_app
    from bot.web.config import WebConfig

    host, port = listen_address(settings.alliance_listen)
    base_url = (settings.alliance_web_url or local_url(host, port)).rstrip("/")
    engine = make_engine(settings.database_url)
    services = Services(engine, Core(settings.alliance_timezone, web_url=base_url))
    config = WebConfig(services, settings.telegram_bot_token or _nobodys_token(), base_url)
    notes = _notes(settings, base_url)

    def announce() -> None:
        result = services.run(actor, open_dashboard)
        shown = terminal.presenter(services.core.zone).reply(result)
        print("\n\n".join(plain(screen.text) for screen in shown.messages), flush=True)

    try:
        return asyncio.run(_serve(dashboard_app(config), engine, host, port, notes, announce))
    finally:
        engine.dispose()


def _nobodys_token() -> str:
    """Without the bot's token no Mini App sign-in can be checked, so none may succeed: init
    data is checked against a random key nobody signs with (an empty token would be a key
    anyone can sign with). Only login links sign in."""
    return secrets.token_urlsafe(32)


def _notes(settings: Settings, base_url: str) -> list[str]:
    """What the person who starts it should know about this setup."""
    notes = [f"Dashboard served on {base_url}/ (Ctrl+C stops it)."]
    if not settings.alliance_web_url:
        notes.append(
            "ALLIANCE_WEB_URL is not set: the link below works on this machine only "
            "(set it to the public HTTPS address to open the dashboard from elsewhere)."
        )
    if not settings.telegram_bot_token:
        notes.append(
            "TELEGRAM_BOT_TOKEN is not set: no sign-in from Telegram (Mini App); "
            "one-time login links work."
        )
    return notes


async def _serve(
    app: web.Application,
    engine,
    host: str,
    port: int,
    notes: list[str],
    announce: Callable[[], None],
) -> int:
    add_health(app, DatabaseWatch(engine))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    freeze_loaded()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        print(f"Cannot listen on {host}:{port} ({error}); set ALLIANCE_LISTEN.", file=sys.stderr)
        await runner.cleanup()
        return 1
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    for note in notes:
        log.info(note)
    # The link is made once the address answers: it is good for ten minutes from now.
    await asyncio.to_thread(announce)
    await stopping.wait()
    await runner.cleanup()
    return 0
