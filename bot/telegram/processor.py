"""python-telegram-bot's update processor, made to keep each chat's updates in order while
different chats are handled side by side."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram.locks import ChatLocks

# The base class's semaphore is taken before our per-chat lock: a chat flooding the bot would
# fill it with updates that only wait for their turn. It is set high so it never binds;
# database work is bounded by the worker threads, sending by the rate limiter.
MAX_WAITING_UPDATES = 10_000


def ordering_keys(update: object) -> tuple[Hashable, ...]:
    """The chat and the user an update belongs to: each is handled in order."""
    if not isinstance(update, Update):
        return ("other",)
    keys: list[Hashable] = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return tuple(keys) or (("update", update.update_id),)


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, one chat (and one user) at a time."""

    def __init__(
        self,
        locks: ChatLocks,
        after: Callable[[object], Awaitable[None]] | None = None,
    ):
        super().__init__(MAX_WAITING_UPDATES)
        self.locks = locks
        # Called once an update's handlers are done, even when they failed (settles it).
        self.after = after

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self.locks.hold(*ordering_keys(update)):
            try:
                await coroutine
            finally:
                if self.after is not None:
                    await self.after(update)

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to free."""
