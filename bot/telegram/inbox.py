"""Updates kept until handled: a fetched update is stored before Telegram is told it arrived
(the next getUpdates confirms it), so a process killed right after fetching loses nothing;
the next process replays what was stored and not handled.

While the database does not answer, nothing could be kept: the long poll waits for the
database instead of Telegram, and what Telegram holds stays there until it answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.telegram.outage import DatabaseWatch, summary
from storage import delivery
from storage.db import session_scope
from storage.models import utcnow

log = logging.getLogger(__name__)


def update_key(update_id: int) -> str:
    """The channel-unique key of a Telegram update: the key a use case claims it by."""
    return f"tg:{update_id}"


def as_input(update: Update) -> delivery.Input:
    """An update as kept: with its chat and its place in Telegram's order."""
    chat = update.effective_chat
    return delivery.Input(
        update_key(update.update_id),
        update.to_dict(),
        chat_id=chat.id if chat is not None else None,
        seq=update.update_id,
    )


def kept(update: Update) -> bool:
    """Inline queries are not kept: answered late, they are useless."""
    return update.inline_query is None


class Inbox:
    """The database side of kept updates."""

    def __init__(self, engine: Engine):
        self.engine = engine

    async def store(self, updates: Sequence[Update]) -> None:
        """Stores the updates not seen before. A redelivered one is still handed on (the
        updater must see it to confirm it) and its use case finds it claimed already."""
        items = [as_input(u) for u in updates if kept(u)]
        if items:
            await asyncio.to_thread(self._store, items)

    async def store_new(self, update: Update) -> bool:
        """Keeps an update posted to the webhook; False when it was kept already (Telegram
        posts again what was not acknowledged in time): it is then handled once."""
        if not kept(update):
            return True
        return bool(await asyncio.to_thread(self._store, [as_input(update)]))

    def _store(self, items: list[delivery.Input]) -> list[str]:
        with session_scope(self.engine) as db:
            return delivery.store_inbound(db, items=items, at=utcnow())

    async def mark_handled(self, update: object) -> None:
        if isinstance(update, Update) and kept(update):
            await self.mark_key_handled(update_key(update.update_id))

    async def mark_key_handled(self, key: str) -> None:
        await asyncio.to_thread(self._mark, key)

    def _mark(self, key: str) -> None:
        with session_scope(self.engine) as db:
            delivery.mark_handled(db, key=key, at=utcnow())

    async def unhandled(self, bot: ExtBot) -> list[Update]:
        """What a previous process stored and did not handle, in Telegram's order."""
        updates = [
            await self.read(payload, bot) for payload in await asyncio.to_thread(self._unhandled)
        ]
        return sorted((u for u in updates if u is not None), key=lambda u: u.update_id)

    async def read(self, payload: dict, bot: ExtBot) -> Update | None:
        """A kept update as the handlers take it; None when it cannot be read, and it is
        then marked handled, so it never holds its chat (or a start) back."""
        try:
            return Update.de_json(payload, bot)
        except Exception:  # noqa: BLE001 - any unreadable payload is skipped, logged
            log.error("a kept update could not be read; skipped", exc_info=True)
            await self.mark_key_handled(update_key(payload.get("update_id")))
            return None

    def _unhandled(self) -> list[dict]:
        with session_scope(self.engine) as db:
            return [row.payload for row in delivery.unhandled_inbound(db)]


class PollingFailed(NetworkError):
    """getUpdates failed, and the log said so already: python-telegram-bot's polling loop
    tries again after a growing pause (1 s, then 1.5 times longer each time, up to 30 s)."""


class InboxBot(ExtBot):
    """An ExtBot whose getUpdates keeps what it fetched before returning it, and fetches
    nothing while the database is out of reach."""

    __slots__ = ("_database", "_inbox", "_telegram_failing")

    def __init__(self, *args, inbox: Inbox, database: DatabaseWatch, **kwargs):
        super().__init__(*args, **kwargs)
        self._inbox = inbox
        self._database = database
        self._telegram_failing = False

    async def get_updates(self, *args, **kwargs) -> tuple[Update, ...]:
        # A long poll with no news, as far as the updater sees, until the database answers.
        if not await self._database.wait(_seconds(kwargs.get("timeout"))):
            return ()
        updates = await self._fetch(*args, **kwargs)
        try:
            await self._inbox.store(updates)
        except Exception as error:
            if not self._database.noted(error):
                log.error("could not keep the updates fetched; trying again", exc_info=error)
                raise PollingFailed(summary(error)) from error
            # Not confirmed to Telegram (the updater moves on only with updates): it gives
            # them again once the database answers.
            return ()
        return updates

    async def _fetch(self, *args, **kwargs) -> tuple[Update, ...]:
        """getUpdates; a failure is logged once until a call succeeds again."""
        try:
            updates = await super().get_updates(*args, **kwargs)
        except (TimedOut, RetryAfter, InvalidToken):
            raise  # python-telegram-bot's own handling: at once, as told, or stop
        except TelegramError as error:
            if not self._telegram_failing:
                self._telegram_failing = True
                log.warning("getUpdates failed (%s); trying again with back-off", error)
            raise PollingFailed(str(error)) from error
        if self._telegram_failing:
            self._telegram_failing = False
            log.info("getUpdates answers again; polling resumed")
        return updates


def _seconds(timeout: object) -> float:
    """A getUpdates time-out (seconds or a timedelta) in seconds."""
    if isinstance(timeout, timedelta):
        return timeout.total_seconds()
    return float(timeout or 0)
