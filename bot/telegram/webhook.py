"""Webhook mode: Telegram posts each update to ALLIANCE_WEBHOOK_URL.

A small aiohttp server (python-telegram-bot's own webhook server has no room for a health
check) refuses any request without the secret Telegram was given, keeps each update in the
inbox before acknowledging it (so a process killed right after loses nothing, and an update
Telegram delivers again is handed on once), then gives it to the Application, which handles
it as it handles a polled one. GET /health answers 200 while the database answers. While
the database does not answer, an update cannot be kept: it is answered 503 (Telegram posts
it again later) and the log says once that the database is out of reach.

A slow or hostile client cannot hold the server: a body larger than an update is refused
(413), a body not received within the read time-out is answered 408, and beyond a number of
webhook requests in progress the next ones are answered 503 at once (Telegram retries).
The proxy in front bounds what aiohttp does not: the time to send the headers.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.telegram.health import ExtraRoutes, add_health, listen_address
from bot.telegram.inbox import Inbox
from bot.telegram.outage import DatabaseWatch

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What Telegram accepts as a secret token.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Telegram's updates are a few kilobytes; a body larger than this is refused.
MAX_BODY = 1024 * 1024


def webhook_path(url: str) -> str:
    """The path Telegram posts to: the URL's own path, or / when it has none."""
    return urlsplit(url).path or "/"


def webhook_app(
    application: Application,
    inbox: Inbox,
    database: DatabaseWatch,
    *,
    path: str,
    secret: str,
    read_timeout: float = 10.0,
    max_requests: int = 100,
):
    """The server's routes: the webhook (POST `path`) and the health check. A body must
    arrive within `read_timeout` seconds; at most `max_requests` webhook requests at once."""
    in_progress = 0

    async def receive(request: web.Request) -> web.Response:
        nonlocal in_progress
        if in_progress >= max_requests:
            log.warning("webhook: %d requests in progress, one more refused (503)", in_progress)
            return web.Response(status=503)
        in_progress += 1
        try:
            return await receive_one(request)
        finally:
            in_progress -= 1

    async def receive_one(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request without the right secret refused")
            return web.Response(status=403)
        try:
            body = await asyncio.wait_for(request.read(), read_timeout)
        except TimeoutError:
            log.warning("webhook: a body not received within %s s, request cut (408)", read_timeout)
            response = web.Response(status=408)
            response.force_close()
            return response
        try:
            payload = json.loads(body)
        except ValueError:
            return web.Response(status=400)
        if not isinstance(payload, dict) or type(payload.get("update_id")) is not int:
            return web.Response(status=400)
        update = Update.de_json(payload, application.bot)
        try:
            fresh = await inbox.store_new(update)
        except Exception as error:
            if not database.noted(error):
                raise
            return web.Response(status=503)
        if fresh:
            await application.update_queue.put(update)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, receive)
    add_health(app, database)
    return app


async def serve(
    application: Application,
    *,
    url: str,
    secret: str,
    listen: str,
    on_start,
    read_timeout: float = 10.0,
    max_requests: int = 100,
    routes: ExtraRoutes | None = None,
) -> None:
    """Runs the bot behind the webhook, with the `routes` added beside it (the dashboard),
    until SIGTERM or SIGINT."""
    from bot.app import ALLOWED_UPDATES

    host, port = listen_address(listen)
    inbox: Inbox = application.bot_data["inbox"]
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with application:
        app = webhook_app(
            application,
            inbox,
            application.bot_data["database"],
            path=webhook_path(url),
            secret=secret,
            read_timeout=read_timeout,
            max_requests=max_requests,
        )
        if routes is not None:
            routes(app, application)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        await application.start()
        await on_start(application)
        await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        log.info("webhook mode: listening on %s:%s", host, port)
        await stopping.wait()
        await runner.cleanup()
        await application.stop()
        # As run_polling does (Application.stop does not): claims freed, probing stopped.
        await application.post_stop(application)
