"""Erasure benchmark: one person's `/supprimer` among many kept updates of other chats.

    .venv/bin/python benchmarks/bench_erasure.py                  # 300,000 kept updates
    .venv/bin/python benchmarks/bench_erasure.py --updates 100000 --database-url postgresql+psycopg://...

The database (a temporary SQLite file, or --database-url) holds N kept updates, most from
other private chats, one in twenty from groups; the person wrote a few of them. It reports the
erasure's wall time and the peak of Python memory it allocated (tracemalloc).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from storage import personal, repository  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Inbound, User, utcnow  # noqa: E402

PERSON = 7


def populate(url: str, updates: int) -> None:
    engine = make_engine(url)
    now = utcnow()
    rows = []
    for i in range(updates):
        sender = PERSON if i % 10_000 == 0 else 100_000 + i % 5_000
        chat = -(1 + i % 300) if i % 20 == 0 else sender
        message = {
            "from": {"id": sender, "first_name": "N"},
            "chat": {"id": chat},
            "text": "x" * 40,
        }
        rows.append(
            {
                "key": f"tg:{i}",
                "payload": {"update_id": i, "message": message},
                "chat_id": chat,
                "seq": i,
                "received_at": now,
                "handled_at": now,
            }
        )
    with engine.begin() as db:
        for start in range(0, len(rows), 10_000):
            db.execute(insert(Inbound), rows[start : start + 10_000])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='alliance-bench-')}/bench.db"
    upgrade(url)
    populate(url, args.updates)
    engine = make_engine(url)
    with session_scope(engine) as db:
        user_id = repository.get_or_create_user(db, external_id=f"tg:{PERSON}", language="fr").id
    tracemalloc.start()
    start = time.perf_counter()
    with session_scope(engine) as db:
        personal.erase(db, user=db.get(User, user_id), chat_id=PERSON, at=utcnow())
    elapsed = time.perf_counter() - start
    grown = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"{args.updates} kept updates, {url.split(':')[0]}: erasure {elapsed:.2f} s, "
        f"peak Python memory {grown:.0f} MB"
    )


if __name__ == "__main__":
    main()
