"""Health and alerts benchmark (issue 19): 10,000 partnerships with four closed check-in
rounds each, both organisations' scores in them.

Run from the repository root (a benchmark, not a test):

    .venv/bin/python benchmarks/bench_health.py                      # 10,000 partnerships
    .venv/bin/python benchmarks/bench_health.py --partnerships 1000 --database-url postgresql://...

The database (a temporary SQLite file, or --database-url, emptied first) is filled in bulk.
The benchmark runs the dispatcher's use case `bot.services.health.refresh` batch after batch
over every partnership, as `dispatch_once` does, and reports the CPU time of this process
(time.process_time: Python and, on SQLite, the database engine itself) and the wall time,
the garbage collector frozen after loading as `alliance checkins run` does (--no-freeze: not):
1. the first refresh, which computes every health and raises the alerts;
2. after the inputs of --changed partnerships changed (a steering meeting noted, a new round
   closed, a respondent out of reach), a second refresh, which must compute those only.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
# The imports below need the paths above (a benchmark runs as a script): hence E402.
from bench_checkins import populate as populate_members  # noqa: E402
from sqlalchemy import func, insert, select, text, update  # noqa: E402

from bot.services import Services  # noqa: E402
from bot.services.health import refresh  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Alert,
    CheckInRound,
    MeetingNote,
    PartnershipHealth,
    User,
)

NOW = datetime(2027, 6, 1, 9, tzinfo=UTC)
SIGNED = "2026-01-15"
DIMENSIONS = (
    "trust",
    "communication",
    "objectives",
    "means",
    "results",
    "performance",
    "coherence",
    "relevance",
    "contribution",
)
ROUNDS = 4
# Where partnerships' scores start: most well, some middling, a few low.
LEVELS = (4.6, 4.4, 4.2, 4.2, 4.0, 4.0, 3.8, 3.6, 3.3, 2.8)
# How they move from one round to the next: most hold, some slip.
DRIFTS = (0.05, 0.0, 0.0, 0.0, 0.0, -0.05, -0.1, -0.3)


def populate(url: str, partnerships: int, seed: int = 19, harsh: tuple | None = None) -> None:
    """N partnerships in implementation, two respondents each (one per organisation), four
    closed rounds each with both organisations' scores, a steering meeting for most. With
    `harsh`, every partnership's level is drawn in that range (many alerts)."""
    rng = random.Random(seed)
    populate_members(
        url,
        partnerships,
        2,
        followup=lambda _i: {
            "signature_date": SIGNED,
            "end_date": rng.choice(["2027-08-01", "2028-01-15", "2029-01-15"]),
            "frequency": rng.choice(["quarterly", "half_yearly"]),
        },
    )
    engine = make_engine(url)
    with engine.begin() as db:
        rounds = []
        for i in range(partnerships):
            # Most partnerships do well, some drift, a few are in trouble.
            level = rng.uniform(*harsh) if harsh else rng.choice(LEVELS)
            drift = rng.uniform(-0.5, 0.2) if harsh else rng.choice(DRIFTS)
            for n in range(ROUNDS):
                due = datetime(2026, 3, 1, 8, tzinfo=UTC) + timedelta(days=90 * n)
                sides = {"ours": {}, "partner": {}}
                for d in DIMENSIONS:
                    base = level + drift * n + rng.uniform(-0.15, 0.15)
                    for side in sides:
                        sides[side][d] = round(min(5, max(1, base + rng.uniform(-0.4, 0.4))), 2)
                scores = {
                    d: round((sides["ours"][d] + sides["partner"][d]) / 2, 2) for d in DIMENSIONS
                }
                rounds.append(
                    {
                        "partnership_id": 1 + i,
                        "kind": "pulse",
                        "due_at": due,
                        "final": False,
                        "origin": "schedule",
                        "status": "closed",
                        "opened_at": due,
                        "closed_at": due + timedelta(days=10),
                        "summary": {
                            "decision": None,
                            "scores": scores,
                            "answered": {"ours": [1, 1], "partner": [1, 1]},
                            "votes": {},
                            "sides": sides,
                        },
                    }
                )
        db.execute(insert(CheckInRound), rounds)
        db.execute(
            insert(MeetingNote),
            [
                {
                    "partnership_id": 1 + i,
                    "user_id": 1 + 2 * i,
                    "text": "Comité de pilotage",
                    "kind": "steering",
                    "held_at": NOW - timedelta(days=rng.randint(20, 400)),
                    "written_at": NOW - timedelta(days=10),
                }
                for i in range(partnerships)
                if rng.random() < 0.8
            ],
        )
    engine.dispose()


def change(url: str, partnerships: int, changed: int, seed: int = 7) -> list[int]:
    """Changes the inputs of `changed` partnerships, a third each way: a steering meeting
    noted, a fifth round closed, a respondent out of reach."""
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(1, partnerships + 1), changed))
    engine = make_engine(url)
    with engine.begin() as db:
        for n, pid in enumerate(ids):
            if n % 3 == 0:
                db.execute(
                    insert(MeetingNote).values(
                        partnership_id=pid,
                        user_id=2 * pid - 1,
                        text="Comité",
                        kind="steering",
                        held_at=NOW - timedelta(days=1),
                        written_at=NOW,
                    )
                )
            elif n % 3 == 1:
                scores = {d: 2.0 for d in DIMENSIONS}
                db.execute(
                    insert(CheckInRound).values(
                        partnership_id=pid,
                        kind="pulse",
                        due_at=NOW - timedelta(days=12),
                        final=False,
                        origin="schedule",
                        status="closed",
                        opened_at=NOW - timedelta(days=12),
                        closed_at=NOW - timedelta(days=2),
                        summary={
                            "scores": scores,
                            "answered": {"ours": [1, 1], "partner": [1, 1]},
                            "sides": {"ours": scores, "partner": scores},
                        },
                    )
                )
            else:
                db.execute(update(User).where(User.id == 2 * pid).values(unreachable_at=NOW))
    engine.dispose()
    return ids


def run_refresh(services: Services, limit: int) -> tuple[float, float, int, int, int]:
    """Every batch once: CPU seconds, wall seconds, partnerships computed, alerts raised and
    cleared."""
    cpu, wall = time.process_time(), time.perf_counter()
    after, computed, raised, cleared = 0, 0, 0, 0
    while after is not None:
        batch = services.run_system(refresh, after, limit)
        computed += batch.computed
        raised += len(batch.raised)
        cleared += len(batch.cleared)
        after = batch.last_id
    return time.process_time() - cpu, time.perf_counter() - wall, computed, raised, cleared


def counts(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as db:
        lights = dict(
            db.execute(
                select(PartnershipHealth.light, func.count()).group_by(PartnershipHealth.light)
            ).all()
        )
        alerts = dict(db.execute(select(Alert.signal, func.count()).group_by(Alert.signal)).all())
    engine.dispose()
    return f"lights {lights}; alerts by signal {alerts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--no-freeze", action="store_true", help="leave the garbage collector as it starts"
    )
    parser.add_argument(
        "--harsh", action="store_true", help="scores drawn from 2.5 to 4.8: many more alerts"
    )
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="alliance-health-")
    url = options.database_url or f"sqlite:///{os.path.join(folder, 'alliance.db')}"
    upgrade(url)
    if options.database_url:
        engine = make_engine(url)
        with engine.begin() as db:
            db.execute(
                text(
                    "TRUNCATE alert, partnership_health, meeting_note, checkin_invite, "
                    "checkin_round, membership, stage_move, partnership, app_user "
                    "RESTART IDENTITY CASCADE"
                )
            )
        engine.dispose()
    started = time.perf_counter()
    populate(url, options.partnerships, harsh=(2.5, 4.8) if options.harsh else None)
    print(
        f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"{url.split(':')[0]}"
    )
    print(
        f"filled {options.partnerships} partnerships x {ROUNDS} closed rounds "
        f"in {time.perf_counter() - started:.1f} s"
    )
    engine = make_engine(url)
    services = Services(engine, clock=lambda: NOW)
    if not options.no_freeze:
        # As the dispatcher command does (bot/checkins_cli.py): what is loaded by now lives as
        # long as the process, and the collector need not walk it again at every batch.
        gc.freeze()
    cpu, wall, computed, raised, cleared = run_refresh(services, options.batch)
    print(
        f"first refresh: {computed} computed, {raised} alerts raised, {cleared} cleared; "
        f"CPU {cpu:.2f} s, wall {wall:.2f} s"
    )
    print(counts(url))
    cpu, wall, computed, raised, cleared = run_refresh(services, options.batch)
    print(f"again, nothing changed: {computed} computed; CPU {cpu:.2f} s, wall {wall:.2f} s")
    change(url, options.partnerships, options.changed)
    cpu, wall, computed, raised, cleared = run_refresh(services, options.batch)
    print(
        f"after {options.changed} partnerships changed: {computed} computed, "
        f"{raised} raised, {cleared} cleared; CPU {cpu:.2f} s, wall {wall:.2f} s"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
