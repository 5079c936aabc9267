"""Telegram's limits: about 30 messages a second overall, about one a second in each private
chat after a short burst, and python-telegram-bot's group limits.

The overall rate is a ceiling, never a target to average: at most rate - 1 calls leave in
any one-second window (Telegram counts arrivals, and calls delayed on the way by the
network or a busy host arrive closer together than they left). It is shared fairly:
interactive calls (answers to someone who is waiting) go first, in a burst if need be, and
a fan-out (check-ins) takes the rate they leave, evenly paced, one call in line at a time,
so it never holds an interactive call up for more than one slot. A 429 is left to the outbox, which
retries that chat alone instead of pausing every chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

# Calls that add a message to a chat (edits change one already there; toasts and inline
# answers are not messages).
MESSAGE_ENDPOINTS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
# Telegram tolerates short bursts in a chat, then about one message a second.
CHAT_BURST = 4
# Past twice this many chat limiters, the idle ones are forgotten.
KEEP_LIMITERS = 512
# One message of the rate is kept free in every second: arrivals bunch up when the network
# or a busy host delays some calls and not others, and Telegram counts arrivals.
ARRIVAL_HEADROOM = 1
# A fan-out is paced a little further under the ceiling: arrivals bunch up when the event loop
# is held for a moment, and a fan-out must never make a second exceed the rate.
BULK_MARGIN = 1.035
# How late (seconds) a paced call may be and still have its lateness made up on the next.
CATCH_UP = 0.005
# A wake-up this close to the end of a window counts as after it (clocks round).
TOLERANCE = 1e-9


class SlidingWindow:
    """At most `count` acquisitions in any `period` seconds, granted in order of arrival.

    Unlike a token bucket, it has no refill to borrow ahead from: whichever window of
    `period` seconds one looks at, it holds `count` calls or fewer.
    """

    __slots__ = ("_clock", "_count", "_granted", "_lock", "_period", "_sleep")

    def __init__(
        self,
        count: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self._count = count
        self._period = period
        self._clock = clock
        self._sleep = sleep
        self._granted: deque[float] = deque()
        self._lock = asyncio.Lock()

    @classmethod
    def for_rate(cls, rate: float, margin: float = 1.0, **kwargs) -> SlidingWindow:
        """A window that lets at most `rate` calls through per second."""
        count = max(int(rate), 1)
        return cls(count, count / rate * margin, **kwargs)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                while self._granted and now - self._granted[0] >= self._period - TOLERANCE:
                    self._granted.popleft()
                if len(self._granted) < self._count:
                    self._granted.append(now)
                    return
                await self._sleep(self._granted[0] + self._period - now)


class Pace:
    """One call every `interval` seconds, on a schedule. A wake-up a little late (a timer's
    usual lateness, up to CATCH_UP) is made up on the next call, so the pace holds; a longer
    delay is not caught up, so calls never bunch: n calls after any one, the nth leaves at
    least `n * interval - CATCH_UP` after it, and calls delayed differently on the way (by
    up to an interval) still arrive under the rate."""

    __slots__ = ("_clock", "_interval", "_lock", "_next", "_sleep")

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = self._clock()
            if now < self._next - TOLERANCE:
                await self._sleep(self._next - now)
                now = self._clock()
            # On schedule (or a little late): the next slot follows this one's. Later than
            # that (a pause, an idle spell): the schedule starts again from now.
            on_time = now - self._next <= CATCH_UP
            self._next = (self._next if on_time else now) + self._interval


class ChatRateLimiter(AIORateLimiter):
    __slots__ = (
        "_bulk_line",
        "_bulk_pace",
        "_chat_limiters",
        "_chat_rate",
        "_interactive",
        "_overall",
        "_quiet",
    )

    def __init__(self, overall_max_rate: float, chat_max_rate: float = 1.0, **clock: Any):
        """`clock` may name `clock` and `sleep` for the overall rate (tests move time)."""
        # PTB's own overall limiter is off: ours below serves interactive calls first.
        super().__init__(overall_max_rate=0, max_retries=0)
        self._overall = SlidingWindow.for_rate(max(overall_max_rate - ARRIVAL_HEADROOM, 1), **clock)
        # A fan-out goes at an even pace rather than in bursts.
        self._bulk_pace = Pace(BULK_MARGIN / overall_max_rate, **clock)
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
                await self._bulk_pace.acquire()
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
        if len(self._chat_limiters) > 2 * KEEP_LIMITERS:
            # Now and then, not on every call: a fan-out touches thousands of chats.
            for key, limiter in list(self._chat_limiters.items()):
                if key != chat_id and limiter.has_capacity(CHAT_BURST):
                    del self._chat_limiters[key]
        if chat_id not in self._chat_limiters:
            # A bucket of CHAT_BURST messages, refilled at the chat rate.
            period = CHAT_BURST / self._chat_rate
            self._chat_limiters[chat_id] = AsyncLimiter(CHAT_BURST, period)
        return self._chat_limiters[chat_id]
