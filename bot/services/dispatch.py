"""The check-in dispatcher's use cases: no person starts them. Each works on a batch of
partnerships or rounds in one transaction and returns what to send, as deliveries.

Safe to run twice at once: PostgreSQL hands each dispatcher different partnerships (rows
locked, locked rows skipped); whatever the database, a round exists once per partnership,
kind and due date, and each message is recorded by the one transaction that claimed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services import rounds
from bot.services.results import Result
from bot.services.work import Work
from flows.evaluation import EVALUATED_STAGES
from storage import checkins as store

BATCH = 200


@dataclass
class Batch:
    """What one batch did, and where the next one starts (None: nothing left)."""

    result: Result
    last_id: int | None
    opened: int = 0
    closed: int = 0
    ids: list[int] = field(default_factory=list)


def open_due(work: Work, after_id: int, limit: int = BATCH) -> Batch:
    """Opens the rounds that have come due for a batch of evaluated partnerships."""
    partnerships = store.evaluated_partnerships(
        work.db, stages=EVALUATED_STAGES, after_id=after_id, limit=limit, lock=True
    )
    batch = Batch(Result(work.language), partnerships[-1].id if partnerships else None)
    latest = store.latest_rounds(work.db, partnership_ids=[p.id for p in partnerships])
    batch.result, batch.opened = rounds.open_due_rounds(work, partnerships, latest)
    return batch


def follow_open(work: Work, after_id: int, limit: int = BATCH) -> Batch:
    """Reminds and closes the open rounds of a batch."""
    open_rounds = store.open_rounds(work.db, after_id=after_id, limit=limit)
    batch = Batch(Result(work.language), open_rounds[-1].id if open_rounds else None)
    round_ids = [r.id for r in open_rounds]
    # Respondents who blocked the bot since: the rounds stop waiting for them.
    store.mark_unreachable(work.db, round_ids=round_ids, at=work.now)
    invites = store.invites_of_rounds(work.db, round_ids=round_ids)
    for round_ in open_rounds:
        followed, closed = rounds.remind_or_close(work, round_, invites[round_.id])
        batch.result.deliveries.extend(followed.deliveries)
        batch.closed += closed
    return batch
