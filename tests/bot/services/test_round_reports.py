"""A round the dispatcher closes: its report is rendered after the closing transaction,
outside its locks, then recorded for the members once; a run that died in between leaves it
pending, and the next run sends it, still once."""

from __future__ import annotations

import threading

from sqlmodel import select

from bot.delivery import record_deliveries
from bot.scheduler import dispatch_once
from bot.services import Actor, Services, dispatch, reports, rounds
from bot.views import Presenter
from storage import checkins as store
from storage.db import make_engine, session_scope
from storage.models import CheckInRound, GeneratedDocument, OutboxMessage
from tests.bot.checkins import DAY, SIGNED, at, evaluated_partnership
from tests.bot.client import Client

OWNER = Actor("tg:101", "fr")
MEMBERS = (101, 102, 201, 202)
STARTED = at(SIGNED + 10 * DAY)
CLOSING = at(SIGNED + 25 * DAY)


def started_round(url: str) -> int:
    pid = evaluated_partnership(url)
    engine = make_engine(url)
    client = Client(Services(engine, clock=lambda: STARTED))
    client.partnership_button(OWNER, client.button(pid, "round", "pulse"), 1)
    engine.dispose()
    return pid


def seen(url: str) -> tuple[str | None, int, dict[int, int]]:
    """The round's report state, its charts kept, and the charts waiting per chat."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        (round_,) = db.exec(select(CheckInRound))
        charts = db.exec(select(GeneratedDocument).where(GeneratedDocument.kind == "pulse_chart"))
        photos = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "photo"))
        per_chat = {chat: 0 for chat in MEMBERS}
        for photo in photos:
            per_chat[photo.chat_id] += 1
        found = (round_.summary.get("report"), len(list(charts)), per_chat)
    engine.dispose()
    return found


def test_the_dispatcher_sends_the_report_after_closing_once(sqlite_url):
    started_round(sqlite_url)
    services = Services(make_engine(sqlite_url), clock=lambda: CLOSING)
    presenter = Presenter(services.core.zone, invitation_link=str)

    done = dispatch_once(services, presenter)
    assert done.closed == 1
    assert seen(sqlite_url) == (store.REPORT_SENT, 1, dict.fromkeys(MEMBERS, 1))
    dispatch_once(services, presenter)
    assert seen(sqlite_url) == (store.REPORT_SENT, 1, dict.fromkeys(MEMBERS, 1))


def test_a_report_left_pending_by_a_run_that_died_goes_once_at_the_next(database_url):
    started_round(database_url)
    services = Services(make_engine(database_url), clock=lambda: CLOSING)
    presenter = Presenter(services.core.zone, invitation_link=str)

    # The closing transaction alone, as if the process died right after it: nothing was
    # rendered inside it, and the report waits on the round.
    batch = services.run_system(dispatch.follow_open, 0)
    assert batch.closed == 1 and batch.result.deliveries == []
    assert seen(database_url) == (store.REPORT_PENDING, 0, dict.fromkeys(MEMBERS, 0))

    dispatch_once(services, presenter)
    dispatch_once(services, presenter)
    assert seen(database_url) == (store.REPORT_SENT, 1, dict.fromkeys(MEMBERS, 1))


def test_two_dispatchers_sending_the_same_pending_report_at_once_send_it_once(database_url):
    started_round(database_url)
    services = Services(make_engine(database_url), clock=lambda: CLOSING)
    presenter = Presenter(services.core.zone, invitation_link=str)
    services.run_system(dispatch.follow_open, 0)
    (round_id,) = services.run_system(rounds.reports_pending)
    # Both read the pending report and render it before either records it: the claim in
    # send_report's transaction is what lets one of them through.
    job = services.run_system(rounds.report_to_render, round_id)
    rendered = {language: reports.render(job, language) for language in job.languages}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        engine = make_engine(database_url)
        mine = Services(engine, clock=lambda: CLOSING)

        def record(db, _user, result) -> None:
            record_deliveries(db, presenter, result.deliveries, at=CLOSING)

        try:
            start.wait(timeout=30)
            mine.run_system(rounds.send_report, round_id, rendered, then=record)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert seen(database_url) == (store.REPORT_SENT, 1, dict.fromkeys(MEMBERS, 1))
