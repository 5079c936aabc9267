"""The database as the bot last found it. When it stops answering, the bot says so once in the
log, keeps what it could not do, tries the database again with a back-off, says once when it
answers again, and then does what waited: updates whose handling it interrupted go through
the handlers again, and the long poll resumes.

Why these figures: a probe is one connection attempt to our own database (not a call against
the bot's token), so it may come often; the cap is how late, at worst, the bot notices that
the database is back: a 10-minute outage costs about 65 attempts, and the answers resume
within 10 s of the database's return.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.transient import is_unavailable

log = logging.getLogger(__name__)

FIRST_PROBE = 0.5
MAX_PROBE = 10.0

Work = Callable[[], Awaitable[None]]


def summary(error: BaseException) -> str:
    """An error's first line: its kind and the driver's message, no statement, no values."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class DatabaseWatch:
    """Whether the database answers; what waits for it; one log line per change."""

    def __init__(
        self, engine: Engine, *, first_probe: float = FIRST_PROBE, max_probe: float = MAX_PROBE
    ):
        self.engine = engine
        self.first_probe = first_probe
        self.max_probe = max_probe
        self.reachable = True
        self._answers = asyncio.Event()
        self._answers.set()
        self._lost_at = 0.0
        self._waiting: list[Work] = []
        # Updates (by update_id) whose handling the database failed, until settled.
        self._interrupted: set[int] = set()
        self._probe: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    def lost(self, error: BaseException) -> None:
        """The database did not answer: said once, then tried again with a back-off."""
        if not self.reachable:
            return
        self.reachable = False
        self._answers.clear()
        self._lost_at = time.monotonic()
        log.warning(
            "database unreachable (%s): updates wait (polling paused) until it answers; "
            "trying again with back-off",
            summary(error),
        )
        self._probe = asyncio.get_running_loop().create_task(self._probing(), name="database")

    def noted(self, error: BaseException) -> bool:
        """Whether `error` means the database is out of reach; if so, it is noted (and said
        once). Any other error is the caller's to raise."""
        if not is_unavailable(error):
            return False
        self.lost(error)
        return True

    def interrupted(self, update_id: int, error: BaseException) -> None:
        """The handling of this update failed for want of the database: it is not done."""
        self._interrupted.add(update_id)
        self.lost(error)

    def was_interrupted(self, update_id: int) -> bool:
        """Whether the handling that just ended was interrupted (asked once per handling)."""
        if update_id in self._interrupted:
            self._interrupted.discard(update_id)
            return True
        return False

    def when_back(self, work: Work) -> None:
        """Does `work` once the database answers (soon, if it answers already)."""
        self._waiting.append(work)
        if self.reachable:
            task = asyncio.get_running_loop().create_task(self._do_waiting())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def wait(self, seconds: float) -> bool:
        """Waits up to `seconds` for the database to answer; whether it does."""
        if self.reachable:
            return True
        try:
            await asyncio.wait_for(self._answers.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def check(self) -> bool:
        """Asks the database now (the health check, the probe); the state follows."""
        try:
            await asyncio.to_thread(_select_one, self.engine)
        except Exception as error:  # noqa: BLE001 - any failure means "does not answer"
            self.lost(error)
            return False
        await self._found()
        return True

    def close(self) -> None:
        """Stops trying (the process stops)."""
        for task in (self._probe, *self._tasks):
            if task is not None:
                task.cancel()

    async def _probing(self) -> None:
        delay = self.first_probe
        while not self.reachable:
            await asyncio.sleep(delay)
            await self.check()
            delay = min(delay * 2, self.max_probe)

    async def _found(self) -> None:
        if self.reachable:
            return
        self.reachable = True
        seconds = time.monotonic() - self._lost_at
        log.info("database reachable again after %.0f s: what waited goes on", seconds)
        # What waited goes first (updates are queued again), then the long poll resumes.
        await self._do_waiting()
        self._answers.set()

    async def _do_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for work in waiting:
            try:
                await work()
            except Exception:  # one failure does not keep the rest waiting
                log.exception("could not do what waited for the database")


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
