"""Dashboard benchmark (issue 20): the portfolio of a coordinator who follows 1,000
partnerships, and the page of a partnership with 12 check-in rounds, served by the real
dashboard application through aiohttp on loopback.

    .venv/bin/python benchmarks/bench_dashboard.py                       # SQLite, then PostgreSQL
    .venv/bin/python benchmarks/bench_dashboard.py --partnerships 1000 --requests 50 --no-postgres

Each database (a temporary SQLite file; a new PostgreSQL database at ALLIANCE_TEST_POSTGRES_URL's
server when it answers, dropped at the end) is filled by the tests' seed_many: the
partnerships across the seven steps, 4 to 12 closed rounds for most of those being evaluated,
health and alerts computed by the real refresh. The coordinator signs in with a one-time
link, then an aiohttp client asks each page --warm-up times, and --requests times measured,
one request after the other; the table gives the median, the 95th percentile and the largest
of the wall times (request sent to body read) and the body's size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# The imports below need the path above (a benchmark runs as a script): hence E402.
from aiohttp import ClientSession, CookieJar, web  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.process import freeze_loaded  # noqa: E402
from bot.services import Actor, Core, Services  # noqa: E402
from bot.services.web_access import login_link  # noqa: E402
from bot.web.app import dashboard_app  # noqa: E402
from bot.web.config import WebConfig  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.bot.web.seed import seed_many  # noqa: E402

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
TOKEN = "123456:BENCH"
POSTGRES_URL = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The limits.
PORTFOLIO_P95_MS, PAGE_MS, BODY_KB = 150, 100, 100


@contextmanager
def sqlite_database():
    folder = tempfile.mkdtemp(prefix="alliance-dashboard-")
    yield f"sqlite:///{os.path.join(folder, 'alliance.db')}"


@contextmanager
def postgres_database():
    """A new database on the test server, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"alliance_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("select 1"))
        admin.dispose()
        return None
    except Exception as error:  # any failure means: not measured, and why
        return str(error).splitlines()[0]


async def timed(session: ClientSession, url: str, warm_up: int, requests: int) -> dict:
    """Wall times of `requests` sequential GETs after `warm_up`, and the body's size."""
    for _ in range(warm_up):
        async with session.get(url) as response:
            assert response.status == 200, (url, response.status)
            await response.read()
    times, size = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        async with session.get(url) as response:
            body = await response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (url, response.status)
        size = len(body)
    return {
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=100, method="inclusive")[94],
        "max": max(times),
        "kb": size / 1024,
    }


async def measure(url: str, options) -> tuple[list[tuple[str, dict]], str]:
    """Fills the database, serves the dashboard, signs the coordinator in, times the pages."""
    upgrade(url)
    started = time.perf_counter()
    core = Core("Europe/Paris")
    many = seed_many(url, options.partnerships, NOW, core)
    filled = (
        f"{options.partnerships} partnerships, {many.rounds} closed rounds, "
        f"filled in {time.perf_counter() - started:.1f} s"
    )
    engine = make_engine(url)
    services = Services(engine, core, clock=lambda: NOW)
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listening.getsockname()[1]}"
    runner = web.AppRunner(dashboard_app(WebConfig(services, TOKEN, base)))
    await runner.setup()
    await web.SockSite(runner, listening).start()
    freeze_loaded()  # as alliance run and alliance web do once they serve
    results = []
    try:
        # Cookies of an IP address are kept only by an "unsafe" jar.
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            link = await asyncio.to_thread(services.run, Actor(many.coordinator), login_link)
            async with session.get(f"{base}/login/{link.token}") as response:
                assert response.status == 200, response.status
            pages = (
                (f"portfolio, {options.partnerships} partnerships", f"{base}/"),
                ("portfolio filtered (health=red)", f"{base}/?health=red"),
                ("partnership page, 12 rounds", f"{base}/p/{many.twelve_rounds}"),
            )
            for name, address in pages:
                results.append(
                    (name, await timed(session, address, options.warm_up, options.requests))
                )
    finally:
        await runner.cleanup()
        engine.dispose()
    return results, filled


def report(database: str, results: list[tuple[str, dict]]) -> None:
    for name, found in results:
        print(
            f"| {database:<10} | {name:<34} | {found['p50']:7.1f} | {found['p95']:7.1f} "
            f"| {found['max']:7.1f} | {found['kb']:7.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    print(
        f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"{options.requests} sequential requests per page after {options.warm_up} warm-up"
    )
    databases = [("sqlite", sqlite_database)]
    if not options.no_postgres:
        why = postgres_reachable()
        if why is None:
            databases.append(("postgresql", postgres_database))
        else:
            print(f"PostgreSQL not measured: {why}")
    measured = []
    for database, make in databases:
        with make() as url:
            results, filled = asyncio.run(measure(url, options))
        print(f"{database}: {filled}")
        measured.append((database, results))
    print()
    print(f"| {'database':<10} | {'page':<34} | p50 ms  | p95 ms  | max ms  | body KB |")
    print(f"|{'-' * 12}|{'-' * 36}|---------|---------|---------|---------|")
    for database, results in measured:
        report(database, results)
    print(
        f"\nissue 20's limits: portfolio p95 < {PORTFOLIO_P95_MS} ms and < {BODY_KB} KB; "
        f"partnership page < {PAGE_MS} ms"
    )


if __name__ == "__main__":
    main()
