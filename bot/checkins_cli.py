"""`alliance checkins run`: the check-ins and reminders due at a time, once, then exit.

For cron, and for tests that move time (`--at`). Every message is recorded in the outbox
before it is sent; what Telegram has not taken when the command ends (a 429 to wait out,
an outage) stays recorded, and the bot or the next run sends it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from telegram.error import InvalidToken, NetworkError

from bot.app import send_waiting
from bot.delivery import next_attempt
from bot.process import freeze_loaded
from bot.scheduler import Dispatched, dispatch_once
from bot.services import Core, Services
from bot.settings import Settings
from bot.views import Presenter
from storage import delivery
from storage.db import make_engine, session_scope
from storage.models import utcnow

# How long the command keeps sending after dispatching; past it, the bot takes over.
SENDING_LIMIT = timedelta(minutes=30)


def run(settings: Settings, at: datetime | None) -> Dispatched:
    """Dispatches as of `at` (now by default), then sends what was recorded."""
    # What is loaded by now lives as long as the process: the garbage collector need not
    # walk it again and again while thousands of messages go out.
    freeze_loaded()
    shift = (at - utcnow()) if at else timedelta(0)

    def clock() -> datetime:
        return utcnow() + shift

    engine = make_engine(settings.database_url)
    services = Services(engine, Core(settings.alliance_timezone), clock=clock)
    presenter = Presenter(services.core.zone, invitation_link=lambda token: token)
    done = dispatch_once(services, presenter)
    if settings.telegram_bot_token and next_attempt(engine, clock) is not None:
        try:
            asyncio.run(send_waiting(settings, engine, clock, limit=SENDING_LIMIT))
        except (NetworkError, InvalidToken) as error:
            # Nothing is lost: what was recorded waits in the outbox for the next attempt.
            done.unsent_reason = str(error) or type(error).__name__
    with session_scope(engine) as db:
        done.waiting = delivery.count_pending(db)
    engine.dispose()
    return done
