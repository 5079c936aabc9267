"""Shows a `Reply` on Telegram: answer the press, edit, then send, within Telegram's limits.

Rate limits (429) are retried by the application's AIORateLimiter; time-outs are
retried here a few times. An answer is saved before anything is sent, so a failed
send loses no data: /diagnostic shows the current question again.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.conversation import Conversations, Reply, Who
from bot.screens import Screen, plain

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
SEND_ATTEMPTS = 3


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in screen.buttons
    ]
    return InlineKeyboardMarkup(rows)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cuts a long text at paragraph, then line boundaries, so no tag is cut in two."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    chunks.append(rest)
    return [chunk for chunk in chunks if chunk.strip()]


async def _with_retries(call):
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call()
        except TimedOut:
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(attempt)
        except NetworkError as error:
            if isinstance(error, BadRequest | Forbidden) or attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(attempt)
    return None


async def deliver(
    bot: Bot,
    chat_id: int,
    reply: Reply,
    *,
    who: Who,
    conversations: Conversations,
    query: CallbackQuery | None = None,
) -> None:
    """Answers the press first (Telegram expects it fast), then edits, then sends."""
    if query is not None:
        # Toasts are plain text of at most 200 characters.
        await query.answer(plain(reply.notice)[:200] if reply.notice else None)
    elif reply.notice:
        reply.messages.insert(0, Screen(reply.notice))
    try:
        await _edit(bot, chat_id, reply)
        await _send(bot, chat_id, reply, who, conversations)
        await _send_documents(bot, chat_id, reply)
    except Forbidden:
        log.info("chat %s blocked the bot; reply dropped, answers are saved", chat_id)


async def _edit(bot: Bot, chat_id: int, reply: Reply) -> None:
    try:
        if reply.edit is not None and reply.edit_message_id is not None:
            await _with_retries(
                lambda: bot.edit_message_text(
                    reply.edit.text,
                    chat_id=chat_id,
                    message_id=reply.edit_message_id,
                    reply_markup=keyboard(reply.edit),
                )
            )
        close = reply.close_message_id
        if close is not None and close != reply.edit_message_id:
            await _with_retries(
                lambda: bot.edit_message_reply_markup(chat_id=chat_id, message_id=close)
            )
    except BadRequest as error:
        # Old, deleted or unchanged messages cannot be edited: the new ones still go out.
        log.debug("edit skipped in chat %s: %s", chat_id, error)


async def _send(bot: Bot, chat_id: int, reply: Reply, who: Who, conversations) -> None:
    for index, screen in enumerate(reply.messages):
        chunks = split_message(screen.text)
        for position, chunk in enumerate(chunks):
            last = position == len(chunks) - 1
            markup = keyboard(screen) if last else None
            message = await _with_retries(
                lambda chunk=chunk, markup=markup: bot.send_message(
                    chat_id, chunk, reply_markup=markup
                )
            )
        is_question = index == len(reply.messages) - 1 and reply.question_session_id
        if is_question and message is not None:
            await asyncio.to_thread(
                conversations.remember_question_message,
                who,
                reply.question_session_id,
                message.message_id,
            )


async def _send_documents(bot: Bot, chat_id: int, reply: Reply) -> None:
    for file_name, content in reply.documents:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        await _with_retries(
            lambda file_name=file_name, content=content: bot.send_document(
                chat_id, InputFile(content, filename=file_name)
            )
        )
