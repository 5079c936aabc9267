"""Self-test of the fake Bot API against a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from typing import Any

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    TypeHandler,
)

from tests.fake_bot_api import ABANDONED, FakeBotApi
from tests.fake_bot_api import TOKEN as FAKE_TOKEN

TOKEN = FAKE_TOKEN
USER = 4242
OTHER = 4343
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
        .token(TOKEN)
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
    """A started fake Bot API server; the test users have started the bot."""
    async with FakeBotApi() as server:
        _started(server)
        yield server


def _started(api: FakeBotApi) -> FakeBotApi:
    """USER and OTHER pressed Start before the test: the bot may write to them."""
    api.open_chat(USER)
    api.open_chat(OTHER)
    return api


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


# --------------------------------------------------------------------- raw requests


def url(api: FakeBotApi, method: str) -> str:
    """The address of a Bot API method on the fake."""
    return f"{api.base_url}{TOKEN}/{method}"


async def post(api: FakeBotApi, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """One raw form request (bytes values are uploaded as files); (HTTP status, answer)."""
    form = aiohttp.FormData()
    for key, value in params.items():
        if isinstance(value, bytes):
            form.add_field(key, value, filename=f"{key}.pdf")
        else:
            form.add_field(key, str(value))
    async with aiohttp.ClientSession() as session, session.post(url(api, method), data=form) as r:
        return r.status, await r.json()


def html_app(api: FakeBotApi) -> Application:
    """An Application sending HTML by default, as the Alliance bot does."""
    defaults = Defaults(parse_mode=ParseMode.HTML)
    return ApplicationBuilder().token(TOKEN).base_url(api.base_url).defaults(defaults).build()


def refused(description: str) -> tuple[int, dict[str, Any]]:
    """The (status, answer) of a 400 Bad Request."""
    return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


# --------------------------------------------------------------------- delay


async def test_delay_answers_after_the_call_took_effect() -> None:
    """With a delay the message exists once the call arrives; its answer comes delay later."""
    async with FakeBotApi() as api, build_app(_started(api)) as app:
        # Long enough that a busy machine still sees the message before the answer.
        api.delay = 2.0
        sending = asyncio.create_task(app.bot.send_message(USER, "hello"))
        await api.wait_for(lambda a: a.messages(USER))
        assert not sending.done(), "recorded before answered"
        await sending
        answered = time.monotonic()
    [call] = api.calls_of("sendMessage", USER)
    assert answered - call.time >= 2.0


async def test_idle_waits_for_delayed_answers(api: FakeBotApi) -> None:
    """A call still waiting for its delayed answer keeps the fake busy; delay is settable."""
    api.delay = 0.3
    async with build_app(api) as app:
        sending = asyncio.create_task(app.bot.send_message(USER, "hello"))
        await api.wait_for(lambda a: a.messages(USER))
        await api.idle()
        assert sending.done()


async def test_polling_bot_works_through_delays() -> None:
    """Updates fetched by getUpdates reach the bot a delay later; the dialogue still works."""
    async with FakeBotApi(delay=0.05) as api, running(api):
        api.send_text(USER, "/start")
        [reply] = await api.wait_for_reply(USER)
        api.press(USER, "no")
        [edit] = await api.wait_for_reply(USER)
        await api.idle()
    [delivery, *_] = [call for call in api.calls_of("getUpdates") if call.result]
    assert reply.time - delivery.time >= 0.05
    assert api.messages(USER) == ["Bonjour !", "Choix : no"]


# --------------------------------------------------------------------- holds


async def test_held_call_waits_unexecuted_until_released(api: FakeBotApi) -> None:
    """A held call is neither executed nor answered; released, it runs; later calls pass."""
    async with build_app(api) as app:
        gate = api.hold("sendDocument")
        sending = asyncio.create_task(app.bot.send_document(USER, b"one", filename="a.pdf"))
        await api.wait_for(lambda a: a.held("sendDocument", USER))
        assert api.calls_of("sendDocument", ok=None) == [] and not sending.done()
        with pytest.raises(AssertionError, match="calls held or unanswered"):
            await api.idle(timeout=0.3)
        gate.release()
        assert (await sending).document.file_name == "a.pdf"
        await app.bot.send_document(USER, b"two", filename="b.pdf")
    names = [call.files["document"][0] for call in api.calls_of("sendDocument", USER)]
    assert names == ["a.pdf", "b.pdf"]
    assert api.held("sendDocument") == 0


async def test_hold_for_one_chat_lets_others_through(api: FakeBotApi) -> None:
    """A gate for one chat holds only that chat's calls; release_all lets them go on."""
    async with build_app(api) as app:
        api.hold("sendMessage", chat_id=OTHER)
        waiting = asyncio.create_task(app.bot.send_message(OTHER, "wait"))
        await api.wait_for(lambda a: a.held("sendMessage"))
        await app.bot.send_message(USER, "go")
        assert api.messages(USER) == ["go"] and api.messages(OTHER) == []
        api.release_all()
        await waiting
    assert api.messages(OTHER) == ["wait"]


# A client posting one message, to be killed while the fake holds its call.
CLIENT = """
import json, sys, urllib.request
body = json.dumps({"chat_id": int(sys.argv[2]), "text": "lost"}).encode()
headers = {"Content-Type": "application/json"}
urllib.request.urlopen(urllib.request.Request(sys.argv[1], body, headers))
"""


async def test_held_call_of_a_killed_client_is_dropped(api: FakeBotApi) -> None:
    """Released after its sender was killed, a held call is recorded ABANDONED, never sent."""
    gate = api.hold("sendMessage", USER)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLIENT, url(api, "sendMessage"), str(USER)
    )
    try:
        await api.wait_for(lambda a: a.held("sendMessage", USER))
        assert api.held("sendMessage", USER, client_gone=False) == 1
    finally:
        process.kill()
        await process.wait()
    await api.wait_for(lambda a: a.held("sendMessage", USER, client_gone=True))
    gate.release()
    [dropped] = await api.wait_for(lambda a: a.calls_of("sendMessage", USER, ok=False))
    assert dropped.error_code == ABANDONED
    assert api.messages(USER) == [] and api.calls_of("sendMessage") == []


async def test_stop_drops_held_calls() -> None:
    """Stopping the fake does not wait for held calls: they are dropped unexecuted."""
    api = _started(FakeBotApi())
    await api.start()
    api.hold("sendMessage")
    sending = asyncio.create_task(post(api, "sendMessage", chat_id=USER, text="never"))
    await api.wait_for(lambda a: a.held("sendMessage"))
    await api.stop()
    with contextlib.suppress(aiohttp.ClientError):
        await sending
    assert [call.error_code for call in api.calls_of("sendMessage", ok=None)] == [ABANDONED]
    assert api.messages(USER) == []


# --------------------------------------------------------------------- late answers and errors


async def test_late_answer_makes_a_retry_send_twice(api: FakeBotApi) -> None:
    """A call answered after the client's time-out took effect anyway: a retry duplicates it."""
    async with build_app(api) as app:
        # Only the late call has a short time-out, and its answer comes long after it: no
        # busy machine can make it answer in time, nor time out the others (5 s by default).
        api.answer_late("sendMessage", 3600, chat_id=USER)
        await app.bot.send_message(OTHER, "not late")
        with pytest.raises(TimedOut):
            await app.bot.send_message(USER, "once?", read_timeout=2)
        await app.bot.send_message(USER, "once?")
    assert api.messages(USER) == ["once?", "once?"]
    assert all(call.ok for call in api.calls_of("sendMessage", ok=None))


@pytest.mark.parametrize(
    ("code", "error", "description"),
    [
        (500, NetworkError, "Internal Server Error"),
        (502, NetworkError, "Bad Gateway"),
        (403, Forbidden, "blocked by the user"),
    ],
)
async def test_injected_error_for_one_chat(
    api: FakeBotApi, code: int, error: type[Exception], description: str
) -> None:
    """fail_next(chat_id=...) fails only the next call to that chat, unexecuted."""
    async with build_app(api) as app:
        api.fail_next("sendMessage", code, chat_id=OTHER)
        await app.bot.send_message(USER, "other chat")
        with pytest.raises(error, match=description):
            await app.bot.send_message(OTHER, "fails")
        await app.bot.send_message(OTHER, "then passes")
    assert api.messages(OTHER) == ["then passes"]
    assert [c.error_code for c in api.calls_of("sendMessage", OTHER, ok=None)] == [code, None]


# --------------------------------------------------------------------- Telegram's HTML rules

ACCEPTED_HTML = (
    "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
    '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
    '<a href="https://example.org/?a=1&amp;b=2">l</a><code>c</code>'
    '<pre><code class="language-python">x</code></pre><blockquote expandable>q</blockquote>'
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><B>upper</B><b>short</>'
    # Telegram keeps a bare "&", an unknown entity and ">" as they are (tdlib's parse_html).
    " &lt;&gt;&amp;&quot;&#233;&#x1F600; R&D 3 > 2 &nbsp;"
)
REFUSED_HTML = [
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ("é <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 3'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<i", "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ('<a href="x>', "Unclosed start tag at byte offset 0"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<tg-emoji emoji-id="0">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
]


async def test_html_that_telegram_accepts(api: FakeBotApi) -> None:
    """Every tag Telegram knows, entities, and the bare "&" and ">" it tolerates pass."""
    status, answer = await post(
        api, "sendMessage", chat_id=USER, text=ACCEPTED_HTML, parse_mode="HTML"
    )
    assert status == 200 and answer["ok"]
    plain = "<foo> & < unparsed"
    assert (await post(api, "sendMessage", chat_id=USER, text=plain))[0] == 200
    assert api.messages(USER) == [ACCEPTED_HTML, plain]


@pytest.mark.parametrize(("text", "reason"), REFUSED_HTML)
async def test_html_that_telegram_refuses(api: FakeBotApi, text: str, reason: str) -> None:
    """Bad HTML gets Telegram's own description and sends nothing."""
    answer = await post(api, "sendMessage", chat_id=USER, text=text, parse_mode="HTML")
    assert answer == refused(f"can't parse entities: {reason}")
    assert api.messages(USER) == []


async def test_length_counts_visible_utf16_units(api: FakeBotApi) -> None:
    """Tags and entities do not count, an emoji counts twice; 4096 units fit, 4097 do not."""
    fits = "<b>" + "a" * 4094 + "</b>&#x1F600;"
    assert (await post(api, "sendMessage", chat_id=USER, text=fits, parse_mode="HTML"))[0] == 200
    assert (await post(api, "sendMessage", chat_id=USER, text="a" * 4096))[0] == 200
    for text, parse_mode in [(fits.replace("<b>", "<b>a"), "HTML"), ("a" * 4095 + "😀", "")]:
        answer = await post(api, "sendMessage", chat_id=USER, text=text, parse_mode=parse_mode)
        assert answer == refused("message is too long")
    assert len(api.messages(USER)) == 2


async def test_empty_visible_text_is_refused(api: FakeBotApi) -> None:
    """Text made only of tags or of blanks is empty for Telegram."""
    for text, parse_mode in [("<b></b>", "HTML"), (" \n ", "")]:
        answer = await post(api, "sendMessage", chat_id=USER, text=text, parse_mode=parse_mode)
        assert answer == refused("message text is empty")


async def test_caption_rules(api: FakeBotApi) -> None:
    """Captions are parsed too, may be empty, and stop at 1024 visible units."""
    for caption in ["<b></b>", "<i>" + "c" * 1024 + "</i>"]:
        status, _ = await post(
            api, "sendDocument", chat_id=USER, document=b"%PDF", caption=caption, parse_mode="HTML"
        )
        assert status == 200
    too_long = await post(api, "sendDocument", chat_id=USER, document=b"%PDF", caption="c" * 1025)
    assert too_long == refused("message caption is too long")
    bad = await post(
        api, "sendDocument", chat_id=USER, document=b"%PDF", caption="<b>x", parse_mode="HTML"
    )
    assert bad == refused(
        "can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    assert len(api.calls_of("sendDocument", USER)) == 2


async def test_default_html_parse_mode_reaches_the_fake(api: FakeBotApi) -> None:
    """With PTB's Defaults(parse_mode=HTML), bad markup in an edit is refused, text kept."""
    async with html_app(api) as app:
        message = await app.bot.send_message(USER, "<b>bien</b>")
        with pytest.raises(BadRequest, match="parse entities"):
            await message.edit_text("<b>mal")
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await message.edit_text("x" * 4097)
    assert api.messages(USER) == ["<b>bien</b>"]
    assert [call.params["parse_mode"] for call in api.sent(USER)] == ["HTML"] * 3


async def test_an_edit_that_changes_nothing_is_refused_as_not_modified(api: FakeBotApi) -> None:
    """Telegram refuses an edit to the text and keyboard the message already shows."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("☐ Un point", callback_data="t:1")]])
    async with html_app(api) as app:
        message = await app.bot.send_message(USER, "<b>Dialogue</b>", reply_markup=keyboard)
        with pytest.raises(BadRequest, match="(?i)message is not modified: specified new"):
            await message.edit_text("<b>Dialogue</b>", reply_markup=keyboard)
        # A new keyboard, or a new text, is an edit.
        ticked = InlineKeyboardMarkup([[InlineKeyboardButton("☑ Un point", callback_data="t:1")]])
        await message.edit_text("<b>Dialogue</b>", reply_markup=ticked)
        await message.edit_text("<b>Dialogue</b> 1/9", reply_markup=ticked)
    assert [call.ok for call in api.calls_of("editMessageText", USER, ok=None)] == [
        False,
        True,
        True,
    ]
    assert api.last_keyboard(USER) == [[("☑ Un point", "t:1")]]
