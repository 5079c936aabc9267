"""Check-in fan-out benchmark: N partnerships due at once, sent by `alliance checkins run`.

Run from the repository root (it takes minutes at the default size; it is a benchmark, not a
test):

    .venv/bin/python benchmarks/bench_checkins.py                    # 10,000 check-ins
    .venv/bin/python benchmarks/bench_checkins.py --partnerships 1000 --respondents 3

A fake Bot API on loopback answers every call after --delay seconds (50 ms). The database
(a temporary SQLite file, or --database-url) holds N partnerships signed six weeks before
the dispatch time, with --respondents respondents each (a member, then partner contacts: at
least 2, since a round needs both organisations).
The real command runs as a subprocess; the benchmark reports:
- the sending rate Telegram saw (first to last message), against the configured rate, and
  the most messages seen in any one-second window (it must never exceed the rate), on the
  kernel's arrival times when the benchmark may read packets (root; see arrivals.py) and on
  the fake Bot API's own clock;
- the dispatcher's own CPU (user + system of the process) as a share of one core over the
  whole run, and its wall time split into dispatching and sending.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arrivals import Arrivals  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Membership, Partnership, User  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402

SIGNED = date(2027, 1, 15)
DUE = datetime.combine(SIGNED + timedelta(weeks=6), clock_time(9), ZoneInfo("Europe/Paris"))


def populate(
    url: str,
    partnerships: int,
    respondents: int,
    followup: Callable[[int], dict] | None = None,
) -> None:
    """N partnerships in implementation, each with its respondents, inserted in bulk; the
    i-th partnership's /suivi answers are `followup(i)` (by default signed on SIGNED)."""
    engine = make_engine(url)
    users = [
        {"external_id": f"tg:{100_000 + i}", "language": "fr"}
        for i in range(partnerships * respondents)
    ]
    with engine.begin() as db:
        db.execute(insert(User), users)
        db.execute(
            insert(Partnership),
            [
                {
                    "name": f"Alliance {i}",
                    "our_organisation": "Rebond",
                    "partner_name": "Martin",
                    "stage": "implementation",
                    "revision": 0,
                    "dialogue": [],
                    "candidates": [],
                    "convention": {},
                    "followup": followup(i) if followup else {"signature_date": SIGNED.isoformat()},
                    "created_by": 1 + i * respondents,
                }
                for i in range(partnerships)
            ],
        )
        db.execute(
            insert(Membership),
            [
                {
                    "partnership_id": 1 + i,
                    "user_id": 1 + i * respondents + r,
                    "role": "member" if r == 0 else "partner",
                    "respondent": True,
                }
                for i in range(partnerships)
                for r in range(respondents)
            ],
        )
    engine.dispose()


async def run(args) -> dict:
    folder = tempfile.mkdtemp(prefix="alliance-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    upgrade(url)
    populate(url, args.partnerships, args.respondents)
    measured = {}
    async with FakeBotApi(delay=args.delay) as api:
        # Every respondent started the bot before (Telegram refuses to write first).
        for number in range(args.partnerships * args.respondents):
            api.open_chat(100_000 + number)
        arrivals = Arrivals(urlsplit(api.base_url).port, b"/sendMessage")
        args.kernel_clock = arrivals.start()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": "123456:TEST",
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_URL": url,
            "ALLIANCE_MAX_MESSAGES_PER_SECOND": str(args.rate),
        }
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        command = [*profile, "-m", "bot.cli", "checkins", "run", "--at", DUE.isoformat()]
        try:
            measured["alliance"] = await measure(api, arrivals, command, env)
            if args.floor:
                count = args.partnerships * args.respondents
                api.calls.clear()
                floor = [str(REPO / "benchmarks" / "floor_fanout.py"), str(count)]
                measured["floor"] = await measure(api, arrivals, floor, env)
        finally:
            arrivals.stop()
    return measured


async def measure(api: FakeBotApi, arrivals: Arrivals, command: list[str], env: dict) -> dict:
    """Runs one sender as a subprocess: what Telegram saw, its wall time and its CPU."""
    arrivals.clear()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode:
        raise SystemExit(err.decode()[-3000:])
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    return {
        "sends": sorted(c.time for c in api.calls_of("sendMessage")),
        # Each request's arrival; a refused one (429) counts too, as Telegram counts it.
        "arrivals": sorted(arrivals.times),
        "wall": wall,
        "cpu": user + system,
        "user": user,
        "system": system,
        "output": out.decode().strip(),
    }


def busiest_second(times: list[float]) -> int:
    """The most messages Telegram received within any one second."""
    return max((bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def windows_above(times: list[float], rate: int) -> int:
    """How many one-second windows, each starting at a message, held more than `rate`."""
    return sum(bisect_left(times, t + 1.0) - i > rate for i, t in enumerate(times))


def report(args, measured: dict) -> str:
    lines = [
        f"Machine: {_cpu()}, {os.cpu_count()} cores; Python {platform.python_version()}.",
        f"{args.partnerships} partnerships x {args.respondents} respondent(s), Bot API delay "
        f"{args.delay * 1000:.0f} ms, configured rate {args.rate}/s, database "
        f"{'SQLite' if not args.database_url else args.database_url.split(':')[0]}.",
        "Arrivals: "
        + (
            "stamped by the kernel as each request reached the fake Bot API's socket."
            if args.kernel_clock
            else "the fake Bot API's clock only (reading packets needs root)."
        ),
        f"Command said: {measured['alliance']['output']}",
        "",
        "| figure | " + " | ".join(measured) + " |",
        "| --- |" + " ---: |" * len(measured),
    ]
    rows = {name: _figures(args, run) for name, run in measured.items()}
    for label in next(iter(rows.values())):
        lines.append(f"| {label} | " + " | ".join(r[label] for r in rows.values()) + " |")
    return "\n".join(lines)


def _figures(args, run: dict) -> dict[str, str]:
    sends = run["sends"]
    # The rate as Telegram would count it: arrivals on the kernel's clock when it can be read.
    arrived = run["arrivals"] if args.kernel_clock else sends
    span = arrived[-1] - arrived[0] if len(arrived) > 1 else 0.0
    rate = (len(arrived) - 1) / span if span else 0.0
    figures = {
        "messages Telegram accepted": f"{len(sends)}",
        "sending rate, first to last message": f"{rate:.2f}/s ({rate / args.rate:.1%})",
    }
    if args.kernel_clock:
        figures |= {
            "most messages in any one second, on arrival": f"{busiest_second(arrived)}",
            "one-second windows above the rate, on arrival": (
                f"{windows_above(arrived, args.rate)}"
            ),
        }
    figures |= {
        "most messages in any one second, fake API's clock": f"{busiest_second(sends)}",
        "one-second windows above the rate, fake API's clock": (
            f"{windows_above(sends, args.rate)}"
        ),
        "whole run, wall": f"{run['wall']:.1f} s",
        "sending, first to last message": f"{span:.1f} s",
        "CPU, user + system": f"{run['user']:.1f} s + {run['system']:.1f} s",
        "CPU, share of one core over the run": f"{run['cpu'] / run['wall']:.1%}",
        "CPU per message": f"{run['cpu'] / max(len(sends), 1) * 1000:.2f} ms",
    }
    return figures


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 5,000 partnerships of one member and one partner contact: 10,000 check-ins.
    parser.add_argument("--partnerships", type=int, default=5_000)
    parser.add_argument("--respondents", type=int, default=2)
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", help="write the command's cProfile statistics there")
    parser.add_argument(
        "--floor", action="store_true", help="also time a bare python-telegram-bot sender"
    )
    args = parser.parse_args()
    if args.respondents < 2:
        parser.error("--respondents must be at least 2: a round needs both organisations")
    print(report(args, asyncio.run(run(args))))


if __name__ == "__main__":
    main()
