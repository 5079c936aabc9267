"""Delivery through the fake Bot API failing on purpose: the user always ends with the next
question or document on screen, once."""

from __future__ import annotations

import io

import docx

from bot.callback_data import partnership_button
from tests.bot.conftest import running_bot
from tests.bot.driver import COMPANY_PLAN, button_data, follow_plan, last_text, start_diagnostic
from tests.bot.process import kill, start_bot, stop
from tests.bot.telegram.factories import documents_of, partnership_ready_for_drafts
from tests.fake_bot_api import FakeBotApi


def copies(api: FakeBotApi, chat: int, words: str) -> list:
    """The messages Telegram accepted in the chat that contain `words`."""
    return [c for c in api.calls_of("sendMessage", chat) if words in (c.text or "")]


def shows(api: FakeBotApi, chat: int, words: str) -> list:
    """The calls Telegram accepted that put `words` on the chat's screen (new or edited)."""
    return copies(api, chat, words) + [
        c for c in api.calls_of("editMessageText", chat) if words in (c.text or "")
    ]


async def answer_first_question(api: FakeBotApi, chat: int) -> None:
    """Presses "Entreprise" and waits until question 2 is on screen."""
    api.press(chat, button_data(api, chat, "a", "profile", "company"))
    await api.wait_for(lambda a: "Question 2/" in last_text(a, chat))


def last_toast(api: FakeBotApi) -> str:
    toasts = api.calls_of("answerCallbackQuery", ok=None)
    return (toasts[-1].params.get("text") or "") if toasts else ""


async def test_a_failed_toast_does_not_stop_the_next_question(api, bot):
    chat = 7001
    await start_diagnostic(api, chat)
    live, _ = api.live_message(chat)
    stale = button_data(api, chat, "a", "profile", "company")
    await answer_first_question(api, chat)
    # A press of a button no longer active is told so in a toast, which fails here...
    api.fail_next("answerCallbackQuery", 500)
    api.press(chat, stale, message_id=live)
    await api.wait_for(lambda a: a.calls_of("answerCallbackQuery", ok=False))
    # ...and the live message answers the next press all the same.
    await follow_plan(api, chat, COMPANY_PLAN[1:2])
    assert "Question 3/" in last_text(api, chat) and api.live_message(chat)[0] == live
    assert bot == []


async def test_a_failed_edit_into_the_next_question_is_tried_again(api, bot):
    chat = 7002
    await start_diagnostic(api, chat)
    api.fail_next("editMessageText", 500, chat_id=chat)
    await answer_first_question(api, chat)
    # The live message became question 2 once the retry went through; nothing was sent.
    assert len(shows(api, chat, "Question 2/")) == 1 and not copies(api, chat, "Question 2/")
    assert bot == []


async def test_three_failed_edits_in_a_row_then_the_question_arrives_once(api, bot):
    chat = 7003
    await start_diagnostic(api, chat)
    api.fail_next("editMessageText", 500, chat_id=chat, times=3)
    api.press(chat, button_data(api, chat, "a", "profile", "company"))
    # No new message from the user: the bot keeps trying until Telegram takes it (a
    # best-effort edit would have been given up after three).
    await api.wait_for(lambda a: "Question 2/" in last_text(a, chat), timeout=20)
    assert len(api.calls_of("editMessageText", chat, ok=False)) == 3
    assert len(shows(api, chat, "Question 2/")) == 1
    # The user goes on from there as if nothing happened.
    await follow_plan(api, chat, COMPANY_PLAN[1:2])
    assert "Question 3/" in last_text(api, chat)


async def test_the_question_comes_as_a_new_message_when_the_live_one_is_gone(api, bot):
    chat = 7009
    await start_diagnostic(api, chat)
    live, _ = api.live_message(chat)
    # The user deleted the message in the meantime: Telegram refuses to edit it.
    api.expect_refusals("editMessageText")
    api.fail_next("editMessageText", 400, "Bad Request: message to edit not found", chat_id=chat)
    await answer_first_question(api, chat)
    new, text = api.live_message(chat)
    assert new != live and "Question 2/" in text and len(copies(api, chat, "Question 2/")) == 1
    # The new message is the live one: it answers, in place.
    await follow_plan(api, chat, COMPANY_PLAN[1:2])
    assert api.live_message(chat)[0] == new and "Question 3/" in last_text(api, chat)
    assert bot == []


async def test_an_edit_answered_after_the_time_out_leaves_one_live_question(api, sqlite_url):
    chat = 7004
    # A time-out no call of a busy machine reaches, but one answer that never comes in time.
    async with running_bot(api, sqlite_url, alliance_api_timeout=5) as running:
        await start_diagnostic(api, chat)
        live, _ = api.live_message(chat)
        # Telegram makes the edit into question 2 but answers too late: the bot cannot know
        # it did, tries again and hears "not modified", which it takes as done.
        api.expect_refusals("editMessageText")
        api.answer_late("editMessageText", 3600, chat_id=chat)
        api.press(chat, button_data(api, chat, "a", "profile", "company"))
        await api.wait_for(lambda a: len(a.calls_of("editMessageText", chat, ok=None)) >= 2)
        await api.wait_for(lambda a: "Question 2/" in last_text(a, chat))
        assert not copies(api, chat, "Question 2/")
        region = button_data(api, chat, "a", "territory", "region")
        api.press(chat, region, message_id=live)
        await api.wait_for(lambda a: "Question 3/" in last_text(a, chat))
        assert api.live_message(chat)[0] == live and not copies(api, chat, "Question 3/")
        assert running.errors == []


async def test_a_chat_action_announces_only_a_reply_slower_than_a_second(api, sqlite_url):
    chat = 7010
    pid, revision = partnership_ready_for_drafts(sqlite_url, chat)
    async with running_bot(api, sqlite_url) as running:
        await start_diagnostic(api, chat)
        await follow_plan(api, chat, COMPANY_PLAN[:4])
        # Quick replies: nothing announced, a call the user would never see.
        assert not api.calls_of("sendChatAction", chat)
        # A reply slower than the adapter's patience (lowered to nothing here, as for
        # drafts that take long to build) is announced before it comes.
        running.application.bot_data["telegram"].chat_action_after = 0
        api.press(chat, partnership_button(pid, revision, "generate"), message_id=1)
        await api.wait_for(lambda a: len(a.calls_of("sendDocument", chat)) == 2)
    calls = [c.method for c in api.sent(chat_id=chat)]
    assert calls.index("sendChatAction") < calls.index("sendDocument")


async def test_a_failed_chat_action_does_not_stop_the_documents(api, sqlite_url):
    chat = 7005
    pid, revision = partnership_ready_for_drafts(sqlite_url, chat)
    async with running_bot(api, sqlite_url) as running:
        running.application.bot_data["telegram"].chat_action_after = 0
        api.fail_next("sendChatAction", 500, chat_id=chat, times=5)
        api.press(chat, partnership_button(pid, revision, "generate"), message_id=1)
        await api.wait_for(lambda a: len(a.calls_of("sendDocument", chat)) == 2)
    names = [call.files["document"][0] for call in api.calls_of("sendDocument", chat)]
    assert names[0].startswith("v1-convention") and names[1].startswith("v1-plan")


async def test_a_double_press_on_a_partnership_button_acts_once(api, sqlite_url):
    chat = 7006
    pid, revision = partnership_ready_for_drafts(sqlite_url, chat)
    async with running_bot(api, sqlite_url):
        generate = partnership_button(pid, revision, "generate")
        api.press(chat, generate, message_id=1)
        api.press(chat, generate, message_id=1)
        # The effect first (a quiet moment alone may come while a draft is being built),
        # then quiet: a second effect would come meanwhile.
        await api.wait_for(lambda a: len(a.calls_of("sendDocument", chat)) >= 2)
        await api.idle()
        invite = partnership_button(pid, revision + 1, "role", "partner")
        api.press(chat, invite, message_id=1)
        api.press(chat, invite, message_id=1)
        await api.wait_for(lambda a: any("start=" in t for t in a.chat_messages(chat)))
        await api.idle()
    assert sorted(documents_of(sqlite_url, pid)) == [("action_plan", 1), ("convention", 1)]
    assert len(api.calls_of("sendDocument", chat)) == 2
    assert len([t for t in api.chat_messages(chat) if "start=" in t]) == 1


async def test_a_process_killed_right_after_fetching_updates_handles_them_all(api, sqlite_url):
    chat = 7007
    process = await start_bot(api, sqlite_url)
    try:
        await start_diagnostic(api, chat)
        # Question 2 hangs on its way (the live message's edit): the chat is busy while two
        # more answers are fetched.
        gate = api.hold("editMessageText", chat_id=chat)
        api.press(chat, button_data(api, chat, "a", "profile", "company"))
        await api.wait_for(lambda a: a.held("editMessageText", chat))
        # Typed choices tick their options; "valider" answers, as the button does.
        typed = [api.send_text(chat, words) for words in ("Région", "3, 4", "valider")]
        # All were fetched and confirmed to Telegram: it will not deliver them again.
        last = typed[-1]["update_id"]
        await api.wait_for(lambda a: all(u["update_id"] > last for u in a.updates))
    finally:
        await kill(process)
    gate.release()
    # An edit may have reached Telegram before the kill without being marked sent:
    # repeated, it comes back "not modified", which counts as done.
    api.expect_refusals("editMessageText")
    process = await start_bot(api, sqlite_url)
    try:
        await api.wait_for(lambda a: "Question 4/" in last_text(a, chat))
        for words in ("Question 3/", "Question 4/"):
            assert len(copies(api, chat, words)) == 1, words
        # One live question in the end: the last message, the only one with buttons.
        assert api.with_keyboard(chat) == [api.message_ids(chat)[-1]]
    finally:
        await stop(process)


async def test_a_process_killed_while_sending_documents_sends_them_after_restart(api, sqlite_url):
    chat = 7008
    pid, revision = partnership_ready_for_drafts(sqlite_url, chat)
    process = await start_bot(api, sqlite_url)
    try:
        gate = api.hold("sendDocument", chat_id=chat)
        api.press(chat, partnership_button(pid, revision, "generate"), message_id=1)
        await api.wait_for(lambda a: a.held("sendDocument", chat))
    finally:
        await kill(process)
    gate.release()
    assert api.calls_of("sendDocument", chat) == []
    process = await start_bot(api, sqlite_url)
    try:
        await api.wait_for(lambda a: len(a.calls_of("sendDocument", chat)) == 2)
    finally:
        await stop(process)
    # Built once, sent once each, and real Word files.
    assert sorted(documents_of(sqlite_url, pid)) == [("action_plan", 1), ("convention", 1)]
    for call in api.calls_of("sendDocument", chat):
        docx.Document(io.BytesIO(call.files["document"][1]))


async def test_an_earlier_update_that_cannot_be_handled_does_not_hold_its_chat_back(
    api, bot, sqlite_url
):
    from storage import delivery
    from storage.db import make_engine, session_scope
    from storage.models import utcnow

    chat = 7010
    # Kept by another instance, never handled, and unreadable: a broken payload.
    broken = delivery.Input("tg:0", {"update_id": 0, "message": "?"}, chat_id=chat, seq=0)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        delivery.store_inbound(db, items=[broken], at=utcnow())
    api.send_text(chat, "/start")
    await api.wait_for(lambda a: a.calls_of("sendMessage", chat))
    api.send_text(chat, "/aide")
    await api.wait_for(lambda a: len(a.calls_of("sendMessage", chat)) == 2)
    welcome, help_ = (c.text for c in api.calls_of("sendMessage", chat))
    assert "Bonjour" in welcome and "/diagnostic" in help_
    with session_scope(engine) as db:
        assert delivery.take_turn(db, chat_id=chat, seq=10**9) == []
    engine.dispose()
