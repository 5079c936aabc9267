"""One live message per questionnaire, through the real Application and the fake Bot API: a
button answer turns the message into the next question, the last answers recalled above it;
a typed answer, below it, brings the next question as a new message and takes the old one's
buttons away; the summary is a new message; nothing answers twice; a restart changes
nothing."""

from __future__ import annotations

from bot.views import plain
from tests.bot.conftest import running_bot
from tests.bot.driver import (
    COMPANY_PLAN,
    button_data,
    follow_plan,
    last_text,
    press,
    start_diagnostic,
    type_text,
)

SENDS, EDITS, TOASTS = "sendMessage", "editMessageText", "answerCallbackQuery"


def count(api, chat, method):
    return len(api.calls_of(method, chat))


def seen(api, chat) -> str:
    """The chat's latest message as the user reads it (its HTML rendered)."""
    return plain(last_text(api, chat))


def toasts(api):
    return [c.params.get("text") for c in api.calls_of(TOASTS)]


async def test_a_button_answer_edits_the_live_message_into_the_next_question(api, bot):
    chat = 4101
    await start_diagnostic(api, chat)
    live, _ = api.live_message(chat)
    sends = count(api, chat, SENDS)
    await press(api, chat, "a", "profile", "company")
    # The same message, now the next question, the answer recalled above; no new message,
    # and no toast: the edit shows the press.
    assert api.live_message(chat)[0] == live
    assert plain(api.live_message(chat)[1]).startswith("✓ Entreprise\nQuestion 2/17")
    assert count(api, chat, SENDS) == sends and toasts(api) == []
    assert "Région" in str(api.last_keyboard(chat))
    await press(api, chat, "a", "territory", "region")
    assert api.live_message(chat) == (live, api.chat_messages(chat)[-1])
    assert seen(api, chat).startswith("✓ Entreprise · ✓ Région\nQuestion 3/")
    assert api.with_keyboard(chat) == [live] and bot == []


async def test_toggles_back_and_why_edit_in_place(api, bot):
    chat = 4102
    await start_diagnostic(api, chat)
    await follow_plan(api, chat, COMPANY_PLAN[:2])
    live, _ = api.live_message(chat)
    sends = count(api, chat, SENDS)
    await press(api, chat, "t", "objectives_company", "performance")
    assert "☑ Gagner en performance" in str(api.last_keyboard(chat))
    await press(api, chat, "w", "objectives_company")
    assert "Pourquoi cette question ?" in last_text(api, chat)
    assert "Question 3/" in last_text(api, chat)
    await press(api, chat, "b", "objectives_company")
    assert seen(api, chat).startswith("✓ Entreprise\nQuestion 2/")
    assert "Réponse actuelle : Région" in last_text(api, chat)
    # All in the one message: the chat did not grow.
    assert api.live_message(chat)[0] == live and count(api, chat, SENDS) == sends
    assert bot == []


async def test_a_typed_answer_brings_the_next_question_below_and_closes_the_old(api, bot):
    chat = 4103
    await start_diagnostic(api, chat)
    await follow_plan(api, chat, COMPANY_PLAN[:7])
    live, text = api.live_message(chat)
    assert "Question 8/" in text
    await type_text(api, chat, "Monter une offre d'insertion", edits=1)
    # The question answered keeps its answer and has no buttons left; the next is new.
    new, text = api.live_message(chat)
    assert new != live and api.with_keyboard(chat) == [new]
    assert plain(api.chat_messages(chat)[-2]).endswith("✓ Monter une offre d'insertion")
    assert plain(text).startswith("Question 9/")
    # The next press edits the new live message.
    await press(api, chat, "s", "contribution")
    assert api.live_message(chat)[0] == new and "Question 10/" in last_text(api, chat)
    assert bot == []


async def test_the_summary_is_a_new_message_and_no_keyboard_is_left(api, bot):
    chat = 4104
    await start_diagnostic(api, chat)
    await follow_plan(api, chat, COMPANY_PLAN)
    assert "Votre auto-diagnostic" in last_text(api, chat)
    # The chat holds the introduction, the first question's message and one message per
    # typed answer's next question (the last typed answer's next is the summary): a
    # button answer adds no bubble.
    typed = sum(1 for step in COMPANY_PLAN if step[0] == "x")
    assert len(api.chat_messages(chat)) == 2 + typed
    assert api.with_keyboard(chat) == [] and bot == []


async def test_a_double_press_on_the_live_message_acts_once(api, bot):
    chat = 4105
    await start_diagnostic(api, chat)
    live, _ = api.live_message(chat)
    data = button_data(api, chat, "a", "profile", "association")
    edits = count(api, chat, EDITS)
    api.press(chat, data, message_id=live)
    api.press(chat, data, message_id=live)
    await api.wait_for(lambda a: len(toasts(a)) == 1)
    await api.idle()
    assert count(api, chat, EDITS) == edits + 1
    assert toasts(api) == ["Ce bouton n’est plus actif."]
    assert "Question 2/" in last_text(api, chat) and bot == []


async def test_after_a_restart_the_live_message_still_answers(api, sqlite_url):
    chat = 4106
    async with running_bot(api, sqlite_url) as first:
        await start_diagnostic(api, chat)
        await follow_plan(api, chat, COMPANY_PLAN[:1])
        live, _ = api.live_message(chat)
    assert first.errors == []
    async with running_bot(api, sqlite_url) as second:
        # A copy of the question's button on another message of the chat does not act: the
        # live message is known by its id, kept in the database.
        other = next(i for i in range(1, live + 2) if i != live and i in api.message_ids(chat))
        data = button_data(api, chat, "a", "territory", "region")
        api.press(chat, data, message_id=other)
        await api.wait_for(lambda a: len(toasts(a)) == 1)
        await press(api, chat, "a", "territory", "region")
        assert api.live_message(chat)[0] == live
        assert seen(api, chat).startswith("✓ Entreprise · ✓ Région\nQuestion 3/")
    assert second.errors == []
