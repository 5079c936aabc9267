"""The overall rate as Telegram would count it, in virtual time: a ceiling in every window,
and a fan-out that steps aside for people waiting for an answer."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from bisect import bisect_left

from bot.telegram.ratelimit import ChatRateLimiter

RATE = 30


class Timeline:
    """A clock that jumps to the next sleeper's wake-up once every task is blocked."""

    def __init__(self):
        self.now = 0.0
        self._sleepers: list = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), woken))
        await woken

    async def run(self, *coroutines) -> None:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(t.done() for t in tasks):
            for _ in range(20):  # let every task run until it blocks
                await asyncio.sleep(0)
            if self._sleepers:
                self.now, _, woken = heapq.heappop(self._sleepers)
                woken.set_result(None)
        for task in tasks:
            task.result()


def limiter(timeline: Timeline) -> ChatRateLimiter:
    return ChatRateLimiter(RATE, 1000, clock=timeline.clock, sleep=timeline.sleep)


async def send(limiter, timeline, sent: list, chat_id: int, *, bulk: bool, label: str = ""):
    async def call():
        sent.append((timeline.now, label or chat_id))

    await limiter.process_request(
        call, (), {}, "sendMessage", {"chat_id": chat_id}, {"bulk": True} if bulk else None
    )


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(bisect_left(times, t + 1.0) - i for i, t in enumerate(times))


async def test_a_fan_out_goes_at_the_rate_and_never_above_it():
    timeline = Timeline()
    rates, sent = limiter(timeline), []
    await timeline.run(*(send(rates, timeline, sent, 1000 + i, bulk=True) for i in range(600)))
    times = [t for t, _ in sent]
    assert len(times) == 600
    assert busiest_second(times) <= RATE - 1
    pace = (len(times) - 1) / (times[-1] - times[0])
    assert RATE * 0.95 <= pace <= RATE
    # Never two calls at once: each reaching Telegram up to 30 ms late (network, a busy
    # host), at random, never makes a second go above the rate.
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 1 / RATE
    arrivals = random.Random(7)
    for _ in range(20):
        assert busiest_second([t + arrivals.uniform(0, 0.03) for t in times]) <= RATE


async def test_a_burst_of_answers_never_goes_above_the_rate():
    timeline = Timeline()
    rates, sent = limiter(timeline), []
    await timeline.run(*(send(rates, timeline, sent, 1000 + i, bulk=False) for i in range(95)))
    times = [t for t, _ in sent]
    # The first ones go at once, one slot of the rate kept free for arrivals that bunch
    # up on the way: someone is waiting for each of them.
    assert times.count(0.0) == RATE - 1
    assert busiest_second(times) <= RATE - 1


async def test_answers_pass_ahead_of_a_fan_out_already_queued():
    timeline = Timeline()
    rates, sent = limiter(timeline), []

    async def answers_later():
        await timeline.sleep(2.0)
        await asyncio.gather(
            *(send(rates, timeline, sent, 1, bulk=False, label=f"answer {i}") for i in range(3))
        )

    fan_out = (send(rates, timeline, sent, 1000 + i, bulk=True) for i in range(300))
    await timeline.run(*fan_out, answers_later())
    order = [label for _, label in sent]
    answered = [t for t, label in sent if str(label).startswith("answer")]
    # Three answers asked at 2 s, with 240 check-ins still in line: each takes the next
    # free slot of the rate, not a place at the back of the line (about 8 s away).
    assert len(answered) == 3 and max(answered) < 2.0 + 4 / RATE * 1.1
    first_answer = order.index("answer 0")
    assert first_answer < 70
    assert busiest_second([t for t, _ in sent]) <= RATE
