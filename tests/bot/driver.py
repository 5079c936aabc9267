"""Drives the bot through the fake Bot API as a user would: press buttons, type, wait."""

from __future__ import annotations

from tests.fake_bot_api import FakeBotApi

SENDS = ("sendMessage",)
EDITS = ("editMessageText",)


def _count(api: FakeBotApi, chat: int, methods: tuple[str, ...]) -> int:
    return sum(1 for call in api.sent(chat_id=chat) if call.method in methods)


async def type_text(
    api: FakeBotApi, chat: int, text: str, *, replies: int = 1, edits: int = 0, **kwargs
) -> None:
    """Sends a text and waits for the bot's next `replies` messages (and `edits` edits, the
    answered question's echo) in that chat."""
    sends, edited = _count(api, chat, SENDS), _count(api, chat, EDITS)
    api.send_text(chat, text, **kwargs)
    await api.wait_for(
        lambda a: (
            _count(a, chat, SENDS) >= sends + replies and _count(a, chat, EDITS) >= edited + edits
        )
    )


async def start_diagnostic(api: FakeBotApi, chat: int, **kwargs) -> None:
    """/diagnostic answers with an introduction, then the question."""
    await type_text(api, chat, "/diagnostic", replies=2, **kwargs)


def button_data(api: FakeBotApi, chat: int, verb: str, question: str, option: str | None = None):
    suffix = f":{question}:{option}" if option else f":{question}"
    for row in api.last_keyboard(chat):
        for _label, data in row:
            if data.startswith(f"v1:{verb}:") and data.endswith(suffix):
                return data
    raise AssertionError(f"no button {verb} {question} {option} in {api.last_keyboard(chat)}")


# What a press changes on screen: the live message, edited into what comes next (the next
# question, the one before, the same one ticked or with its rationale).


async def press(api: FakeBotApi, chat: int, verb: str, question: str, option: str | None = None):
    """Presses a button of the last keyboard and waits for its effect: the pressed message
    edited and, when that edit ends the questionnaire (no keyboard left), the summary sent."""
    data = button_data(api, chat, verb, question, option)
    live, _ = api.live_message(chat)
    before, sends = api.message_state(chat, live), _count(api, chat, SENDS)
    api.press(chat, data, message_id=live)
    await api.wait_for(lambda a: a.message_state(chat, live) != before)
    if not api.with_keyboard(chat):
        await api.wait_for(lambda a: _count(a, chat, SENDS) > sends)


async def follow_plan(api: FakeBotApi, chat: int, plan: list[tuple]) -> None:
    """Each step is ("a", question, option), ("m", question, [options]),
    ("s", question) to skip, or ("x", text) to type."""
    for step in plan:
        kind = step[0]
        if kind == "a":
            await press(api, chat, "a", step[1], step[2])
        elif kind == "m":
            for option in step[2]:
                await press(api, chat, "t", step[1], option)
            await press(api, chat, "v", step[1])
        elif kind == "s":
            await press(api, chat, "s", step[1])
        else:
            await type_text(api, chat, step[1], edits=1)


def last_text(api: FakeBotApi, chat: int) -> str:
    """The text of the bot's latest message in the chat, as it reads now (after edits): what
    the user sees at the bottom of the chat."""
    return api.chat_messages(chat)[-1]


COMPANY_PLAN = [
    ("a", "profile", "company"),
    ("a", "territory", "region"),
    ("m", "objectives_company", ["performance", "innovation"]),
    ("a", "exchange", "joint_offer"),
    ("m", "fragility_families", ["economic"]),
    ("m", "fragility_economic", ["employment"]),
    ("m", "shared_stakes", ["pooled_means"]),
    ("x", "Monter une offre d'insertion avec une association"),
    ("s", "contribution"),
    ("a", "articulation", "planned"),
    ("a", "needs_outside", "yes"),
    ("a", "bandwidth", "yes"),
    ("a", "admin_burden", "yes"),
    ("m", "resources", ["offer", "staff_time"]),
    ("x", "20"),
    ("a", "partner_knowledge", "4"),
    # A start to come, whatever the day the tests run (a past start is refused).
    ("x", "15/01/2040"),
]

ASSOCIATION_PLAN = [
    ("a", "profile", "association"),
    ("a", "territory", "neighbourhood"),
    ("m", "objectives_general", ["funding", "skills"]),
    ("a", "exchange", "gift"),
    ("m", "fragility_families", ["social"]),
    ("m", "fragility_social", ["isolation"]),
    ("m", "shared_stakes", ["viewpoint"]),
    ("x", "Financer nos visites à domicile <b>urgentes</b>"),
    ("x", "Nos bénévoles"),
    ("a", "articulation", "not_yet"),
    ("a", "needs_outside", "yes"),
    ("a", "bandwidth", "partly"),
    ("a", "admin_burden", "partly"),
    ("m", "resources", ["field"]),
    ("x", "2"),
    ("a", "partner_knowledge", "1"),
    ("s", "start_date"),
]
