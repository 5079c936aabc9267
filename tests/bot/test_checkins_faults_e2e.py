"""The check-in dispatcher when things go wrong: two at once on PostgreSQL, one killed in the
middle, Telegram answering 429 or 403."""

from __future__ import annotations

import asyncio
import signal

from bot.services import Actor, Services, checkins
from storage.db import make_engine
from tests.bot.checkins import (
    DAY,
    SIGNED,
    at,
    checkins_process,
    evaluated_partnership,
    invites_of,
    many_evaluated_partnerships,
    rounds_of,
    run_checkins,
)
from tests.bot.client import Client
from tests.bot.test_checkins_e2e import EVERYONE, FIRST_PULSE, OURS, PULSE_ANSWERS, THEIRS, answer

DUE = at(SIGNED + 6 * 7 * DAY)


def sent_records(database_url: str) -> int:
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import OutboxMessage

    engine = make_engine(database_url)
    with session_scope(engine) as db:
        count = len(list(db.exec(select(OutboxMessage).where(OutboxMessage.status == "sent"))))
    engine.dispose()
    return count


def asked(api, chat: int) -> int:
    """How many check-in messages Telegram accepted in that chat."""
    return sum("Point d’étape" in (c.text or "") for c in api.calls_of("sendMessage", chat))


async def test_two_dispatchers_at_once_on_postgresql_ask_everyone_exactly_once(
    api, clean_postgres_url
):
    pairs = many_evaluated_partnerships(clean_postgres_url, 200)
    first, second = await asyncio.gather(
        checkins_process(api, clean_postgres_url, DUE),
        checkins_process(api, clean_postgres_url, DUE),
    )
    results = await asyncio.gather(first.communicate(), second.communicate())
    assert first.returncode == second.returncode == 0, results
    chats = [chat for pair in pairs for chat in pair]
    counts = [asked(api, chat) for chat in chats]
    assert counts == [1] * len(chats)
    # Both did some of the work (PostgreSQL handed them different partnerships) or one did
    # it all; either way each partnership has its one round.
    assert sum(int(out.split()[1]) for out, _ in results) == 200


async def test_a_dispatcher_killed_while_sending_loses_nothing_and_repeats_nothing(api, sqlite_url):
    pairs = many_evaluated_partnerships(sqlite_url, 5)
    chats = [chat for pair in pairs for chat in pair]
    stuck = chats[3]
    gate = api.hold("sendMessage", chat_id=stuck)
    process = await checkins_process(api, sqlite_url, DUE)
    await api.wait_for(lambda a: a.held("sendMessage", stuck))
    await api.wait_for(lambda a: sum(asked(a, c) for c in chats if c != stuck) == len(chats) - 1)
    # Killed while one message is on its way, the others recorded as sent. (Killed between
    # Telegram's answer and that record, a message would come twice: the one window left.)
    await api.wait_for(lambda _: sent_records(sqlite_url) == len(chats) - 1)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    gate.release()
    assert asked(api, stuck) == 0
    # The next run (cron, a minute later) sends what was recorded and not sent; no new round.
    await run_checkins(api, sqlite_url, DUE + DAY / 24 / 60)
    assert [asked(api, chat) for chat in chats] == [1] * len(chats)


async def test_a_429_waits_the_time_it_names_for_that_chat_only(api, sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    api.fail_next("sendMessage", 429, retry_after=1, chat_id=201)
    await run_checkins(api, sqlite_url, at(FIRST_PULSE))
    assert [asked(api, chat) for chat in EVERYONE] == [1, 1, 1, 1]
    refused = api.calls_of("sendMessage", 201, ok=False)[0]
    accepted = api.calls_of("sendMessage", 201)[0]
    assert accepted.time - refused.time >= 1
    # The other chats were not held up by it.
    assert all(api.calls_of("sendMessage", c)[0].time < accepted.time for c in (101, 102, 202))
    assert len(rounds_of(sqlite_url, pid)) == 1


async def test_a_403_marks_the_respondent_unreachable_shown_and_not_retried(api, sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    api.fail_next("sendMessage", 403, chat_id=202)
    await run_checkins(api, sqlite_url, at(FIRST_PULSE))
    (round_,) = rounds_of(sqlite_url, pid)
    service = Client(Services(make_engine(sqlite_url)))
    for chat in (101, 102, 201):
        answer(service, chat, round_.id, PULSE_ANSWERS)
    # Everyone reachable answered: the round closed; nobody tried 202 again.
    await run_checkins(api, sqlite_url, at(FIRST_PULSE + 3 * DAY))
    assert rounds_of(sqlite_url, pid)[0].status == "closed"
    assert len(api.calls_of("sendMessage", 202, ok=None)) == 1
    unreachable = next(i for i in invites_of(sqlite_url, round_.id) if i.answered_at is None)
    assert unreachable.unreachable_at is not None
    shown = service.run(Actor("tg:101", "fr"), checkins.evaluation).messages[0].text
    assert "injoignable" in shown


class Unreachable:
    """A Bot API address where nothing listens (a port just released)."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.base_url = f"http://127.0.0.1:{probe.getsockname()[1]}/bot"

    def open_chat(self, chat_id: int) -> None:
        """Nobody to tell."""


async def test_telegram_unreachable_says_so_and_the_next_run_sends_what_waited(api, sqlite_url):
    evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    process = await checkins_process(Unreachable(), sqlite_url, at(FIRST_PULSE))
    out, err = await process.communicate()
    assert process.returncode == 1
    assert "Telegram could not be reached" in err.decode()
    assert "4 message(s) stay recorded" in err.decode()
    assert "Traceback" not in err.decode()
    # Telegram is back: the next run opens nothing new and sends what waited, once each.
    printed = await run_checkins(api, sqlite_url, at(FIRST_PULSE, minute=1))
    assert "0 partnership(s) with a new round" in printed
    assert [asked(api, chat) for chat in EVERYONE] == [1, 1, 1, 1]
