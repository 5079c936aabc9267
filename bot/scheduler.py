"""The check-in dispatcher as an adapter: it runs the dispatcher's use cases batch by batch,
records their messages in the outbox in the same transactions, and says which chats to
flush. `alliance run` calls it every minute (the job queue); `alliance checkins run` once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot.delivery import record_deliveries
from bot.services import Services, dispatch
from bot.views import Presenter


@dataclass
class Dispatched:
    opened: int = 0
    closed: int = 0
    messages: int = 0
    chats: set[int] = field(default_factory=set)
    # Filled by `alliance checkins run`: messages still in the outbox when it ends, and why
    # Telegram took none, when it could not be reached.
    waiting: int = 0
    unsent_reason: str | None = None


def dispatch_once(services: Services, presenter: Presenter) -> Dispatched:
    """Opens what is due, reminds, closes; every message recorded before it is sent."""
    done = Dispatched()

    def record(db: Session, _user, batch: dispatch.Batch) -> None:
        at = services.clock()
        done.chats.update(record_deliveries(db, presenter, batch.result.deliveries, at=at))
        done.messages += len(batch.result.deliveries)

    for use_case, counter in ((dispatch.open_due, "opened"), (dispatch.follow_open, "closed")):
        after = 0
        while after is not None:
            batch = services.run_system(use_case, after, then=record)
            setattr(done, counter, getattr(done, counter) + getattr(batch, counter))
            after = batch.last_id
    return done
