"""Load benchmark: simulated users walk the diagnosis, against Alliance and two floor bots.

Run from the repository root (it takes minutes; it is a benchmark, not a test):

    .venv/bin/python benchmarks/bench_load.py                       # all bots, 80 users, 6 s
    .venv/bin/python benchmarks/bench_load.py --users 20 --think 2
    .venv/bin/python benchmarks/bench_load.py --users 50 --closed-loop
    .venv/bin/python benchmarks/bench_load.py --markdown >> benchmarks/RESULTS.md

Options: --users N, --think SECONDS (mean think time), --delay SECONDS (of every Bot API
answer, 0.05), --duration SECONDS (stop then; until then users start a new diagnosis when
they finish one; default: one whole walk each), --closed-loop (no think time),
--bot alliance|floor|edit-floor|all, --database-url URL (Alliance's; default a temporary SQLite
file), --instances N (Alliance as N instances in webhook mode sharing --database-url, which
must then be PostgreSQL), --seed N, --markdown (a section for benchmarks/RESULTS.md),
--digest N (Alliance runs twice, the second time with N coordinators' weekly digests made
due while the users answer: see below).

With --digest N, N coordinators (each of an organisation with 3 partnerships) are put in
Alliance's database before it starts, with this week's digest already recorded; both runs
have them. In the second run ("alliance+digest"), as the users start, the week's digests
are deleted: the bot's next dispatch (every 60 s) records N digests in the outbox and sends
them as a fan-out (bulk: they yield to the users' replies at the rate limiter). The report
adds the digests sent, how long from due to the last one, and the latency p95 of the
answers queued while they were being sent.

With --instances, each `alliance run` listens on its own loopback port with its share of
the 30 messages/s (ALLIANCE_MAX_MESSAGES_PER_SECOND = 30 / N, as the README's deployment
sets it), and a small
dispatcher in this process stands for Telegram and a load balancer: it posts every update
queued in the fake API to the instances in turn, whatever its chat, with the secret.

For each bot, one after the other: a fresh fake Bot API on loopback (tests/fake_bot_api.py)
answers every call --delay seconds after receiving it; the bot runs as a subprocess that
long-polls it: `alliance run`, or benchmarks/floor_bot.py, a bare python-telegram-bot bot
with the same AIORateLimiter (30 messages/s) and concurrent updates: "floor" answers a press
by echoing the answer in its question then sending the next one (Alliance's design before
issue 21), "edit-floor" by one edit turning the pressed message into the next question and
a typed answer by one message (the fewest calls a Telegram questionnaire can make).
Once the bot polls, the users start, staggered over the first think time, each in its own
private chat: /diagnostic, then COMPANY_PLAN or ASSOCIATION_PLAN (in turn), waiting for the
bot's reaction to every input and thinking 0.5-1.5 × --think seconds (seeded) before the
next one. With the floor a user presses the first button of the kind its step needs.

What it measures:
- the latency of an answer (every button press or typed text after /diagnostic, toggles
  included): from the moment its update is queued in the fake API to the reception of the
  bot's next sendMessage in that chat, or of the editMessageText that turns the pressed
  message into another keyboard (the next question, or the same one ticked);
- answers/s over the steady window, when every user has started and none has finished
  (over the whole run when that window is shorter than 5 s);
- Bot API calls per answer (getUpdates, start-up calls and /diagnostic's own replies left
  out) and, among them, the rate-limited ones: calls carrying a chat_id (sendMessage,
  editMessageText, editMessageReplyMarkup, sendDocument, sendChatAction), which
  AIORateLimiter holds to 30 a second all chats together;
- the ratios Alliance/floor for each floor and the targets of issue 21: p95 at most 2× the
  one-edit floor's at 60 users and 4 s think, at most the (echo-and-send) floor's at 80
  users and 6 s; at most 1.2 rate-limited calls per answer; in closed loop at least 25
  answers/s.

A user that gets no reaction within 30 s, or never sees the button its plan needs, stops
there; that is counted and reported (the missing reaction as a 30 s latency), never fatal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import os
import platform
import random
import re
import shlex
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Run as a script from anywhere: the fake Bot API lives in the repository's tests package.
sys.path.insert(0, str(REPO))

from tests.bot.driver import ASSOCIATION_PLAN, COMPANY_PLAN  # noqa: E402
from tests.fake_bot_api import Call, FakeBotApi  # noqa: E402

TOKEN = "123456:TEST"
MAX_MESSAGES_PER_SECOND = 30
POLLING_TIMEOUT = 1
REPLY_TIMEOUT = 30.0
START_TIMEOUT = 90.0
STEADY_WINDOW_MIN = 5.0
BOTS = ("alliance", "floor", "edit-floor")
# The floors: benchmarks/floor_bot.py, echoing an answer then sending the next question, or
# (FLOOR_MODE=edit) turning the pressed message into the next question with one edit.
FLOORS = ("floor", "edit-floor")
SEND = ("sendMessage",)
EDIT = ("editMessageText",)
# The targets (issue 21): p95 at most 2× the one-edit floor's at 60 users and 4 s think,
# at most the floor's (echo and send) at 80 users and 6 s; at most 1.2 rate-limited calls
# per answer; at least 25 answers a second in a closed loop.
TARGET_P95 = {(60, 4.0): ("edit-floor", 2.0), (80, 6.0): ("floor", 1.0)}
TARGET_RATE_LIMITED_PER_ANSWER = 1.2
TARGET_ANSWERS_PER_SECOND = 25.0

# The answers of a whole diagnosis, as the end-to-end tests walk it.
PLANS = (COMPANY_PLAN, ASSOCIATION_PLAN)


# ----------------------------------------------------------------------------- observing


@dataclass
class Sample:
    """One answer: its kind (a, t, v, s, x), when it was queued, when the bot reacted."""

    kind: str
    queued: float
    reacted: float | None = None  # None: no reaction within REPLY_TIMEOUT


@dataclass
class Waiter:
    """A user waiting for the bot's reaction to one update, and how to recognise it."""

    update_id: int
    methods: tuple[str, ...]
    future: asyncio.Future[Call]
    keyboard: bool = False  # the reaction shows a keyboard (the first question)
    # A toggle: the reaction edits the pressed message into another keyboard than the one
    # pressed, so that a late edit of an earlier answer is not taken for it.
    message_id: int | None = None
    markup: Any = None

    def accepts(self, call: Call) -> bool:
        """Whether call is the reaction awaited: a new message, or the pressed message
        edited into another keyboard (the next question, or the same one ticked). An edit
        that leaves no keyboard only echoes the answer: what comes next is awaited."""
        if not call.ok or call.method not in self.methods:
            return False
        if self.keyboard and not _has_keyboard(call):
            return False
        if call.method in SEND or self.message_id is None:
            return True
        edited = _chat_of(call.params.get("message_id"))
        return (
            edited == self.message_id
            and _has_keyboard(call)
            and call.params.get("reply_markup") != self.markup
        )


def _chat_of(value: Any) -> int | None:
    """A chat_id (or message_id) parameter as an int, or None."""
    with contextlib.suppress(TypeError, ValueError):
        return int(value)
    return None


def _has_keyboard(call: Call) -> bool:
    """Whether a call shows an inline keyboard."""
    markup = call.params.get("reply_markup")
    return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))


class Observer:
    """Reads the fake's calls once each, in order: counts them and wakes the waiting users."""

    def __init__(self, api: FakeBotApi):
        self.api = api
        self.cursor = 0
        self.phase: dict[int, str] = {}  # chat -> "start" (/diagnostic) or "answer"
        self.queries: dict[str, int] = {}  # callback_query_id -> chat
        self.delivered: set[int] = set()
        self.waiters: dict[int, Waiter] = {}
        self.events: dict[int, asyncio.Event] = {}
        self.answer_calls: Counter[str] = Counter()
        self.answer_rate_limited = 0
        self.rate_limited_times: list[float] = []
        self.other_calls: Counter[str] = Counter()
        self.unclaimed_sends = 0
        self.closed = False

    async def run(self) -> None:
        """Follow the fake's call list until closed."""
        # A flag as well as cancel(): Python 3.11's wait_for can swallow a cancellation.
        while not self.closed:
            with contextlib.suppress(AssertionError):
                await self.api.wait_for(
                    lambda api: self.closed or len(api.calls) > self.cursor, timeout=1
                )
            self.drain()

    async def close(self, task: asyncio.Task[None]) -> None:
        """Stop following, then look at the calls recorded meanwhile."""
        self.closed = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self.drain()

    def drain(self) -> None:
        """Observe every call recorded since the last look."""
        calls = self.api.calls
        while self.cursor < len(calls):
            self.cursor += 1
            self.observe(calls[self.cursor - 1])

    def observe(self, call: Call) -> None:
        """Count one call, then hand it to the user of its chat."""
        if call.method == "getUpdates":
            if call.ok and isinstance(call.result, list):
                self.delivered.update(update["update_id"] for update in call.result)
            return
        chat = _chat_of(call.chat_id)
        if chat is None:
            chat = self.queries.get(str(call.params.get("callback_query_id")))
        self.count(call, chat)
        if chat is not None:
            self.wake(call, chat)

    def count(self, call: Call, chat: int | None) -> None:
        """Tally a call under its chat's phase; calls of no chat are start-up calls."""
        if call.chat_id is not None:
            self.rate_limited_times.append(call.time)
        if chat is None or self.phase.get(chat) != "answer":
            self.other_calls[call.method] += 1
            return
        self.answer_calls[call.method] += 1
        self.answer_rate_limited += call.chat_id is not None

    def wake(self, call: Call, chat: int) -> None:
        """Resolve the chat's waiter if this call is the reaction it waits for."""
        event = self.events.pop(chat, None)
        if event is not None:
            event.set()
        waiter = self.waiters.get(chat)
        # A reply counts only once the bot has fetched the update it answers.
        if waiter is not None and waiter.update_id in self.delivered and waiter.accepts(call):
            del self.waiters[chat]
            if not waiter.future.done():
                waiter.future.set_result(call)
        elif call.ok and call.method in SEND and self.phase.get(chat) == "answer":
            # Each answer should bring one new message: a second one would be taken for
            # the reaction to the next answer.
            self.unclaimed_sends += 1

    def expect(
        self, chat: int, update: dict[str, Any], methods: tuple[str, ...], keyboard: bool
    ) -> asyncio.Future[Call]:
        """Register what the reaction to a just-queued update will look like."""
        future: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        waiter = Waiter(update["update_id"], methods, future, keyboard)
        query = update.get("callback_query")
        if query is not None:
            self.queries[query["id"]] = chat
            if EDIT[0] in methods:
                waiter.message_id = query["message"]["message_id"]
                waiter.markup = query["message"].get("reply_markup")
        self.waiters[chat] = waiter
        return future

    async def changed(self, chat: int, deadline: float) -> bool:
        """Wait for the next call to a chat until deadline (monotonic); False on timeout."""
        event = self.events.setdefault(chat, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return False
        return True


# ----------------------------------------------------------------------------- users


class UserFailed(Exception):
    """A user could not go on: no reaction in time, or not the button it needed."""


class Finished(Exception):
    """The run's duration is over."""


class User:
    """One simulated user in its own private chat, walking a plan."""

    def __init__(
        self,
        chat: int,
        plan: list[tuple],
        *,
        api: FakeBotApi,
        observer: Observer,
        think: float,
        exact: bool,
        seed: int,
        deadline: float | None,
    ):
        self.chat = chat
        self.plan = plan
        self.api = api
        self.observer = observer
        self.think_mean = think
        self.exact = exact  # Alliance: the exact button; the floor: any of the right kind
        self.rng = random.Random(seed)
        self.deadline = deadline
        self.samples: list[Sample] = []
        self.error: str | None = None
        self.walks = 0

    async def run(self, start_after: float) -> None:
        """Walk the plan (again and again until the deadline, when there is one)."""
        await asyncio.sleep(start_after)
        try:
            while True:
                await self.start()
                await self.walk()
                self.walks += 1
                if self.deadline is None:
                    return
        except UserFailed as failure:
            self.error = str(failure)
        except Finished:
            pass

    async def start(self) -> None:
        """/diagnostic, then wait for the first question (not an answer: not measured)."""
        self.check_deadline()
        await self.act("start", lambda: self.api.send_text(self.chat, "/diagnostic"))

    async def walk(self) -> None:
        """Every step of the plan, each after a think time."""
        for kind, question, *rest in self.plan:
            if kind == "x":
                await self.think()
                await self.act("x", lambda text=question: self.api.send_text(self.chat, text))
            elif kind == "m":
                for option in rest[0]:
                    await self.press("t", question, option)
                await self.press("v", question)
            else:
                await self.press(kind, question, *rest)

    async def press(self, verb: str, question: str, option: str | None = None) -> None:
        """Think, find the button, press it and wait for the bot's reaction."""
        await self.think()
        data = await self.button(verb, question, option)
        await self.act(verb, lambda: self.api.press(self.chat, data))

    async def think(self) -> None:
        """Wait 0.5-1.5 × the mean think time; stop when the run's duration is over."""
        if self.think_mean > 0:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think_mean)
        self.check_deadline()

    def check_deadline(self) -> None:
        """Raise Finished once the run's duration is over."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise Finished

    async def button(self, verb: str, question: str, option: str | None) -> str:
        """The callback data to press, waiting for the keyboard that shows it."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while (data := self.match(verb, question, option)) is None:
            if not await self.observer.changed(self.chat, deadline):
                wanted = ":".join(part for part in (verb, question, option) if part)
                raise UserFailed(f"no button {wanted} within {REPLY_TIMEOUT:.0f} s")
        return data

    def match(self, verb: str, question: str, option: str | None) -> str | None:
        """The matching button of the chat's last keyboard, if any."""
        suffix = f":{question}:{option}" if option else f":{question}"
        for row in self.api.last_keyboard(self.chat):
            for _label, data in row:
                kind_matches = bool(data) and data.startswith(f"v1:{verb}:")
                if kind_matches and (not self.exact or data.endswith(suffix)):
                    return data
        return None

    async def act(self, kind: str, queue: Callable[[], dict[str, Any]]) -> None:
        """Queue one input, wait for the bot's reaction and keep its latency."""
        self.observer.phase[self.chat] = "start" if kind == "start" else "answer"
        sample = Sample(kind, time.monotonic())
        update = queue()
        # A toggle redraws its question; another press turns the question into the next
        # one (or echoes it and sends the next); a typed answer brings a new message.
        methods = EDIT if kind == "t" else SEND if kind in ("x", "start") else EDIT + SEND
        future = self.observer.expect(self.chat, update, methods, keyboard=kind == "start")
        if kind != "start":
            self.samples.append(sample)
        try:
            call = await asyncio.wait_for(future, REPLY_TIMEOUT)
        except TimeoutError:
            self.observer.waiters.pop(self.chat, None)
            raise UserFailed(f"no reaction to {kind} within {REPLY_TIMEOUT:.0f} s") from None
        sample.reacted = call.time

    @property
    def first_answer(self) -> float | None:
        """When the user's first answer was queued."""
        return self.samples[0].queued if self.samples else None

    @property
    def last_reaction(self) -> float | None:
        """When the bot last reacted to this user."""
        reacted = [s.reacted for s in self.samples if s.reacted is not None]
        return reacted[-1] if reacted else None


# ----------------------------------------------------------------------------- results


@dataclass
class Result:
    """What one bot did under load."""

    bot: str
    users: int
    think: float
    samples: list[Sample]
    answer_calls: Counter[str]
    answer_rate_limited: int
    window: tuple[float, float]
    window_rate_limited: int
    errors: Counter[str] = field(default_factory=Counter)
    walks: int = 0
    wall: float = 0.0
    unclaimed_sends: int = 0
    # With --digest: the digests sent, when they fell due and when the first and last went
    # out (monotonic), and the answers queued meanwhile.
    digests: int = 0
    digest_due: float | None = None
    digest_first: float | None = None
    digest_last: float | None = None
    log_errors: int = 0
    first_log_error: str | None = None

    @property
    def answers(self) -> int:
        """Answers queued (toggles and validations included)."""
        return len(self.samples)

    @property
    def timeouts(self) -> int:
        """Answers the bot never reacted to within REPLY_TIMEOUT."""
        return sum(1 for s in self.samples if s.reacted is None)

    def latencies_ms(self, kinds: str | None = None) -> list[float]:
        """Latencies of answers of these kinds (all by default), sorted, in ms; a missing
        reaction counts as REPLY_TIMEOUT."""
        return sorted(
            ((s.reacted if s.reacted is not None else s.queued + REPLY_TIMEOUT) - s.queued) * 1000
            for s in self.samples
            if kinds is None or s.kind in kinds
        )

    def percentile(self, p: float, kinds: str | None = None) -> float:
        """The p-th percentile of latency (nearest rank), in ms."""
        values = self.latencies_ms(kinds)
        if not values:
            return float("nan")
        rank = max(1, -(-len(values) * p // 100))
        return values[int(rank) - 1]

    def percentile_between(self, p: float, start: float | None, end: float | None) -> float:
        """The p-th percentile of the latency of answers queued between start and end."""
        if start is None or end is None:
            return float("nan")
        values = sorted(
            ((s.reacted if s.reacted is not None else s.queued + REPLY_TIMEOUT) - s.queued) * 1000
            for s in self.samples
            if start <= s.queued <= end
        )
        if not values:
            return float("nan")
        return values[int(max(1, -(-len(values) * p // 100))) - 1]

    @property
    def window_answers(self) -> int:
        """Answers the bot reacted to inside the steady window."""
        start, end = self.window
        return sum(1 for s in self.samples if s.reacted is not None and start <= s.reacted <= end)

    @property
    def answers_per_second(self) -> float:
        """Answers per second over the steady window."""
        start, end = self.window
        return self.window_answers / (end - start) if end > start else float("nan")

    def per_answer(self, count: float) -> float:
        """A count divided by the number of answers."""
        return count / self.answers if self.answers else float("nan")

    @property
    def calls_per_answer(self) -> float:
        """Bot API calls per answer (getUpdates and start-up calls left out)."""
        return self.per_answer(sum(self.answer_calls.values()))

    @property
    def rate_limited_per_answer(self) -> float:
        """Calls carrying a chat_id (held by AIORateLimiter) per answer."""
        return self.per_answer(self.answer_rate_limited)

    @property
    def rate_limited_per_second(self) -> float:
        """Calls carrying a chat_id per second over the steady window (all phases)."""
        start, end = self.window
        return self.window_rate_limited / (end - start) if end > start else float("nan")

    @property
    def ceiling(self) -> float:
        """Answers/s the 30 messages/s allow, at the rate-limited calls per answer of the window."""
        if not self.window_answers or not self.window_rate_limited:
            return float("nan")
        return MAX_MESSAGES_PER_SECOND * self.window_answers / self.window_rate_limited


def steady_window(users: list[User]) -> tuple[float, float]:
    """From the last user's first answer to the first user's last reaction, else the whole run."""
    firsts = [u.first_answer for u in users if u.first_answer is not None]
    lasts = [u.last_reaction for u in users if u.last_reaction is not None]
    if not firsts or not lasts:
        return (0.0, 0.0)
    ended = [u.last_reaction for u in users if u.error is None and u.last_reaction is not None]
    start, end = max(firsts), min(ended or lasts)
    if end - start < STEADY_WINDOW_MIN:
        return (min(firsts), max(lasts))
    return (start, end)


def collect(bot: str, users: list[User], observer: Observer, think: float, wall: float) -> Result:
    """Gather the users' samples and the observer's counts into a Result."""
    window = steady_window(users)
    in_window = sum(1 for t in observer.rate_limited_times if window[0] <= t <= window[1])
    errors = Counter(_error_kind(u.error) for u in users if u.error)
    return Result(
        bot=bot,
        users=len(users),
        think=think,
        samples=[s for u in users for s in u.samples],
        answer_calls=observer.answer_calls,
        answer_rate_limited=observer.answer_rate_limited,
        window=window,
        window_rate_limited=in_window,
        errors=errors,
        walks=sum(u.walks for u in users),
        unclaimed_sends=observer.unclaimed_sends,
        wall=wall,
    )


def _error_kind(error: str) -> str:
    """An error message without the question it happened at, to count alike ones together."""
    return re.sub(r"^no button (\w+):\S+", r"no button \1", error)


# ----------------------------------------------------------------------------- running


class BotFailed(Exception):
    """The bot under test did not start, or died."""


def make_fake_api(delay: float) -> FakeBotApi:
    """A fake Bot API answering after `delay` seconds, if tests/fake_bot_api.py supports it."""
    if "delay" in inspect.signature(FakeBotApi).parameters:
        # Update ids new to a kept database (--database-url), as Telegram's always are: one
        # seen in an earlier run would be taken for a redelivery and left alone.
        return FakeBotApi(delay=delay, first_update_id=(int(time.time()) % 1_000_000) * 1_000)
    if delay:
        sys.exit(
            "tests/fake_bot_api.py has no `delay` argument yet: "
            "run with --delay 0, or wait for it to land."
        )
    return FakeBotApi()


def bot_command(bot: str) -> list[str]:
    """The command that runs a bot."""
    if bot in FLOORS:
        return [sys.executable, str(REPO / "benchmarks" / "floor_bot.py")]
    alliance = Path(sys.executable).parent / "alliance"
    if alliance.exists():
        return [str(alliance), "run"]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", "run"]


def bot_environment(api: FakeBotApi, database_url: str) -> dict[str, str]:
    """The environment of the bot's process: the fake's URL, the rate, short polls."""
    return os.environ | {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "ALLIANCE_MAX_MESSAGES_PER_SECOND": str(MAX_MESSAGES_PER_SECOND),
        "ALLIANCE_POLLING_TIMEOUT": str(POLLING_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
    }


def floor_environment(bot: str) -> dict[str, str]:
    """What tells floor_bot.py which floor it is."""
    return {"FLOOR_MODE": "edit"} if bot == "edit-floor" else {}


def log_errors(path: Path) -> tuple[int, str | None]:
    """How many ERROR lines the bot logged, and the first exception it names."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return 0, None
    count = sum(1 for line in lines if " ERROR " in line)
    exceptions = (line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line))
    return count, next(exceptions, None)


def log_tail(path: Path, lines: int = 25) -> str:
    """The last lines of a bot's log."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


async def wait_until_polling(api: FakeBotApi, process: asyncio.subprocess.Process) -> None:
    """Return at the bot's first getUpdates; BotFailed if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while not any(call.method == "getUpdates" for call in api.calls):
        if process.returncode is not None:
            raise BotFailed(f"the bot exited with code {process.returncode} before polling")
        if time.monotonic() > deadline:
            raise BotFailed(f"the bot did not poll within {START_TIMEOUT:.0f} s")
        with contextlib.suppress(AssertionError):
            await api.wait_for(lambda a: a.calls and a.calls[-1].method == "getUpdates", 0.5)


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (python-telegram-bot stops cleanly), then SIGKILL after 15 s."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 15)
    except TimeoutError:
        process.kill()
        await process.wait()


def make_users(
    api: FakeBotApi, observer: Observer, options: argparse.Namespace, bot: str, base: int
) -> list[User]:
    """The simulated users, plans in turn, each with its own seeded think times."""
    deadline = time.monotonic() + options.duration if options.duration else None
    return [
        User(
            base + index,
            PLANS[index % len(PLANS)],
            api=api,
            observer=observer,
            think=options.think,
            exact=bot not in FLOORS,
            seed=options.seed * 1_000_003 + index,
            deadline=deadline,
        )
        for index in range(options.users)
    ]


async def drive(
    bot: str,
    api: FakeBotApi,
    options: argparse.Namespace,
    pushed: set[int] | None = None,
    at_start: Callable[[], None] | None = None,
) -> Result:
    """Run the users against a bot that already polls the fake (or whose instances get the
    updates `pushed`), then collect the result."""
    observer = Observer(api)
    if pushed is not None:
        observer.delivered = pushed
    following = asyncio.create_task(observer.run())
    # Fresh chats on every run, so that a kept database (--database-url) has no history.
    base = 1_000_000 + (int(time.time()) % 100_000) * 10_000
    users = make_users(api, observer, options, bot, base)
    stagger = options.think or 1.0
    started = time.monotonic()
    due = None
    if at_start is not None:
        await asyncio.to_thread(at_start)
        due = time.monotonic()
    try:
        await asyncio.gather(
            *(user.run(index * stagger / len(users)) for index, user in enumerate(users))
        )
        wall = time.monotonic() - started
        # Late calls (a result sent after the last reply) still count.
        with contextlib.suppress(AssertionError):
            await api.idle(timeout=10)
    finally:
        await observer.close(following)
    result = collect(bot, users, observer, options.think, wall)
    result.digest_due = due
    return result


async def run_bot(bot: str, options: argparse.Namespace) -> Result:
    """One bot: fresh fake API, the bot's processes, the users; BotFailed with its log."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench_load_{bot}_"))
    database_url = options.database_url or f"sqlite:///{workdir / 'bench.db'}"
    count = options.instances if bot not in FLOORS else 1
    logs = [workdir / f"bot{index}.log" for index in range(count)]
    api = make_fake_api(options.delay)
    await api.start()
    coordinators: set[int] = set()
    at_start = None
    if options.digest and bot not in FLOORS:
        coordinators = await asyncio.to_thread(seed_coordinators, database_url, options.digest)
        for chat in coordinators:
            api.open_chat(chat)
        if bot == DIGEST_BOT:
            at_start = partial(make_digests_due, database_url)
    processes: list[asyncio.subprocess.Process] = []
    pushing = None
    try:
        hooks = [free_hook() for _ in range(count)] if count > 1 else []
        for index, log_path in enumerate(logs):
            env = bot_environment(api, database_url) | floor_environment(bot)
            if hooks:
                # Telegram's 30 messages a second are the bot's, shared by its instances.
                share = MAX_MESSAGES_PER_SECOND // count
                env |= webhook_environment(hooks[index])
                env["ALLIANCE_MAX_MESSAGES_PER_SECOND"] = str(share)
            with log_path.open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        *bot_command(bot),
                        cwd=REPO,
                        env=env,
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=log,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )
        try:
            pushed: set[int] | None = None
            if hooks:
                await wait_until_hooked(api, processes)
                pushed = set()
                pushing = asyncio.create_task(push_updates(api, hooks, pushed, options.delay))
            else:
                await wait_until_polling(api, processes[0])
            result = await drive(bot, api, options, pushed, at_start)
            if coordinators:
                # The digests can still be going out once the users are done.
                await wait_for_digests(api, coordinators, options.digest if at_start else 0)
                count_digests(result, api, coordinators)
            errors = [log_errors(path) for path in logs]
            result.log_errors = sum(lines for lines, _ in errors)
            result.first_log_error = next((first for _, first in errors if first), None)
            if any(process.returncode is not None for process in processes):
                raise BotFailed("a bot process exited during the run")
            return result
        except BotFailed as failure:
            tails = "\n".join(log_tail(path) for path in logs)
            raise BotFailed(f"{failure}\n--- last lines of its log ---\n{tails}") from None
        finally:
            if pushing is not None:
                pushing.cancel()
            for process in processes:
                await stop_process(process)
    finally:
        await api.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# -- the weekly digest (--digest) ----------------------------------------------------------

DIGEST_BOT = "alliance+digest"
COORDINATOR_CHATS = 900_000_000
PARTNERSHIPS_PER_COORDINATOR = 3
DIGEST_WAIT = 120.0
# How a digest starts, in French (the coordinators' language).
DIGEST_TITLE = "Vos partenariats cette semaine"


def this_week() -> str:
    """The Monday of the digest due now, in ALLIANCE_TIMEZONE; exits on a Monday morning,
    when none is due."""
    from zoneinfo import ZoneInfo

    from flows.digest import digest_week
    from storage.models import utcnow

    week = digest_week(utcnow(), ZoneInfo(os.environ.get("ALLIANCE_TIMEZONE", "Europe/Paris")))
    if week is None:
        sys.exit("--digest: no digest is due on a Monday before 9:00; run it later")
    return week.isoformat()


def seed_coordinators(database_url: str, count: int) -> set[int]:
    """`count` coordinators, each of an organisation with its partnerships, this week's
    digest recorded (not due); their Telegram chats."""
    from sqlmodel import select

    from storage.db import make_engine, session_scope
    from storage.migrate import upgrade
    from storage.models import Coordinator, Digest, Organisation, Partnership, User

    upgrade(database_url)
    week, stages = this_week(), ("dialogue", "content", "implementation")
    engine = make_engine(database_url)
    chats = {COORDINATOR_CHATS + index for index in range(count)}
    with session_scope(engine) as db:
        found = db.exec(select(User.external_id).where(User.external_id.like("tg:9%")))
        known = set(found)
        for chat in sorted(chats):
            if f"tg:{chat}" in known:
                continue
            user = User(external_id=f"tg:{chat}", language="fr", display_name=f"C {chat}")
            organisation = Organisation(name=f"Fédération {chat}")
            db.add_all([user, organisation])
            db.flush()
            db.add(Coordinator(organisation_id=organisation.id, user_id=user.id))
            db.add(Digest(user_id=user.id, week=week))
            for index in range(PARTNERSHIPS_PER_COORDINATOR):
                stage = stages[index % len(stages)]
                # No steering rhythm agreed: no alert comes to blur the digests' figures.
                followup = {"signature_date": "2026-01-15"}
                db.add(
                    Partnership(
                        name=f"Partenariat {chat}-{index}",
                        our_organisation=organisation.name,
                        our_organisation_id=organisation.id,
                        stage=stage,
                        followup=followup if stage == "implementation" else {},
                        created_by=user.id,
                    )
                )
    engine.dispose()
    return chats


def make_digests_due(database_url: str) -> None:
    """This week's digests forgotten: the bot's next dispatch sends them."""
    from sqlalchemy import delete

    from storage.db import make_engine, session_scope
    from storage.models import Digest

    engine = make_engine(database_url)
    with session_scope(engine) as db:
        db.execute(delete(Digest).where(Digest.week == this_week()))
    engine.dispose()


def _digest_calls(api: FakeBotApi, coordinators: set[int]) -> list[Call]:
    return [
        call
        for call in list(api.calls)
        if call.ok
        and call.method == "sendMessage"
        and _chat_of(call.chat_id) in coordinators
        and DIGEST_TITLE in (call.text or "")
    ]


async def wait_for_digests(api: FakeBotApi, coordinators: set[int], expected: int) -> None:
    """Until `expected` digests went out (or DIGEST_WAIT passed)."""
    deadline = time.monotonic() + DIGEST_WAIT
    while len(_digest_calls(api, coordinators)) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.5)


def count_digests(result: Result, api: FakeBotApi, coordinators: set[int]) -> None:
    sent = _digest_calls(api, coordinators)
    result.digests = len(sent)
    if sent:
        result.digest_first, result.digest_last = sent[0].time, sent[-1].time


# -- several instances behind a webhook ----------------------------------------------------

WEBHOOK_SECRET = "bench-secret"


def free_hook() -> str:
    """A webhook URL on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/hook"


def webhook_environment(url: str) -> dict[str, str]:
    port = url.rsplit(":", 1)[1].split("/")[0]
    return {
        "ALLIANCE_WEBHOOK_URL": url,
        "ALLIANCE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ALLIANCE_LISTEN": f"127.0.0.1:{port}",
    }


async def wait_until_hooked(api: FakeBotApi, processes) -> None:
    """Return once every instance told Telegram its webhook; BotFailed otherwise."""
    deadline = time.monotonic() + START_TIMEOUT

    def hooked(a: FakeBotApi) -> int:
        return sum(call.method == "setWebhook" for call in a.calls)

    while (done := hooked(api)) < len(processes):
        if any(process.returncode is not None for process in processes):
            raise BotFailed("an instance exited before it was ready")
        if time.monotonic() > deadline:
            raise BotFailed(f"the instances were not ready within {START_TIMEOUT:.0f} s")
        with contextlib.suppress(AssertionError):
            await api.wait_for(lambda a, n=done: hooked(a) > n, 0.5)


async def push_updates(api: FakeBotApi, hooks: list[str], pushed: set[int], delay: float) -> None:
    """Telegram and a load balancer: every queued update, posted to the instances in turn
    `delay` seconds later (the WAN, as getUpdates' answer pays it), again if refused, as
    Telegram does; `pushed` gets each update id as it goes out."""
    import aiohttp

    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    posts: set[asyncio.Task] = set()

    async def post(session, update: dict, turn: int) -> None:
        await asyncio.sleep(delay)
        for attempt in range(10):
            url = hooks[(turn + attempt) % len(hooks)]
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(url, json=update, headers=headers) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)

    async with aiohttp.ClientSession() as session:
        sent = 0
        while True:
            while sent < len(api.updates):
                update = api.updates[sent]
                pushed.add(update["update_id"])
                task = asyncio.create_task(post(session, update, sent))
                posts.add(task)
                task.add_done_callback(posts.discard)
                sent += 1
            with contextlib.suppress(AssertionError):
                await api.wait_for(lambda a, n=sent: len(a.updates) > n, timeout=1)


# ----------------------------------------------------------------------------- reporting


def _ms(value: float) -> str:
    """A latency in ms."""
    return "-" if value != value else f"{value:.0f}"


def _num(value: float, digits: int = 2) -> str:
    """A number with a few decimals; '-' for nan."""
    return "-" if value != value else f"{value:.{digits}f}"


def _ratio(a: float, b: float) -> str:
    """a / b as '12.3×'."""
    if a != a or b != b or not b:
        return "-"
    return f"{a / b:.1f}×"


def table_rows(results: dict[str, Result], closed_loop: bool) -> list[list[str]]:
    """Metric rows: name, then one column per bot, then Alliance/floor for each floor run."""
    floors = compared_floors(results)

    def row(name: str, value: Callable[[Result], str], ratio=None) -> list[str]:
        cells = [name, *(value(r) for r in results.values())]
        for floor in floors:
            cells.append(ratio(results["alliance"], results[floor]) if ratio else "")
        return cells

    def latency(name: str, p: float) -> list[str]:
        return row(
            name,
            lambda r: _ms(r.percentile(p)),
            lambda a, f: _ratio(a.percentile(p), f.percentile(p)),
        )

    rows = [
        row("users", lambda r: str(r.users)),
        row("think (s)", lambda r: "closed loop" if closed_loop else _num(r.think, 1)),
        row("diagnoses completed", lambda r: str(r.walks)),
        row("answers", lambda r: str(r.answers)),
        row("no reaction in 30 s", lambda r: str(r.timeouts)),
        row("users stopped", lambda r: str(sum(r.errors.values()))),
        row("ERROR lines in the bot's log", lambda r: str(r.log_errors)),
        row("messages no answer awaited", lambda r: str(r.unclaimed_sends)),
        row(
            "answers/s",
            lambda r: _num(r.answers_per_second),
            lambda a, f: _ratio(a.answers_per_second, f.answers_per_second),
        ),
        latency("latency p50 (ms)", 50),
        latency("latency p95 (ms)", 95),
        latency("latency p99 (ms)", 99),
        latency("latency max (ms)", 100),
        row("  p50 of button answers (ms)", lambda r: _ms(r.percentile(50, "avs"))),
        row("  p50 of toggles (ms)", lambda r: _ms(r.percentile(50, "t"))),
        row("  p50 of typed answers (ms)", lambda r: _ms(r.percentile(50, "x"))),
        row("Bot API calls / answer", lambda r: _num(r.calls_per_answer)),
        row("rate-limited calls / answer", lambda r: _num(r.rate_limited_per_answer)),
    ]
    methods = sorted({m for r in results.values() for m in r.answer_calls})
    for method in methods:
        rows.append(
            row(f"  {method} / answer", lambda r, m=method: _num(r.per_answer(r.answer_calls[m])))
        )
    rows.append(row("rate-limited calls/s", lambda r: _num(r.rate_limited_per_second, 1)))
    if closed_loop:
        rows.append(row("ceiling (answers/s)", lambda r: _num(r.ceiling)))
        rows.append(
            row(
                "share of ceiling", lambda r: _num(100 * r.answers_per_second / r.ceiling, 0) + " %"
            )
        )
    if any(r.digest_due is not None or r.digests for r in results.values()):
        rows += [
            row("weekly digests sent during the run", lambda r: str(r.digests)),
            row(
                "  from due to the last one sent (s)",
                lambda r: (
                    _num(r.digest_last - r.digest_due, 1) if r.digest_last and r.digest_due else "-"
                ),
            ),
            row(
                "  first to last sent (s)",
                lambda r: _num(r.digest_last - r.digest_first, 1) if r.digest_last else "-",
            ),
            row(
                "  latency p95 while they were sent (ms)",
                lambda r: _ms(r.percentile_between(95, r.digest_first, r.digest_last)),
            ),
            row(
                "  latency p50 while they were sent (ms)",
                lambda r: _ms(r.percentile_between(50, r.digest_first, r.digest_last)),
            ),
        ]
    rows.append(row("wall time (s)", lambda r: _num(r.wall, 0)))
    return rows


def compared_floors(results: dict[str, Result]) -> list[str]:
    """The floors Alliance is compared with in this run."""
    return [f for f in FLOORS if f in results] if "alliance" in results else []


def targets(results: dict[str, Result], closed_loop: bool) -> list[str]:
    """The issue's targets for Alliance, each met or missed, against this run."""
    alliance = results.get("alliance")
    if alliance is None:
        return ["Alliance did not run: no target to check."]
    if not alliance.answers or alliance.timeouts == alliance.answers:
        return ["Alliance reacted to no answer: no target to check."]
    verdict = {True: "met", False: "MISSED"}
    lines = []
    name, ratio = TARGET_P95.get((alliance.users, alliance.think), (None, None))
    floor = results.get(name) if name else None
    if floor is not None and not closed_loop:
        p95, limit = alliance.percentile(95), ratio * floor.percentile(95)
        lines.append(
            f"p95 at most {ratio:g}× the {name}'s at {alliance.users} users, "
            f"{alliance.think:g} s think: {_ms(p95)} ms vs {_ms(limit)} ms: {verdict[p95 <= limit]}"
        )
    elif not closed_loop:
        stated = ", ".join(f"{u} users and {t:g} s" for u, t in TARGET_P95)
        lines.append(f"p95 targets are stated at {stated}: not checked at this load")
    per_answer = alliance.rate_limited_per_answer
    lines.append(
        f"at most {TARGET_RATE_LIMITED_PER_ANSWER:g} rate-limited calls per answer: "
        f"{_num(per_answer)}: {verdict[per_answer <= TARGET_RATE_LIMITED_PER_ANSWER]}"
    )
    if closed_loop:
        rate = alliance.answers_per_second
        lines.append(
            f"closed loop at least {TARGET_ANSWERS_PER_SECOND:g} answers/s under the "
            f"{MAX_MESSAGES_PER_SECOND} messages/s ceiling: {_num(rate)}: "
            f"{verdict[rate >= TARGET_ANSWERS_PER_SECOND]}"
        )
    if alliance.timeouts or alliance.errors:
        lines.append(
            f"warning: Alliance left {alliance.timeouts} answers without reaction in "
            f"{REPLY_TIMEOUT:.0f} s (counted as {REPLY_TIMEOUT:.0f} s) and "
            f"{sum(alliance.errors.values())} users stopped early"
        )
    return lines


def format_table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table, first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for cells in [header, *rows]:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        lines.append("  ".join([first, *rest]).rstrip())
    return "\n".join(lines)


def markdown_table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table, numbers right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def safe_url(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def machine(options: argparse.Namespace) -> str:
    """The machine, the software and the database, in one line."""
    import telegram

    database = safe_url(options.database_url) if options.database_url else "SQLite (temporary file)"
    instances = (
        f"; Alliance as {options.instances} instances behind a webhook"
        if options.instances > 1
        else ""
    )
    return (
        f"{cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"python-telegram-bot {telegram.__version__}; database {database}{instances}"
    )


def headline(options: argparse.Namespace) -> str:
    """What this run was, in one line."""
    pace = "closed loop (no think time)" if options.closed_loop else f"think {options.think:g} s"
    length = f"{options.duration:g} s" if options.duration else "one diagnosis per user"
    return (
        f"{options.users} users, {pace}, Bot API delay {options.delay * 1000:.0f} ms, "
        f"{MAX_MESSAGES_PER_SECOND} messages/s, {length}"
    )


def notes(results: dict[str, Result]) -> list[str]:
    """One line per bot that logged errors or lost users."""
    logged = [
        f"{r.bot} logged {r.log_errors} ERROR lines; first exception: {r.first_log_error}"
        for r in results.values()
        if r.log_errors
    ]
    unclaimed = [
        f"{r.bot} sent {r.unclaimed_sends} messages while no answer awaited one: "
        "some latencies may belong to an earlier answer"
        for r in results.values()
        if r.unclaimed_sends
    ]
    return (
        logged
        + unclaimed
        + [
            f"{r.bot}: users stopped: " + ", ".join(f"{n}× {e}" for e, n in r.errors.items())
            for r in results.values()
            if r.errors
        ]
    )


def header(results: dict[str, Result]) -> list[str]:
    """The table's column names."""
    return ["", *results] + [f"alliance/{floor}" for floor in compared_floors(results)]


def report_text(
    results: dict[str, Result], failures: dict[str, str], options: argparse.Namespace
) -> str:
    """The report as plain text."""
    parts = [f"Load benchmark: {headline(options)}", machine(options), ""]
    if results:
        parts += [format_table(table_rows(results, options.closed_loop), header(results)), ""]
    parts += notes(results) + [f"{bot} failed: {text}" for bot, text in failures.items()]
    checks = targets(results, options.closed_loop)
    return "\n".join(parts + ["Targets:"] + [f"  {c}" for c in checks])


def report_markdown(
    results: dict[str, Result], failures: dict[str, str], options: argparse.Namespace
) -> str:
    """The report as a Markdown section for benchmarks/RESULTS.md."""
    command = shlex.join([".venv/bin/python", "benchmarks/bench_load.py", *sys.argv[1:]])
    parts = [
        f"## {datetime.now():%Y-%m-%d %H:%M}: {headline(options)}",
        "",
        f"Machine: {machine(options)}.",
        "",
        f"Command: `{command}`",
        "",
    ]
    if results:
        parts += [markdown_table(table_rows(results, options.closed_loop), header(results)), ""]
    parts += [f"- {line}" for line in notes(results)]
    for bot, text in failures.items():
        summary, _, log = text.partition("\n")
        parts += [f"- {bot} failed: {summary}", "", "```text", log, "```"]
    checks = targets(results, options.closed_loop)
    text = "\n".join([*parts, "", "Targets:", "", *(f"- {c}" for c in checks), ""])
    return re.sub(r"\n{3,}", "\n\n", text)


# ----------------------------------------------------------------------------- main


def parse_options(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=80, help="simulated users (80)")
    parser.add_argument("--think", type=float, default=6.0, help="mean think time, s (6)")
    parser.add_argument("--delay", type=float, default=0.05, help="Bot API answer delay, s")
    parser.add_argument("--duration", type=float, default=None, help="stop after this, s")
    parser.add_argument("--closed-loop", action="store_true", help="no think time")
    # "both" (all the bots, as before the second floor) is kept for old command lines.
    parser.add_argument("--bot", choices=[*BOTS, "all", "both"], default="all")
    parser.add_argument("--database-url", default=None, help="Alliance's database")
    parser.add_argument("--instances", type=int, default=1, help="Alliance instances (1)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the think times")
    parser.add_argument("--markdown", action="store_true", help="a section for RESULTS.md")
    parser.add_argument(
        "--digest", type=int, default=0, help="coordinators whose weekly digest falls due (0)"
    )
    options = parser.parse_args(argv)
    if not 1 <= options.users <= 10_000:
        parser.error("--users must be between 1 and 10000")
    if options.instances > 1 and not (options.database_url or "").startswith("postgresql"):
        parser.error("--instances above 1 needs a PostgreSQL --database-url")
    if options.closed_loop:
        options.think = 0.0
    return options


async def run_all(options: argparse.Namespace) -> tuple[dict[str, Result], dict[str, str]]:
    """Each bot in turn; a bot that fails is reported, the others still run."""
    results: dict[str, Result] = {}
    failures: dict[str, str] = {}
    bots = BOTS if options.bot in ("all", "both") else (options.bot,)
    if options.digest:
        # The same run with and without the digests, one after the other.
        bots = tuple(
            b for name in bots for b in ((name, DIGEST_BOT) if name == "alliance" else (name,))
        )
    for bot in bots:
        print(f"running {bot}: {headline(options)}...", file=sys.stderr, flush=True)
        try:
            results[bot] = await run_bot(bot, options)
        except BotFailed as failure:
            failures[bot] = str(failure)
    return results, failures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; 1 when a bot failed to run."""
    options = parse_options(argv)
    results, failures = asyncio.run(run_all(options))
    report = report_markdown if options.markdown else report_text
    print(report(results, failures, options))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
