"""End to end: bad inputs of every kind, and a bot killed with SIGKILL in the middle."""

from __future__ import annotations

import random

from tests.bot.driver import COMPANY_PLAN, follow_plan, last_text, start_diagnostic, type_text
from tests.bot.process import kill, start_bot, stop
from tests.fake_bot_api import FakeBotApi

ALPHABET = "abcdefghijklmnopqrstuvwxyzéèàç0123456789 <>&/\\\"'{}[]%$€😀\n\t\u202e\u0000"


def _random_text(rng: random.Random) -> str:
    length = rng.choice([1, 5, 40, 300, 4096])
    return "".join(rng.choice(ALPHABET) for _ in range(length))


PRESSES = (4, 5, 6)


def queue_bad_input(api: FakeBotApi, rng: random.Random, user: int, stolen: str) -> int:
    """Queues one bad input of a random kind (text, sticker, edit, group, forged button...)
    and returns its kind."""
    kind = rng.randrange(9)
    sender = {"id": user, "is_bot": False, "first_name": "Fuzz", "language_code": "fr"}
    chat = {"id": user, "type": "private", "first_name": "Fuzz"}
    message = {
        "message_id": rng.randrange(1, 10**6),
        "date": 1_700_000_000,
        "from": sender,
        "chat": chat,
    }
    if kind == 0:
        api.send_text(user, _random_text(rng))
    elif kind == 1:
        api.send_update(
            {
                "message": {
                    **message,
                    "sticker": {
                        "file_id": "s",
                        "file_unique_id": "s",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    },
                }
            }
        )
    elif kind == 2:
        api.send_update(
            {"edited_message": {**message, "edit_date": 1_700_000_001, "text": _random_text(rng)}}
        )
    elif kind == 3:
        group = {"id": -100 - user, "type": "group", "title": "Réunion"}
        api.send_text(
            user,
            rng.choice(["/diagnostic", "/start", "bonjour", "/annuler"]),
            chat_id=group["id"],
            chat_type="group",
        )
    elif kind == 4:
        api.press(user, _random_text(rng)[:64], message_id=rng.randrange(1, 100))
    elif kind == 5:
        forged = f"v1:{rng.choice('atvbskwr')}:{rng.randrange(10**9)}:profile:company"
        api.press(user, forged, message_id=1)
    elif kind == 6:
        api.press(user, stolen, message_id=1)
    elif kind == 7:
        api.send_text(
            user,
            rng.choice(["/diagnostic", "/annuler", "/cancel", "/inconnu", "/start xyz", "/aide"]),
        )
    else:
        api.send_update(
            {
                "message": {
                    **message,
                    "photo": [{"file_id": "p", "file_unique_id": "p", "width": 10, "height": 10}],
                }
            }
        )
    return kind


async def test_300_bad_inputs_raise_nothing_and_start_still_answers(api, bot):
    rng = random.Random(20261122)
    victim, attacker = 2001, 2002
    await start_diagnostic(api, victim)
    stolen = api.last_keyboard(victim)[0][0][1]
    users = [attacker, 2003, 2004]
    kinds = [queue_bad_input(api, rng, rng.choice(users), stolen) for _ in range(300)]
    presses = sum(kind in PRESSES for kind in kinds)
    # Every press, forged or stolen, gets its answer; then the bot falls quiet.
    await api.wait_for(lambda a: len(a.sent(method="answerCallbackQuery")) == presses, timeout=120)
    await api.idle(timeout=60)
    assert len(set(kinds)) == 9
    assert bot == [], f"handlers raised: {bot[:3]}"
    await type_text(api, attacker, "/start")
    assert "Alliance" in last_text(api, attacker)
    # The victim's diagnosis was not touched by the stolen button.
    await start_diagnostic(api, victim)
    assert "Question 1/" in last_text(api, victim)


async def test_sigkill_in_the_middle_then_restart_carries_on(api, sqlite_url):
    chat = 3001
    first = await start_bot(api, sqlite_url)
    try:
        await start_diagnostic(api, chat)
        await follow_plan(api, chat, COMPANY_PLAN[:3])
        assert "Question 4/" in last_text(api, chat)
    finally:
        await kill(first)
    second = await start_bot(api, sqlite_url)
    # What the first process had not marked as sent comes again; the user answers on the
    # latest copy of the question. An edit Telegram had already made comes back as "not
    # modified", which the outbox takes as done: the repeat the kill window allows.
    api.expect_refusals("editMessageText")
    await api.idle()
    try:
        await follow_plan(api, chat, COMPANY_PLAN[3:4])
        assert "Question 5/" in last_text(api, chat)
        await start_diagnostic(api, chat)
        assert "Question 5/" in last_text(api, chat)
    finally:
        await stop(second)
