"""The real `alliance run` as a child process, against the fake Bot API: to kill it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tests.fake_bot_api import FakeBotApi


async def start_bot(api: FakeBotApi, database_url: str) -> asyncio.subprocess.Process:
    """Starts `alliance run` and returns once it polls for updates."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "ALLIANCE_POLLING_TIMEOUT": "1",
        "ALLIANCE_CHAT_MESSAGES_PER_SECOND": "1000",
    }
    polls = len(api.sent(method="getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await api.wait_for(lambda a: len(a.sent(method="getUpdates")) > polls, timeout=60)
    return process


async def kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL: no clean-up of any kind, as when a machine dies."""
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await process.wait()
