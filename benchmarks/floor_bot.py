"""The floor of the load benchmark: a bare python-telegram-bot questionnaire with no database.

It is what a plain, well-written python-telegram-bot bot achieves with the same settings as
Alliance (base URL, HTML parse mode, `AIORateLimiter`, long polling) but with concurrent
updates on and nothing to load or save. Per input it makes the Bot API calls an ideal
Alliance would make:

- a typed message (or a command): sendMessage, the next question;
- a toggle (`v1:t:...`): answerCallbackQuery, then editMessageText (the keyboard, ticked);
- any other button: answerCallbackQuery, editMessageText (the "✓ answer" echo, no
  keyboard), then sendMessage, the next question.

With FLOOR_MODE=edit it is the one-edit floor, the fewest calls a Telegram questionnaire can
make: a press is answered by one editMessageText turning the pressed message into the next
question (or the same one ticked), with no answerCallbackQuery; a typed answer by one
sendMessage, the next question (the old one keeps its buttons).

`benchmarks/bench_load.py` starts it; by hand, against a fake Bot API:

    TELEGRAM_BOT_TOKEN=123456:TEST TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot \\
        .venv/bin/python benchmarks/floor_bot.py

Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, ALLIANCE_MAX_MESSAGES_PER_SECOND
(default 30), ALLIANCE_POLLING_TIMEOUT (default 1), as for `alliance run`.
"""

from __future__ import annotations

import html
import logging
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

QUESTION = "<b>Question {number}</b>\nWhich of these fits your organisation best?"
OPTIONS = ("first", "second", "third", "fourth")


def file_url(base_url: str) -> str:
    """The file URL that goes with a Bot API base URL (".../bot" -> ".../file/bot")."""
    root, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot" if root else base_url


def question_keyboard(number: int, ticked: set[str]) -> InlineKeyboardMarkup:
    """Answer buttons, toggles, then Validate and Skip, with callback data shaped like ours."""
    # The question number stands for the session id: a stale press is recognisable.
    prefix = f"{number}:q{number}"
    answers = [InlineKeyboardButton(o, callback_data=f"v1:a:{prefix}:{o}") for o in OPTIONS]
    toggles = [
        InlineKeyboardButton(("✓ " if o in ticked else "") + o, callback_data=f"v1:t:{prefix}:{o}")
        for o in OPTIONS
    ]
    last = [
        InlineKeyboardButton("Validate", callback_data=f"v1:v:{prefix}"),
        InlineKeyboardButton("Skip", callback_data=f"v1:s:{prefix}"),
    ]
    return InlineKeyboardMarkup([answers[:2], answers[2:], toggles[:2], toggles[2:], last])


async def send_question(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Send the chat's next question with its keyboard."""
    number = context.chat_data.get("question", 0) + 1
    context.chat_data["question"] = number
    context.chat_data["ticked"] = set()
    await context.bot.send_message(
        chat_id, QUESTION.format(number=number), reply_markup=question_keyboard(number, set())
    )


def edit_mode() -> bool:
    """The one-edit floor (FLOOR_MODE=edit) rather than the echo-and-send one."""
    return os.environ.get("FLOOR_MODE") == "edit"


async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer or a command: the next question."""
    await send_question(context, update.effective_chat.id)


async def toggle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A toggle: answer the press, then redraw the keyboard with the option ticked or not."""
    query = update.callback_query
    if not edit_mode():
        await query.answer()
    ticked: set[str] = context.chat_data.setdefault("ticked", set())
    ticked ^= {query.data.rsplit(":", 1)[1]}
    number = context.chat_data.get("question", 0)
    await query.edit_message_text(
        QUESTION.format(number=number), reply_markup=question_keyboard(number, ticked)
    )


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other press: answer it, echo the choice in the question, send the next one; in
    the one-edit floor, turn the pressed message into the next question instead."""
    query = update.callback_query
    if edit_mode():
        number = context.chat_data.get("question", 0) + 1
        context.chat_data["question"] = number
        context.chat_data["ticked"] = set()
        await query.edit_message_text(
            QUESTION.format(number=number), reply_markup=question_keyboard(number, set())
        )
        return
    await query.answer()
    number = context.chat_data.get("question", 0)
    choice = html.escape(query.data.rsplit(":", 1)[1])
    await query.edit_message_text(f"{QUESTION.format(number=number)}\n✓ {choice}")
    await send_question(context, update.effective_chat.id)


def build_application() -> Application:
    """The Application, built with the settings `alliance run` uses, updates concurrent."""
    base_url = os.environ["TELEGRAM_API_BASE_URL"]
    rate = float(os.environ.get("ALLIANCE_MAX_MESSAGES_PER_SECOND", "30"))
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(base_url)
        .base_file_url(file_url(base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3))
        .concurrent_updates(True)
        .build()
    )
    # Toggles first: every other press is an answer.
    application.add_handler(CallbackQueryHandler(toggle, pattern=r"^v1:t:"))
    application.add_handler(CallbackQueryHandler(answer))
    application.add_handler(MessageHandler(filters.TEXT, typed))
    return application


def main() -> None:
    """Log as `alliance run` does, then poll until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    build_application().run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
        timeout=int(os.environ.get("ALLIANCE_POLLING_TIMEOUT", "1")),
        poll_interval=0,
    )


if __name__ == "__main__":
    main()
