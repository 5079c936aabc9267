"""Several people acting on the same row at the same moment, each in their own process (here a
thread with its own engine and connections), on SQLite and on PostgreSQL: a single-use
invitation admits one of them, and a partnership's acting button acts once for all of them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bot.callback_data import parse_partnership
from bot.services import Actor, Services, buttons
from bot.services.results import InvitationCreated
from bot.views import Reply
from flows.invitations import LIFETIME, new_token, token_hash
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Coordinator, Membership, Organisation, Partnership, User
from tests.bot.checkins import (
    DAY,
    SIGNED,
    at,
    evaluated_partnership,
    invites_of,
    rounds_of,
    stage_of,
)
from tests.bot.client import Client

NOW = at(SIGNED + 10 * DAY)
OWNER = Actor("tg:101", "fr")
MEMBERS = (101, 102, 103)
CONTACTS = (201, 202)


def at_once(url: str, people: list[Actor], act: Callable[[Client, Actor], Reply]) -> list[Reply]:
    """Each person acts through their own engine, all released at the same moment (their
    clocks a second apart, as presses are: no two rounds share a due time)."""
    start = threading.Barrier(len(people))
    replies: dict[int, Reply] = {}
    errors: list[BaseException] = []

    def person(index: int, who: Actor) -> None:
        engine = make_engine(url)
        try:
            moment = NOW + timedelta(seconds=index)
            client = Client(Services(engine, clock=lambda: moment))
            start.wait(timeout=30)
            replies[index] = act(client, who)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=person, args=(i, who)) for i, who in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(replies) == len(people)
    return [replies[i] for i in range(len(people))]


def text_of(reply: Reply) -> str:
    screens = [*reply.messages, *([reply.edit] if reply.edit else [])]
    return "\n".join([s.text for s in screens] + [reply.notice or ""])


def members_of(url: str, pid: int) -> int:
    engine = make_engine(url)
    with session_scope(engine) as db:
        count = db.exec(select(func.count()).where(Membership.partnership_id == pid)).one()
    engine.dispose()
    return count


def test_one_invitation_redeemed_by_eight_people_at_once_admits_one(database_url):
    pid = evaluated_partnership(database_url, ours=MEMBERS, theirs=CONTACTS)
    engine = make_engine(database_url)
    client = Client(Services(engine, clock=lambda: NOW))
    created = client.services.run(
        OWNER, buttons.press, parse_partnership(client.button(pid, "role", "member")), 1
    )
    token = next(v for v in created.shown if isinstance(v, InvitationCreated)).token
    before = members_of(database_url, pid)
    newcomers = [Actor(f"tg:{900 + n}", "fr") for n in range(8)]

    replies = at_once(database_url, newcomers, lambda c, who: c.start(who, token))

    assert members_of(database_url, pid) == before + 1
    # The others get the answer to a link already used, as a ninth person does afterwards.
    used = text_of(client.start(Actor("tg:999", "fr"), token))
    refused = [r for r in replies if text_of(r) == used]
    assert len(refused) == 7
    engine.dispose()


def test_five_people_starting_the_same_check_in_at_once_open_one_round(database_url):
    pid = evaluated_partnership(database_url, ours=MEMBERS, theirs=CONTACTS)
    engine = make_engine(database_url)
    client = Client(Services(engine, clock=lambda: NOW))
    button = client.button(pid, "round", "pulse")
    people = [Actor(f"tg:{chat}", "fr") for chat in MEMBERS + CONTACTS]

    replies = at_once(database_url, people, lambda c, who: c.partnership_button(who, button, 1))

    (round_,) = rounds_of(database_url, pid)
    invited = sorted(invite.user_id for invite in invites_of(database_url, round_.id))
    assert len(invited) == len(set(invited)) == len(people)
    # The four others are told the button is out of date, as a late press is.
    stale = client.partnership_button(OWNER, button, 1).notice
    assert stale and sorted(r.notice == stale for r in replies) == [False] + [True] * 4
    engine.dispose()


def test_four_people_pressing_the_same_previous_step_at_once_move_it_once(database_url):
    pid = evaluated_partnership(database_url, ours=MEMBERS, theirs=CONTACTS)
    engine = make_engine(database_url)
    client = Client(Services(engine, clock=lambda: NOW))
    button = client.button(pid, "back")
    people = [Actor(f"tg:{chat}", "fr") for chat in MEMBERS + CONTACTS[:1]]

    replies = at_once(database_url, people, lambda c, who: c.partnership_button(who, button, 1))

    stage, moves = stage_of(database_url, pid)
    assert moves == [("back", stage)] and stage != "implementation"
    stale = client.partnership_button(OWNER, button, 1).notice
    assert stale and sorted(r.notice == stale for r in replies) == [False] + [True] * 3
    engine.dispose()


def test_one_coordinator_link_used_by_six_people_at_once_makes_one_coordinator(database_url):
    pid = evaluated_partnership(database_url, ours=MEMBERS, theirs=CONTACTS)
    engine = make_engine(database_url)
    token = new_token()
    with session_scope(engine) as db:
        rebond = Organisation(name="Association Rebond")
        db.add(rebond)
        db.flush()
        db.get(Partnership, pid).our_organisation_id = rebond.id
        owner = db.exec(select(User).where(User.external_id == OWNER.external_id)).one()
        repository.create_invitation(
            db,
            partnership_id=pid,
            organisation_id=rebond.id,
            role="coordinator",
            token_hash=token_hash(token),
            created_by=owner.id,
            created_at=NOW,
            expires_at=NOW + LIFETIME,
        )
    client = Client(Services(engine, clock=lambda: NOW))
    newcomers = [Actor(f"tg:{950 + n}", "fr") for n in range(6)]

    replies = at_once(database_url, newcomers, lambda c, who: c.start(who, token))

    with session_scope(engine) as db:
        coordinators = list(db.exec(select(Coordinator)))
    assert [c.organisation_id for c in coordinators] == [rebond.id]
    used = text_of(client.start(Actor("tg:999", "fr"), token))
    assert len([r for r in replies if text_of(r) == used]) == 5
    engine.dispose()
