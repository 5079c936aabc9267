"""Resident memory of `alliance run` with 10,000 partnerships in its database and 1,000
conversations in progress (not run in CI).

    .venv/bin/python benchmarks/bench_memory.py [--partnerships 10000] [--conversations 1000]

The database (a temporary SQLite file, or --database-url) holds N partnerships with two
members each, as the fan-out benchmark builds them, and M people half-way through their
self-diagnosis (started through the use case, as the bot would). The real `alliance run`
then polls a fake Bot API on loopback that answers after 50 ms; all M people answer their
current question at once (the worst moment: M updates in the process together, their
replies queued at the rate limiter) and get the next one. The process's resident memory
is read from /proc: at rest after start, its peak during the burst, and at rest after it.
The target is under 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_checkins import populate  # noqa: E402

from bot.services import Actor, Services  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.bot.client import Client  # noqa: E402
from tests.bot.process import start_bot, stop  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402

FIRST_CHAT = 7_000_000


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (its peak) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def start_conversations(url: str, count: int) -> None:
    """M people at their diagnosis's first question, as /diagnostic leaves them."""
    client = Client(Services(make_engine(url)))
    for index in range(count):
        client.diagnostic(Actor(f"tg:{FIRST_CHAT + index}", "fr"))


async def measure(url: str, conversations: int) -> None:
    api = FakeBotApi(delay=0.05)
    await api.start()
    process = await start_bot(
        api, url, env={"ALLIANCE_CHAT_MESSAGES_PER_SECOND": "1"}, output=asyncio.subprocess.DEVNULL
    )
    try:
        await asyncio.sleep(3)
        rest = memory(process.pid)
        chats = [FIRST_CHAT + index for index in range(conversations)]
        started = time.monotonic()
        for chat in chats:
            api.send_text(chat, "Entreprise")
        await api.wait_for(
            lambda a: all(a.calls_of("sendMessage", chat) for chat in chats), timeout=600
        )
        burst = time.monotonic() - started
        await asyncio.sleep(3)
        after = memory(process.pid)
    finally:
        await stop(process)
        await api.stop()
    print(f"at rest after start: {rest['VmRSS']:.0f} MB")
    print(f"peak during {conversations} answers at once ({burst:.0f} s): {after['VmHWM']:.0f} MB")
    print(f"at rest after: {after['VmRSS']:.0f} MB")
    print(f"target < 150 MB: {'met' if after['VmHWM'] < 150 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=1_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='alliance-memory-')}/bench.db"
    upgrade(url)
    populate(url, args.partnerships, 2)
    start_conversations(url, args.conversations)
    print(
        f"{os.cpu_count()} cores; {args.partnerships} partnerships x 2 members, "
        f"{args.conversations} conversations in progress; {url.split(':')[0]}"
    )
    asyncio.run(measure(url, args.conversations))


if __name__ == "__main__":
    main()
