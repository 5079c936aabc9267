"""Telegram handlers: thin callbacks that hand the update to the conversation service."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bot.conversation import Conversations, Reply, Who
from bot.delivery import deliver
from bot.i18n import language_of, render
from bot.screens import Screen

log = logging.getLogger(__name__)


def _who(update: Update) -> Who:
    user = update.effective_user
    return Who(f"tg:{user.id}", user.language_code, update.update_id)


def _service(context: ContextTypes.DEFAULT_TYPE) -> Conversations:
    return context.application.bot_data["conversations"]


async def _run(update: Update, context: ContextTypes.DEFAULT_TYPE, method: str, *args) -> None:
    """Runs one service call off the event loop, then shows its reply."""
    if update.effective_user is None or update.effective_chat is None:
        return
    who = _who(update)
    service = _service(context)
    reply: Reply = await asyncio.to_thread(getattr(service, method), who, *args)
    await deliver(
        context.bot,
        update.effective_chat.id,
        reply,
        who=who,
        conversations=service,
        query=update.callback_query,
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome; /start <token>: join by invitation."""
    await _run(update, context, "start", " ".join(context.args or []))


def _command(method: str, doc: str):
    """A command handler that only hands over to the service."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _run(update, context, method)

    handler.__doc__ = doc
    handler.__name__ = method
    return handler


new_partnership = _command("new_partnership", "/nouveau: create a partnership.")
partnerships = _command("partnerships", "/partenariats: list and switch partnerships.")
criteria = _command("criteria", "/criteres: score a candidate partner.")
convention = _command("convention", "/convention: the convention checklist.")
followup = _command("followup", "/suivi: steering and follow-up.")
documents = _command("documents", "/documents: generated documents.")


async def partnership_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button on a partnership."""
    query = update.callback_query
    message_id = query.message.message_id if query.message is not None else None
    if isinstance(query.data, str) and query.data.endswith(":generate"):
        # Building the documents takes a moment: show it at once.
        await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_DOCUMENT)
    await _run(update, context, "partnership_button", query.data, message_id)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/aide, /help: what the bot can do."""
    await _run(update, context, "help")


async def diagnostic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/diagnostic: start or resume the self-diagnosis."""
    await _run(update, context, "diagnostic")


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/annuler, /cancel: stop the questionnaire in progress."""
    await _run(update, context, "cancel")


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer."""
    await _run(update, context, "text", update.effective_message.text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press, whatever its data: the service checks it."""
    query = update.callback_query
    message_id = query.message.message_id if query.message is not None else None
    await _run(update, context, "press", query.data, message_id)


async def checklist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checklist [words]: the topic menu, or the best matching card."""
    await _run(update, context, "checklist", " ".join(context.args or []))


async def browse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A card, topic or language button."""
    query = update.callback_query
    message_id = query.message.message_id if query.message is not None else None
    await _run(update, context, "browse", query.data, message_id)


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/langue, /language: choose French or English."""
    await _run(update, context, "language_menu")


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot words, in any chat: the matching cards, ready to post."""
    query = update.inline_query
    user = query.from_user
    # No update id: an inline query changes nothing, so a repeat is harmless.
    who = Who(f"tg:{user.id}", user.language_code)
    cards = await asyncio.to_thread(_service(context).inline, who, query.query)
    results = [
        InlineQueryResultArticle(
            id=card.card_id,
            title=card.title,
            description=card.description,
            input_message_content=InputTextMessageContent(card.text, parse_mode="HTML"),
        )
        for card in cards
    ]
    await query.answer(results, cache_time=60, is_personal=True)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes and the like."""
    await _run(update, context, "unsupported")


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, template: str) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    screen = Screen(render(template, language_of(user.language_code)))
    await deliver(context.bot, chat.id, Reply([screen]), who=_who(update), conversations=None)


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: say it is not taken into account."""
    await _say(update, context, "edited.j2")


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command in a group: invite to a private chat."""
    await _say(update, context, "private_only.j2")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the error and, in a private chat, apologises; never raises."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private" or update.effective_user is None:
        return
    try:
        await _say(update, context, "error.j2")
    except Exception:  # the apology itself failed (network down): nothing more to do
        log.warning("could not send the error message", exc_info=True)
