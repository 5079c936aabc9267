"""The real `alliance run` as a child process, against the fake Bot API: to kill it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

from tests.fake_bot_api import FakeBotApi


async def start_bot(
    api: FakeBotApi,
    database_url: str,
    *,
    env: dict[str, str] | None = None,
    ready=None,
    output=asyncio.subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """Starts `alliance run` and returns once it is ready: polling for updates, or as `ready`
    (a test of the fake API's calls since the start) says; `output` takes stdout and stderr."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "ALLIANCE_POLLING_TIMEOUT": "1",
        "ALLIANCE_CHAT_MESSAGES_PER_SECOND": "1000",
        # The health check of each process on its own port: tests run side by side.
        "ALLIANCE_LISTEN": f"127.0.0.1:{free_port()}",
        **(env or {}),
    }
    # A killed process's last long poll may still be answered: wait for this one's getMe.
    started = len(api.calls)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=environment,
        stdout=output,
        stderr=asyncio.subprocess.STDOUT if output is not asyncio.subprocess.DEVNULL else output,
    )
    await api.wait_for(lambda a: (ready or _polling_since)(a, started), timeout=60)
    return process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _polling_since(api: FakeBotApi, start: int) -> bool:
    """A new process said hello (getMe), then polled for updates."""
    methods = [call.method for call in api.calls[start:]]
    return "getMe" in methods and "getUpdates" in methods[methods.index("getMe") :]


async def kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL: no clean-up of any kind, as when a machine dies."""
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await process.wait()
