"""Telegram's limits: python-telegram-bot's limiter for the overall rate and groups, plus about
one message a second in each private chat; a 429 is left to the outbox, which retries that
chat alone instead of pausing every chat."""

from __future__ import annotations

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
    __slots__ = ("_chat_limiters", "_chat_rate")

    def __init__(self, overall_max_rate: float, chat_max_rate: float = 1.0):
        super().__init__(overall_max_rate=overall_max_rate, overall_time_period=1, max_retries=0)
        self._chat_rate = chat_max_rate
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        # With no retries, PTB logs each 429 as an error; the outbox logs and retries it.
        logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)

    async def process_request(
        self,
        callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ):
        chat_id = data.get("chat_id")
        if endpoint in MESSAGE_ENDPOINTS and isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

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
