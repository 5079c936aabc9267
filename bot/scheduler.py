"""The check-in dispatcher as an adapter: it runs the dispatcher's use cases batch by batch,
records their messages in the outbox in the same transactions, and says which chats to
flush. `alliance run` calls it every minute (the job queue); `alliance checkins run` once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot.delivery import record_deliveries
from bot.services import Services, alerts, dispatch, health, reports, rounds
from bot.views import Presenter


@dataclass
class Dispatched:
    opened: int = 0
    closed: int = 0
    # Health computed again, alerts raised and cleared; alerts sent to their partnerships'
    # people, and weekly digests to coordinators.
    assessed: int = 0
    raised: int = 0
    cleared: int = 0
    alerts: int = 0
    digests: int = 0
    messages: int = 0
    chats: set[int] = field(default_factory=set)
    # Filled by `alliance checkins run`: messages still in the outbox when it ends, and why
    # Telegram took none, when it could not be reached.
    waiting: int = 0
    unsent_reason: str | None = None


def dispatch_once(services: Services, presenter: Presenter) -> Dispatched:
    """Opens what is due, reminds, closes; assesses health, sends new alerts and the weekly
    digests; every message recorded before it is sent."""
    done = Dispatched()
    record = _recorder(services, presenter, done)
    for use_case, counter in ((dispatch.open_due, "opened"), (dispatch.follow_open, "closed")):
        _batches(services, use_case, done, counter, record)
    send_reports(services, presenter, done)
    # The rounds moved: the health of what changed, its alerts raised and cleared; then the
    # new alerts to their people, then the digests that show the lights.
    after = 0
    while after is not None:
        assessed = services.run_system(health.refresh, after)
        done.assessed += assessed.computed
        done.raised += len(assessed.raised)
        done.cleared += len(assessed.cleared)
        after = assessed.last_id
    return push(services, presenter, done)


def push(services: Services, presenter: Presenter, done: Dispatched | None = None) -> Dispatched:
    """The new alerts to their partnerships' people, then the weekly digests that are due."""
    done = done or Dispatched()
    record = _recorder(services, presenter, done)
    _batches(services, alerts.notify_new, done, "alerts", record)
    _batches(services, alerts.send_digests, done, "digests", record)
    return done


def send_reports(services: Services, presenter: Presenter, done: Dispatched) -> None:
    """The reports of the rounds closed (by this run, or by one that died before sending
    them): read, rendered outside any transaction and any lock, then recorded for their
    members in a short transaction of their own, once."""

    def record(db: Session, _user, result) -> None:
        at = services.clock()
        done.chats.update(record_deliveries(db, presenter, result.deliveries, at=at))
        done.messages += len(result.deliveries)

    while pending := services.run_system(rounds.reports_pending):
        for round_id in pending:
            job = services.run_system(rounds.report_to_render, round_id)
            if job is None:
                continue
            rendered = {language: reports.render(job, language) for language in job.languages}
            services.run_system(rounds.send_report, round_id, rendered, then=record)


def _recorder(services: Services, presenter: Presenter, done: Dispatched):
    """Records a batch's messages in the outbox, in the batch's transaction."""

    def record(db: Session, _user, batch) -> None:
        at = services.clock()
        done.chats.update(record_deliveries(db, presenter, batch.result.deliveries, at=at))
        done.messages += len(batch.result.deliveries)

    return record


def _batches(services: Services, use_case, done: Dispatched, counter: str, record) -> None:
    """Runs a use case batch after batch until none is left; counts what each did."""
    after = 0
    while after is not None:
        batch = services.run_system(use_case, after, then=record)
        setattr(done, counter, getattr(done, counter) + getattr(batch, counter))
        after = batch.last_id
