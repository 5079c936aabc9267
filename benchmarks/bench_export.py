"""Export benchmark: `alliance export` of N partnerships in each format, its wall time and
peak resident memory (not run in CI).

    .venv/bin/python benchmarks/bench_export.py                 # 10,000 partnerships

The database (a temporary SQLite file) holds N partnerships with their members, as the
fan-out benchmark builds them; the real command runs as a subprocess per format.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_checkins import populate  # noqa: E402

from storage.migrate import upgrade  # noqa: E402


def measure(url: str, form: str, folder: str) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB of the command (GNU time's count: the benchmark's own
    memory is not inherited into it), and the file's size."""
    out = Path(folder) / f"export.{form}"
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
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="alliance-export-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    populate(url, args.partnerships, 2)
    print(f"{args.partnerships} partnerships x 2 members, SQLite")
    print("| format | wall | peak resident memory | file |")
    print("| --- | ---: | ---: | ---: |")
    for form in ("csv", "json", "xlsx"):
        wall, peak, size = measure(url, form, folder)
        print(f"| {form} | {wall:.1f} s | {peak:.0f} MB | {size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
