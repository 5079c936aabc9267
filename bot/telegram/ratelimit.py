"""Telegram's limits: about 30 messages a second overall, about one a second in each private
chat after a short burst, and python-telegram-bot's group limits.

The overall rate is shared fairly: interactive calls (answers to someone who is waiting) go
first, and a fan-out (check-ins) takes the rate they leave, one call in line at a time, so
it never holds an interactive call up for more than one slot. A 429 is left to the outbox,
which retries that chat alone instead of pausing every chat.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

# Calls that add a message to a chat (edits change one already there; toasts and inline
# answers are not messages).
MESSAGE_ENDPOINTS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
# Telegram tolerates short bursts in a chat, then about one message a second.
CHAT_BURST = 4
# Past this many chat limiters, the idle ones are forgotten.
KEEP_LIMITERS = 512


class ChatRateLimiter(AIORateLimiter):
    __slots__ = ("_bulk_line", "_chat_limiters", "_chat_rate", "_interactive", "_overall", "_quiet")

    def __init__(self, overall_max_rate: float, chat_max_rate: float = 1.0):
        # PTB's own overall limiter is off: ours below serves interactive calls first.
        super().__init__(overall_max_rate=0, max_retries=0)
        self._overall = AsyncLimiter(overall_max_rate, 1)
        self._chat_rate = chat_max_rate
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        # Interactive calls waiting for their turn; a fan-out waits while there are any.
        self._interactive = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._bulk_line = asyncio.Lock()
        # With no retries, PTB logs each 429 as an error; the outbox logs and retries it.
        logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)

    async def process_request(
        self,
        callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ):
        chat_id = data.get("chat_id")
        bulk = isinstance(rate_limit_args, dict) and bool(rate_limit_args.get("bulk"))
        if endpoint in MESSAGE_ENDPOINTS and isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                await self._turn(bulk, chat_id)
                return await super().process_request(callback, args, kwargs, endpoint, data, 0)
        if chat_id is not None:
            await self._turn(bulk, chat_id)
        return await super().process_request(callback, args, kwargs, endpoint, data, 0)

    async def _turn(self, bulk: bool, chat_id: Any) -> None:
        """Waits for a slot of the overall rate: interactive calls first."""
        if bulk:
            async with self._bulk_line:
                await self._quiet.wait()
                await self._overall.acquire()
            return
        self._interactive += 1
        self._quiet.clear()
        try:
            await self._overall.acquire()
        finally:
            self._interactive -= 1
            if not self._interactive:
                self._quiet.set()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chat_limiters) > KEEP_LIMITERS:
            for key, limiter in list(self._chat_limiters.items()):
                if key != chat_id and limiter.has_capacity(CHAT_BURST):
                    del self._chat_limiters[key]
        if chat_id not in self._chat_limiters:
            # A bucket of CHAT_BURST messages, refilled at the chat rate.
            period = CHAT_BURST / self._chat_rate
            self._chat_limiters[chat_id] = AsyncLimiter(CHAT_BURST, period)
        return self._chat_limiters[chat_id]
