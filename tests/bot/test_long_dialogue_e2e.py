"""The Dialogue screen of a partnership with long meeting notes reaches the user, through the
real application and a fake Bot API that refuses what Telegram refuses (issue 17: its edit
of 6,167 UTF-16 units was refused and dropped, leaving the user with nothing)."""

from __future__ import annotations

from tests.bot.test_partnerships_e2e import create_partnership
from tests.journeys.steps import (
    QUESTION_HEADER,
    WAIT,
    Person,
    answer_questions,
    button,
    count,
    keyboard,
    last,
    open_card,
)

OWNER = 6101
NAME = "Alliance Emploi"
SCREENS = ("sendMessage", "editMessageText")


def note(number: int) -> str:
    """A meeting note of about 2,000 characters, each starting its own way."""
    opening = f"Réunion numéro {number} : décisions prises avec l’association. "
    return (opening + "Point ouvert sur le calendrier des ateliers et leur budget. " * 40)[:1990]


def has_button(data_part: str):
    """Whether the chat's last keyboard has a button whose data holds `data_part`."""
    return lambda a: any(data_part in (d or "") for row in a.last_keyboard(OWNER) for _l, d in row)


def refusals(api) -> list[str]:
    """What Telegram refused in the chat."""
    return [f"{c.method}: {c.error_code}" for c in api.sent(OWNER) if not c.ok]


async def tap(api, person: Person, data: str, until) -> None:
    """Presses a button; waits until `until(api)` holds, or Telegram refused something
    (which fails the test at once, never by a time-out)."""
    person.tap(api, data)

    def done(a) -> bool:
        return bool(refusals(a)) or bool(until(a))

    await api.wait_for(done, timeout=WAIT)
    assert refusals(api) == []


async def add_note(api, person: Person, text: str) -> None:
    """The card's Dialogue, then its "Add a meeting note", and the note typed."""
    await open_card(api, person, NAME)
    await tap(api, person, button(api, person, data_end=":dialogue"), until=has_button(":note"))
    before = count(api, person)
    person.tap(api, button(api, person, data_end=":note"))
    await api.wait_for(
        lambda a: count(a, person) > before and QUESTION_HEADER.match(last(a, person)),
        timeout=WAIT,
    )
    dialogues = len(dialogues_sent(api))
    await answer_questions(api, person, "note", {"text": text})
    # The dialogue comes back, whole: its buttons are on its last message.
    await api.wait_for(lambda a: len(dialogues_sent(a)) > dialogues, timeout=WAIT)
    assert refusals(api) == []


def dialogues_sent(api) -> list:
    """The dialogue screens sent as new messages (after a note): their last message."""
    return [c for c in api.calls_of("sendMessage", OWNER) if ":note" in str(c.params)]


async def test_dialogue_with_three_long_notes_is_delivered_with_its_checklist(api, bot):
    person = Person(OWNER, "Test")
    await create_partnership(api, OWNER)
    for number in (1, 2, 3):
        await add_note(api, person, note(number))

    await open_card(api, person, NAME)
    card = len(api.chat_messages(OWNER)) - 1
    await tap(api, person, button(api, person, data_end=":dialogue"), until=has_button(":tick:"))

    # The checklist is on screen (in place of the card, or after it), with its buttons.
    screen = "\n".join(api.chat_messages(OWNER)[card:])
    assert f"Dialogue — {NAME}" in screen
    for number in (1, 2, 3):
        assert f"Réunion numéro {number} :" in screen
    ticks = [data for _label, data in keyboard(api, person) if ":tick:" in data]
    assert len(ticks) == 9

    # The user ticks a point: the checklist shows it ticked.
    await tap(api, person, ticks[0], until=lambda a: a.last_keyboard(OWNER)[0][0][0][0] == "☑")
    assert bot == []


async def test_the_dialogue_screen_shows_the_latest_notes_cut_short(api, bot):
    person = Person(OWNER, "Test")
    await create_partnership(api, OWNER)
    for number in (1, 2, 3, 4):
        await add_note(api, person, note(number))

    await open_card(api, person, NAME)
    await tap(api, person, button(api, person, data_end=":dialogue"), until=has_button(":tick:"))
    # One message, edited in place of the card: the three latest notes, each cut short.
    assert api.calls_of("editMessageText", OWNER)[-1].text == api.chat_messages(OWNER)[-1]
    screen = api.chat_messages(OWNER)[-1]
    assert "Les 3 dernières notes sur 4 :" in screen
    assert [n for n in (1, 2, 3, 4) if f"Réunion numéro {n} :" in screen] == [2, 3, 4]
    assert screen.count("…") == 3
    assert bot == []
