"""Updates kept until handled: a fetched update is stored before Telegram is told it arrived
(the next getUpdates confirms it), so a process killed right after fetching loses nothing;
the next process replays what was stored and not handled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import ExtBot

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


class InboxBot(ExtBot):
    """An ExtBot whose getUpdates keeps what it fetched before returning it."""

    __slots__ = ("_inbox",)

    def __init__(self, *args, inbox: Inbox, **kwargs):
        super().__init__(*args, **kwargs)
        self._inbox = inbox

    async def get_updates(self, *args, **kwargs) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        await self._inbox.store(updates)
        return updates
