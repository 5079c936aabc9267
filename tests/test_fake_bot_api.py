"""Self-test of the fake Bot API against a real python-telegram-bot Application."""

from __future__ import annotations

import contextlib
import time

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    TypeHandler,
)

from tests.fake_bot_api import FakeBotApi

USER = 4242
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Oui", callback_data="yes")],
        [InlineKeyboardButton("Non", callback_data="no")],
    ]
)


async def start(update: Update, context) -> None:
    """Reply to /start with a keyboard."""
    await update.message.reply_text("Bonjour !", reply_markup=KEYBOARD)


async def on_press(update: Update, context) -> None:
    """Answer the query and edit the pressed message."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_text(f"Choix : {query.data}")


def build_app(api: FakeBotApi) -> Application:
    """A real Application talking to the fake server."""
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_press))
    return app


@contextlib.asynccontextmanager
async def running(api: FakeBotApi):
    """Run the application with long polling for the duration of the block."""
    app = build_app(api)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
async def api():
    """A started fake Bot API server."""
    async with FakeBotApi() as server:
        yield server


async def test_start_keyboard_and_press(api: FakeBotApi) -> None:
    """A /start reply carries the keyboard; pressing a button edits the message."""
    async with running(api):
        update = api.send_text(USER, "/start")
        assert update["message"]["entities"][0] == {"type": "bot_command", "offset": 0, "length": 6}
        [reply] = await api.wait_for_reply(USER)
        assert reply.method == "sendMessage"
        assert reply.params["chat_id"] == USER
        assert reply.params["reply_markup"] == KEYBOARD.to_dict()
        assert api.last_keyboard(USER) == [[("Oui", "yes")], [("Non", "no")]]

        api.press(USER, "yes")
        [edit] = await api.wait_for_reply(USER)
        assert edit.method == "editMessageText"
        assert edit.params["message_id"] == reply.result["message_id"]
        await api.idle()

    assert api.messages(USER) == ["Bonjour !", "Choix : yes"]
    assert api.last_keyboard(USER) == []
    assert [c.method for c in api.sent(method="answerCallbackQuery")] == ["answerCallbackQuery"]
    assert api.sent(method="getMe") and api.sent(method="deleteWebhook")
    assert not api.updates, "processed updates are confirmed through the offset"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_surfaces(api: FakeBotApi) -> None:
    """An injected 429 becomes RetryAfter; the next call succeeds."""
    async with build_app(api) as app:
        api.fail_next("sendMessage", 429, retry_after=1)
        with pytest.raises(RetryAfter, match="Retry in 1 second"):
            await app.bot.send_message(USER, "hello")
        message = await app.bot.send_message(USER, "hello")
    assert message.text == "hello" and message.chat.id == USER
    assert [c.error_code for c in api.sent(USER)] == [429, None]
    assert api.messages(USER) == ["hello"]


async def test_other_injected_errors(api: FakeBotApi) -> None:
    """403 and 400 map to Forbidden and BadRequest."""
    async with build_app(api) as app:
        api.fail_next("sendmessage", 403)
        with pytest.raises(Forbidden, match="blocked by the user"):
            await app.bot.send_message(USER, "x")
        api.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
        with pytest.raises(BadRequest, match="parse entities"):
            await app.bot.send_message(USER, "x")


async def test_document_upload_and_download(api: FakeBotApi) -> None:
    """sendDocument keeps the uploaded bytes, which getFile then serves."""
    async with build_app(api) as app:
        message = await app.bot.send_document(
            USER, b"%PDF-1.4 data", filename="resume.pdf", caption="Votre résumé"
        )
        assert message.document.file_name == "resume.pdf"
        telegram_file = await message.document.get_file()
        assert bytes(await telegram_file.download_as_bytearray()) == b"%PDF-1.4 data"
    [call] = api.sent(USER, "sendDocument")
    assert call.files["document"] == ("resume.pdf", b"%PDF-1.4 data")
    assert call.params["caption"] == "Votre résumé"


async def test_commands_and_param_decoding(api: FakeBotApi) -> None:
    """Commands are stored per scope; JSON values decode but free text stays text."""
    async with build_app(api) as app:
        await app.bot.set_my_commands([("start", "Commencer")], language_code="fr")
        commands = await app.bot.get_my_commands(language_code="fr")
        assert [(c.command, c.description) for c in commands] == [("start", "Commencer")]
        assert await app.bot.get_my_commands() == ()
        await app.bot.send_message(USER, "42")
        await app.bot.send_message(USER, "[1, 2]")
    assert api.messages(USER) == ["42", "[1, 2]"]
    assert api.sent(method="setMyCommands")[0].params["commands"] == [
        {"command": "start", "description": "Commencer"}
    ]


async def test_builders_and_idle(api: FakeBotApi) -> None:
    """Inline queries, arbitrary updates and unknown presses reach the bot; idle waits."""
    seen: list[Update] = []
    async with running(api) as app:
        app.add_handler(recording_handler(seen), group=2)
        api.inline_query(USER, "alliance")
        api.send_update({"edited_message": {**_message(), "edit_date": 1}})
        api.press(USER, "orphan", message_id=77)
        started = time.monotonic()
        await api.idle()
        assert time.monotonic() - started >= api.quiet
    assert [u.inline_query.query for u in seen if u.inline_query] == ["alliance"]
    assert [u.edited_message.text for u in seen if u.edited_message] == ["edited"]
    assert [u.callback_query.message.message_id for u in seen if u.callback_query] == [77]


async def test_wait_for_timeout_reports_calls(api: FakeBotApi) -> None:
    """wait_for raises AssertionError listing recent calls."""
    with pytest.raises(AssertionError, match="never"):

        def never(_: FakeBotApi) -> bool:
            return False

        await api.wait_for(never, timeout=0.1)


def _message() -> dict:
    """A user message dict for send_update."""
    chat = {"id": USER, "type": "private", "first_name": "Test"}
    user = {"id": USER, "is_bot": False, "first_name": "Test", "language_code": "fr"}
    return {"message_id": 5, "from": user, "chat": chat, "date": int(time.time()), "text": "edited"}


def recording_handler(seen: list[Update]) -> TypeHandler:
    """A handler recording every update."""

    async def record(update: Update, context) -> None:
        seen.append(update)

    return TypeHandler(Update, record)
