"""Telegram handlers: thin callbacks that name the use case an update runs."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import ContextTypes

from bot.commands import ButtonRoute, Command
from bot.services import basics, checklists, questionnaires
from bot.telegram.adapter import TelegramAdapter, actor_of
from bot.telegram.inbox import PollingFailed, kept
from bot.telegram.outage import DatabaseWatch
from bot.views.cards import inline_card
from storage.transient import is_unavailable

log = logging.getLogger(__name__)


def _adapter(context: ContextTypes.DEFAULT_TYPE) -> TelegramAdapter:
    return context.application.bot_data["telegram"]


def command_handler(command: Command):
    """The handler of one command of the table."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        words = (" ".join(context.args or []),) if command.takes_words else ()
        await _adapter(context).handle(update, command.use_case, *words)

    handler.__doc__ = f"/{command.name}: {command.menu}"
    handler.__name__ = f"command_{command.name}"
    return handler


def in_groups_handler(command: Command):
    """The handler of a command typed in a group, for a command with a group answer of its
    own (/tableau: ask for it in private, where its link is safe)."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _adapter(context).handle(update, command.in_groups_instead)

    handler.__name__ = f"in_groups_{command.name}"
    return handler


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer."""
    await _adapter(context).handle(update, questionnaires.answer_text, update.message.text)


def button_handler(route: ButtonRoute):
    """The handler of the button presses a route sends to its use case, with their data as
    the route's format reads it."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await _adapter(context).press(update, route.use_case, route.parse(query.data))

    handler.__name__ = f"button_{route.use_case.__name__}"
    return handler


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot words, in any chat: the matching cards, ready to post."""
    adapter = _adapter(context)
    query = update.inline_query
    found = await asyncio.to_thread(
        adapter.services.run, actor_of(update), checklists.inline, query.query
    )
    results = [
        InlineQueryResultArticle(
            id=card.card_id,
            title=card.title,
            description=card.description,
            input_message_content=InputTextMessageContent(card.text, parse_mode="HTML"),
        )
        for card in (inline_card(c, found.language) for c in found.cards)
    ]
    await query.answer(results, cache_time=60, is_personal=True)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes and the like."""
    await _adapter(context).handle(update, basics.unsupported)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not know: the help."""
    await _adapter(context).handle(update, basics.help_screen)


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: say it is not taken into account."""
    await _adapter(context).handle(update, basics.edited)


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command in a group: invite to a private chat."""
    await _adapter(context).handle(update, basics.private_only)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the error and, in a private chat, apologises and says how to go on; never raises.
    When the database did not answer, nothing was done: no apology, the update goes through
    again once it answers, and the log says once that it is out of reach."""
    error = context.error
    if isinstance(error, PollingFailed):
        return  # logged where it happened, once
    if is_unavailable(error):
        database: DatabaseWatch = context.application.bot_data["database"]
        if isinstance(update, Update) and kept(update):
            database.interrupted(update.update_id, error)
        else:
            database.lost(error)
        return
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private" or update.effective_user is None:
        return
    try:
        await _adapter(context).handle(update, basics.failed, once=False)
    except Exception:  # the apology itself failed (database down): nothing more to do
        log.warning("could not record the apology", exc_info=True)
