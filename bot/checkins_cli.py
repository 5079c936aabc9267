"""`alliance checkins run`: the check-ins and reminders due at a time, once, then exit.

For cron, and for tests that move time (`--at`). Every message is recorded in the outbox
before it is sent; what Telegram has not taken when the command ends (a 429 to wait out,
an outage) stays recorded, and the bot or the next run sends it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram.error import InvalidToken, NetworkError
from telegram.ext import ExtBot

from bot.app import bot_options
from bot.scheduler import Dispatched, dispatch_once
from bot.services import Core, Services
from bot.settings import Settings
from bot.telegram.locks import ChatLocks
from bot.telegram.outbox import RENEW_SECONDS, Sender
from bot.views import Presenter
from storage import delivery
from storage.db import make_engine, session_scope
from storage.models import utcnow

# How long the command keeps sending after dispatching; past it, the bot takes over.
SENDING_LIMIT = timedelta(minutes=30)
# A message to retry later than this is left to the bot rather than waited for.
LONGEST_WAIT = timedelta(seconds=60)


def run(settings: Settings, at: datetime | None) -> Dispatched:
    """Dispatches as of `at` (now by default), then sends what was recorded."""
    # What is loaded by now lives as long as the process: the garbage collector need not
    # walk it again and again while thousands of messages go out.
    gc.freeze()
    shift = (at - utcnow()) if at else timedelta(0)

    def clock() -> datetime:
        return utcnow() + shift

    engine = make_engine(settings.database_url)
    services = Services(engine, Core(settings.alliance_timezone), clock=clock)
    presenter = Presenter(services.core.zone, invitation_link=lambda token: token)
    done = dispatch_once(services, presenter)
    if settings.telegram_bot_token and _next_attempt(engine, clock) is not None:
        try:
            asyncio.run(send(settings, engine, clock))
        except (NetworkError, InvalidToken) as error:
            # Nothing is lost: what was recorded waits in the outbox for the next attempt.
            done.unsent_reason = str(error) or type(error).__name__
    with session_scope(engine) as db:
        done.waiting = delivery.count_pending(db)
    engine.dispose()
    return done


async def send(settings: Settings, engine, clock: Callable[[], datetime]) -> None:
    """Sends what the outbox holds, retrying what is due soon, within SENDING_LIMIT."""
    async with ExtBot(**bot_options(settings)) as bot:
        sender = Sender(bot, engine, ChatLocks(), clock)
        renewing = asyncio.ensure_future(_keep_claims(sender))
        try:
            await _send_until_done(sender, engine, clock)
        finally:
            renewing.cancel()
            await sender.release_all()


async def _send_until_done(sender: Sender, engine, clock: Callable[[], datetime]) -> None:
    deadline = clock() + SENDING_LIMIT
    while clock() < deadline:
        await sender.sweep()
        wait = _next_attempt(engine, clock)
        if wait is None or wait > LONGEST_WAIT:
            return
        await asyncio.sleep(max(wait.total_seconds(), 0.05))


async def _keep_claims(sender: Sender) -> None:
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        await sender.renew_claims()


def _next_attempt(engine, clock) -> timedelta | None:
    """How long until the earliest message still waiting may be tried again."""
    with session_scope(engine) as db:
        earliest = delivery.earliest_pending(db, now=clock())
    if earliest is None:
        return None
    return earliest - clock()
