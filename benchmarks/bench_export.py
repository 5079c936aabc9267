"""Export benchmark: `alliance export` of N partnerships in each format, its wall time and
peak resident memory (not run in CI).

    .venv/bin/python benchmarks/bench_export.py                 # 10,000 partnerships
    .venv/bin/python benchmarks/bench_export.py --rounds 0      # members only

The database (a temporary SQLite file) holds N partnerships with their members, as the
fan-out benchmark builds them, and R closed pulse rounds each answered by both members (one
per organisation), whose scores the export computes per organisation; the real command runs
as a subprocess per format (CSV: a zip of one file per table).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_checkins import SIGNED, populate  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from flows.evaluation import scored_questions  # noqa: E402
from knowledge import load_questionnaire  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    CheckInInvite,
    CheckInRound,
    FlowSession,
    Membership,
)

# What a pulse scores, from its questionnaire: each respondent gives every one a score.
PULSE = tuple(q.id for q in scored_questions(load_questionnaire("pulse")))


def add_rounds(url: str, rounds: int) -> None:
    """R closed pulse rounds per partnership, each answered by every member for their side."""
    if rounds < 1:
        return
    engine = make_engine(url)
    with engine.begin() as db:
        members = db.execute(select(Membership.partnership_id, Membership.user_id, Membership.role))
        by_partnership: dict[int, list[tuple[int, str]]] = {}
        for pid, user_id, role in members:
            by_partnership.setdefault(pid, []).append((user_id, role))
        for number in range(rounds):
            due = datetime.combine(SIGNED, datetime.min.time(), UTC) + timedelta(days=90 * number)
            db.execute(
                insert(CheckInRound),
                [
                    {
                        "partnership_id": pid,
                        "kind": "pulse",
                        "due_at": due,
                        "status": "closed",
                        "closed_at": due + timedelta(days=14),
                        "summary": {},
                    }
                    for pid in by_partnership
                ],
            )
        ids = db.execute(select(CheckInRound.id, CheckInRound.partnership_id)).all()
        db.execute(
            insert(CheckInInvite),
            [
                {
                    "round_id": rid,
                    "user_id": user_id,
                    "side": "partner" if role == "partner" else "ours",
                    "answered_at": datetime.now(UTC),
                }
                for rid, pid in ids
                for user_id, role in by_partnership[pid]
            ],
        )
        db.execute(
            insert(FlowSession),
            [
                {
                    "user_id": user_id,
                    "flow": "pulse",
                    "status": "done",
                    "partnership_id": pid,
                    "round_id": rid,
                    "state": {
                        "questionnaire": "pulse",
                        "state": "done",
                        "answers": {q: 2 + (rid + user_id + i) % 4 for i, q in enumerate(PULSE)},
                    },
                }
                for rid, pid in ids
                for user_id, _ in by_partnership[pid]
            ],
        )
    engine.dispose()


def measure(url: str, form: str, folder: str) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB of the command (GNU time's count: the benchmark's own
    memory is not inherited into it), and the file's size."""
    out = Path(folder) / f"export.{'zip' if form == 'csv' else form}"
    started = time.monotonic()
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "-m",
            "bot.cli",
            "export",
            "--format",
            form,
            "-o",
            str(out),
        ],
        env={**os.environ, "DATABASE_URL": url},
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    peak = next(
        int(line.rsplit(":", 1)[1]) / 1024
        for line in done.stderr.splitlines()
        if "Maximum resident set size" in line
    )
    return wall, peak, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2, help="closed pulses per partnership")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="alliance-export-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    populate(url, args.partnerships, 2)
    add_rounds(url, args.rounds)
    print(f"{args.partnerships} partnerships x 2 members x {args.rounds} rounds answered, SQLite")
    print("| format | wall | peak resident memory | file |")
    print("| --- | ---: | ---: | ---: |")
    for form in ("csv", "json", "xlsx"):
        wall, peak, size = measure(url, form, folder)
        print(f"| {form} | {wall:.1f} s | {peak:.0f} MB | {size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
