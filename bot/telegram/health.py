"""GET /health on ALLIANCE_LISTEN: 200 while the database answers, 503 otherwise. The
database is asked at each request, so a monitor sees what is, not what was; the bot's state
follows the answer (and the log says once when it changes). The webhook's server serves it
beside the webhook; in polling mode it is served alone (with the dashboard when there is
one), while the bot runs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from telegram.ext import Application

from bot.telegram.outage import DatabaseWatch

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"
# Adds more routes (the dashboard's) to the server of the health check.
ExtraRoutes = Callable[[web.Application, Application], None]


def listen_address(listen: str) -> tuple[str, int]:
    """ "host:port" (or ":port") as a host and a port number."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"ALLIANCE_LISTEN must be host:port, not {listen!r}")
    return host or "0.0.0.0", int(port)


def add_health(app: web.Application, database: DatabaseWatch) -> None:
    async def health(_request: web.Request) -> web.Response:
        answers = await database.check()
        status = 200 if answers else 503
        return web.json_response({"database": "ok" if answers else "unreachable"}, status=status)

    app.router.add_get(HEALTH_PATH, health)


def serve_while_polling(
    application: Application, listen: str, routes: ExtraRoutes | None = None
) -> None:
    """Serves the health check, and the `routes` added beside it (the dashboard), from the
    application's start (before its own post_init) to its stop (after its post_stop). An
    address in use leaves the bot running without them, and the log says so: the bot's work
    does not depend on them."""
    runner: web.AppRunner | None = None
    started, stopped = application.post_init, application.post_stop

    async def start(app: Application) -> None:
        nonlocal runner
        server = web.Application()
        add_health(server, app.bot_data["database"])
        if routes is not None:
            routes(server, app)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        host, port = listen_address(listen)
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            log.error(
                "health check not served on %s:%s (%s); set ALLIANCE_LISTEN", host, port, error
            )
        else:
            log.info("health check on http://%s:%s%s", host, port, HEALTH_PATH)
        if started is not None:
            await started(app)

    async def stop(app: Application) -> None:
        if stopped is not None:
            await stopped(app)
        if runner is not None:
            await runner.cleanup()

    application.post_init, application.post_stop = start, stop
