"""Times the draft convention (not run in CI): the "generate" button of a partnership whose
convention checklist is complete, as the bot runs it — one transaction that builds the draft
convention and the action plan as Word files and saves them.

Run: .venv/bin/python benchmarks/bench_drafts.py [--rounds 50] [--database-url URL]
The target is under 200 ms at p95.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services import Actor, Services  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.bot.client import Client  # noqa: E402
from tests.bot.telegram.factories import partnership_ready_for_drafts  # noqa: E402

CHAT = 4242


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    url = options.database_url or f"sqlite:///{tempfile.mkdtemp()}/drafts.db"
    upgrade(url)
    pid, _ = partnership_ready_for_drafts(url, CHAT)
    client = Client(Services(make_engine(url)))
    owner = Actor(f"tg:{CHAT}", "fr")
    timings = []
    for _ in range(options.rounds + 3):
        started = time.perf_counter()
        reply = client.partnership_button(owner, client.button(pid, "generate"), 1)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(reply.documents) == 2, reply
    timings = sorted(timings[3:])  # the first ones load the templates
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {url.split(':')[0]}"
    )
    print(
        f"draft convention + action plan, {len(timings)} rounds: "
        f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms"
    )
    print(f"target p95 < 200 ms: {'met' if p95 < 200 else 'MISSED'}")


if __name__ == "__main__":
    main()
