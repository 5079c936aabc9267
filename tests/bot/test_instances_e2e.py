"""Two real `alliance run` instances behind one webhook URL, sharing one PostgreSQL database:
a chat's updates reaching both at the same moment are handled once each and in order, and
what an instance that died had still to send goes out from the other one, once."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import AnswerRecord, FlowSession, Inbound, User
from tests.bot.driver import last_text
from tests.bot.process import kill, stop
from tests.bot.test_webhook_e2e import post, start_webhook

# A diagnosis answered by typing: the profile, the territory, two objectives ticked, then
# "valider". Applied out of order, these answers land on the wrong questions or are refused.
TYPED = ["Entreprise", "Région", "3, 4", "valider", "1", "valider"]
# What the user sees once the last of them is handled.
REACHED = "Question 5/"


@pytest.fixture
async def two_instances(api, clean_postgres_url):
    started = []
    for _ in range(2):
        url, process = await start_webhook(
            api, clean_postgres_url, output=asyncio.subprocess.DEVNULL
        )
        started.append((url, process))
    yield [url for url, _ in started], [process for _, process in started]
    for _, process in started:
        if process.returncode is None:
            await stop(process)


def answers_of(database_url: str, chat: int) -> list[tuple[str, object]]:
    """The answers saved for the chat's diagnosis, in the order they were saved."""
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        user = db.exec(select(User).where(User.external_id == f"tg:{chat}")).one()
        sessions = select(FlowSession.id).where(FlowSession.user_id == user.id)
        records = db.exec(
            select(AnswerRecord)
            .where(AnswerRecord.session_id.in_(sessions))
            .order_by(AnswerRecord.id)
        )
        found = [(r.question_id, r.value) for r in records]
    engine.dispose()
    return found


def shows(api, chat: int, words: str) -> bool:
    """The latest message of the chat holds `words`."""
    return bool(api.chat_messages(chat)) and words in last_text(api, chat)


def unhandled(database_url: str) -> int:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        count = len(list(db.exec(select(Inbound).where(Inbound.handled_at.is_(None)))))
    engine.dispose()
    return count


async def reference_answers(api, url: str, database_url: str) -> list:
    """The answers saved when TYPED goes, one at a time, to one instance."""
    chat = 8100
    assert await post(url, api.send_text(chat, "/diagnostic")) == 200
    await api.wait_for(lambda a: shows(a, chat, "Question 1/"))
    for words in TYPED:
        before = len(api.sent(chat_id=chat))
        assert await post(url, api.send_text(chat, words)) == 200
        await api.wait_for(lambda a, n=before: len(a.sent(chat_id=chat)) > n)
    await api.wait_for(lambda a: shows(a, chat, REACHED))
    return answers_of(database_url, chat)


async def test_two_instances_handle_a_chats_updates_once_each_and_in_order(
    api, two_instances, clean_postgres_url
):
    (first, second), _ = two_instances
    expected = await reference_answers(api, first, clean_postgres_url)
    chat = 8101
    assert await post(first, api.send_text(chat, "/diagnostic")) == 200
    await api.wait_for(lambda a: shows(a, chat, "Question 1/"))
    # Telegram answers late: the first instance waits to hear question 2 was sent while it
    # holds the next answer; the other instance receives the ones after it meanwhile.
    api.answer_late("sendMessage", 8, chat_id=chat)
    assert await post(first, api.send_text(chat, TYPED[0])) == 200
    await api.wait_for(lambda a: shows(a, chat, "Question 2/"))
    assert await post(first, api.send_text(chat, TYPED[1])) == 200
    for words in TYPED[2:]:
        assert await post(second, api.send_text(chat, words)) == 200
    # The second instance applied the waiting answer first, then its own, in order, while
    # the first was still waiting for Telegram.
    await api.wait_for(lambda _: len(answers_of(clean_postgres_url, chat)) == len(expected))
    await api.wait_for(lambda a: shows(a, chat, REACHED), timeout=30)
    assert answers_of(clean_postgres_url, chat) == expected
    # No question twice (one answered before it went out is skipped: the next replaces it).
    asked = [c.text for c in api.calls_of("sendMessage", chat) if "Question" in (c.text or "")]
    assert len(asked) == len(set(asked)) and REACHED in asked[-1], asked
    assert unhandled(clean_postgres_url) == 0


async def test_the_same_update_posted_to_both_instances_at_once_is_handled_once(api, two_instances):
    urls, _ = two_instances
    for chat in range(8201, 8211):
        update = api.send_text(chat, "/start")
        assert await asyncio.gather(post(urls[0], update), post(urls[1], update)) == [200, 200]
    # Then the help, through the instance that did not welcome them, maybe.
    for chat in range(8201, 8211):
        await api.wait_for(lambda a, c=chat: a.calls_of("sendMessage", c))
        assert await post(urls[1], api.send_text(chat, "/aide")) == 200
    for chat in range(8201, 8211):
        await api.wait_for(lambda a, c=chat: len(a.calls_of("sendMessage", c)) >= 2)
        welcome, help_ = api.calls_of("sendMessage", chat)
        assert "Bonjour" in welcome.text and "Bonjour" not in help_.text


async def test_an_instance_killed_with_messages_to_send_has_them_sent_by_the_other(
    api, two_instances
):
    urls, processes = two_instances
    held, failing = 8301, 8302
    # On the way out when the instance dies: one reply stuck in flight, one failing for now.
    gate = api.hold("sendMessage", chat_id=held)
    api.fail_next("sendMessage", 502, times=3, chat_id=failing)
    assert await post(urls[0], api.send_text(held, "/start")) == 200
    assert await post(urls[0], api.send_text(failing, "/start")) == 200
    await api.wait_for(lambda a: a.held("sendMessage", held))
    await api.wait_for(lambda a: len(a.calls_of("sendMessage", failing, ok=False)) >= 1)
    await kill(processes[0])
    gate.release()
    assert api.calls_of("sendMessage", held) == []
    # The other instance sends both, once each (its sweep finds them; the dead one's claim
    # is freed), with no update posted to it.
    for chat in (held, failing):
        await api.wait_for(lambda a, c=chat: a.calls_of("sendMessage", c), timeout=30)
    await stop(processes[1])
    for chat in (held, failing):
        (welcome,) = api.calls_of("sendMessage", chat)
        assert "Bonjour" in welcome.text
