"""Erasure benchmark: one person's `/supprimer` among many kept updates of other chats, or
`alliance privacy purge` erasing many people at once.

    .venv/bin/python benchmarks/bench_erasure.py                  # 300,000 kept updates
    .venv/bin/python benchmarks/bench_erasure.py --updates 100000 --database-url postgresql+psycopg://...
    .venv/bin/python benchmarks/bench_erasure.py --purge 20 --updates 100000

The database (a temporary SQLite file, or --database-url) holds N kept updates, most from
other private chats, one in twenty from groups; the person wrote a few of them, and one
update in a thousand (another member's press, say) shows her name, as do some messages sent
to others. It reports the erasure's wall time and the peak of Python memory it allocated
(tracemalloc).

With --purge P, P people who belong to no partnership and have been idle for two years are
added (each wrote some of the updates, each named in others' messages), with 10,000 handled
updates and 10,000 sent messages past their retention; the purge runs as the command does
(bot.cli.purge_personal_data). It reports the purge's wall time and its longest database
transaction: while one is open, a bot on SQLite cannot save an answer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import event, insert, update  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from storage import personal, repository  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Inbound, OutboxMessage, User, utcnow  # noqa: E402

PERSON = 7
PERSON_NAME = "Awa Diallo"
# The idle people of --purge: Telegram ids and names.
IDLE_FIRST = 900_000
EXPIRED = 10_000


def populate(url: str, updates: int, people: dict[int, str], start: int = 0, at=None) -> None:
    """`updates` handled updates; each person wrote one in 10,000 (one in twenty of them in
    a group), and one in a thousand is another member's press on a screen naming one."""
    engine = make_engine(url)
    at = at or utcnow()
    senders = list(people)
    named = list(people.values())
    rows = []
    for i in range(start, start + updates):
        sender = senders[i // 10_000 % len(senders)] if i % 10_000 == 0 else 100_000 + i % 5_000
        chat = -(1 + i % 300) if i % 20 == 0 else sender
        message = {
            "from": {"id": sender, "first_name": "N"},
            "chat": {"id": chat},
            "text": "x" * 40,
        }
        update = {"update_id": i, "message": message}
        if i % 1000 == 500:
            shown = {"chat": {"id": sender}, "text": f"☑ {named[i // 1000 % len(named)]}"}
            update = {"update_id": i, "callback_query": {"from": message["from"], "message": shown}}
        rows.append(
            {
                "key": f"tg:{i}",
                "payload": update,
                "chat_id": chat,
                "seq": i,
                "received_at": at,
                "handled_at": at,
            }
        )
    with engine.begin() as db:
        for first in range(0, len(rows), 10_000):
            db.execute(insert(Inbound), rows[first : first + 10_000])
    engine.dispose()


def sent_messages(url: str, count: int, people: dict[int, str], at) -> None:
    """`count` messages sent to other chats; one in ten names one of the people."""
    engine = make_engine(url)
    named = list(people.values())
    rows = [
        {
            "chat_id": 100_000 + i % 5_000,
            "kind": "send",
            "payload": {"text": f"☑ {named[i % len(named)]}" if i % 10 == 0 else "y" * 40},
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": at,
            "created_at": at,
        }
        for i in range(count)
    ]
    with engine.begin() as db:
        for first in range(0, len(rows), 10_000):
            db.execute(insert(OutboxMessage), rows[first : first + 10_000])
    engine.dispose()


def erasure(url: str, updates: int) -> None:
    populate(url, updates, {PERSON: PERSON_NAME})
    sent_messages(url, 1_000, {PERSON: PERSON_NAME}, utcnow())
    engine = make_engine(url)
    with session_scope(engine) as db:
        user_id = repository.get_or_create_user(
            db, external_id=f"tg:{PERSON}", language="fr", name=PERSON_NAME
        ).id
    tracemalloc.start()
    start = time.perf_counter()
    with session_scope(engine) as db:
        personal.erase(db, user=db.get(User, user_id), chat_id=PERSON, at=utcnow())
    elapsed = time.perf_counter() - start
    grown = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"{updates} kept updates, {url.split(':')[0]}: erasure {elapsed:.2f} s, "
        f"peak Python memory {grown:.0f} MB"
    )


def purge(url: str, updates: int, count: int) -> None:
    from bot.cli import purge_personal_data
    from bot.settings import Settings

    people = {IDLE_FIRST + i: f"Personne{i} Inactive" for i in range(count)}
    long_ago = utcnow() - timedelta(days=730)
    populate(url, updates, people)
    populate(url, EXPIRED, people, start=updates, at=long_ago)
    sent_messages(url, 2_000, people, utcnow())
    sent_messages(url, EXPIRED, people, long_ago)
    engine = make_engine(url)
    with session_scope(engine) as db:
        for chat, name in people.items():
            repository.get_or_create_user(db, external_id=f"tg:{chat}", language="fr", name=name)
        db.flush()
        db.execute(update(User).values(created_at=long_ago))
    engine.dispose()
    settings = Settings(_env_file=None, database_url=url, alliance_migrate=False)
    longest = _longest_transaction()
    start = time.perf_counter()
    purge_personal_data(settings, 365)
    elapsed = time.perf_counter() - start
    print(
        f"{count} people over {updates} kept updates (+{EXPIRED} expired updates and messages), "
        f"{url.split(':')[0]}: purge {elapsed:.2f} s, {longest['count']} transactions, "
        f"the longest {longest['seconds']:.2f} s"
    )


def _longest_transaction() -> dict:
    """Times every transaction of every engine from now on: their count and the longest."""
    found = {"count": 0, "seconds": 0.0}
    opened: dict[int, float] = {}

    def begin(connection) -> None:
        opened[id(connection)] = time.perf_counter()

    def end(connection) -> None:
        started = opened.pop(id(connection), None)
        if started is not None:
            found["count"] += 1
            found["seconds"] = max(found["seconds"], time.perf_counter() - started)

    event.listen(Engine, "begin", begin)
    event.listen(Engine, "commit", end)
    event.listen(Engine, "rollback", end)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=None, help="300,000; 100,000 with --purge")
    parser.add_argument("--purge", type=int, default=0, metavar="PEOPLE")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='alliance-bench-')}/bench.db"
    upgrade(url)
    if args.purge:
        purge(url, args.updates or 100_000, args.purge)
    else:
        erasure(url, args.updates or 300_000)


if __name__ == "__main__":
    main()
