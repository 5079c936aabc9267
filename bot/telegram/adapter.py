"""The Telegram side of a use case: who acts, run it off the event loop with its reply
recorded in the same transaction, then deliver."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import Session
from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from bot import delivery
from bot.services import Actor, EarlierFirst, Result, Services, Work
from bot.telegram.inbox import update_key
from bot.telegram.outbox import Sender
from bot.views import Presenter
from storage.addresses import Address
from storage.models import User

log = logging.getLogger(__name__)

# Telegram shows at most 200 characters in a toast.
TOAST_LIMIT = 200
# A reply that takes longer than this (a report's charts, a document) is announced with a
# chat action; a quicker one is not: the action would cost a call the user never sees.
CHAT_ACTION_AFTER = 1.0


def actor_of(update: Update) -> Actor:
    user = update.effective_user
    return Actor(str(Address.telegram(user.id)), user.language_code, user.full_name)


class TelegramAdapter:
    """Runs use cases for Telegram updates and hands their replies to the sender."""

    def __init__(self, services: Services, presenter: Presenter, sender: Sender):
        self.services = services
        self.presenter = presenter
        self.sender = sender
        # Flushes of other people's chats under way (kept so they are not collected).
        self._background: set[asyncio.Future] = set()
        # Seconds a reply may take before a chat action says the bot is at work on it.
        self.chat_action_after = CHAT_ACTION_AFTER
        # Set by the application: handles a kept update (raw) through its handlers.
        self.replay: Callable[[dict], Awaitable[None]] | None = None

    async def handle(
        self, update: Update, use_case: Callable[..., Any], *args: Any, once: bool = True
    ) -> None:
        """Runs the use case for this update (at most once), records its reply, sends it."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        query = update.callback_query
        acted = query.message.message_id if query is not None and query.message else None
        notices: list[str | None] = []
        # Whether the reply edits the pressed message: the edit shows the press.
        edits_pressed: list[bool] = []
        others: list[int] = []

        def record(db: Session, _user: User, result: Result) -> None:
            if result.duplicate:
                return
            reply = self.presenter.reply(result)
            notices.append(reply.notice)
            at = self.services.clock()
            edited = delivery.record(
                db, chat.id, reply, acted_message_id=acted, toast=query is not None, at=at
            )
            edits_pressed.append(acted is not None and edited == acted)
            others.extend(delivery.record_deliveries(db, self.presenter, result.deliveries, at=at))

        key = update_key(update.update_id) if once else None
        turn = (chat.id, update.update_id) if once else None
        loop = asyncio.get_running_loop()
        slow = loop.call_later(self.chat_action_after, self._announce, chat.id)
        try:
            await self._run(update, use_case, args, key, turn, record)
        finally:
            slow.cancel()
        notice = notices[0] if notices else None
        # A press is answered with its notice; without one, an edit of the pressed message
        # shows it already (and takes the pressed button away): no call for nothing.
        silent = query is None or (notice is None and any(edits_pressed))
        # Each call stands alone: a failed toast does not stop the next question.
        toast = _nothing() if silent else self._answer(query, notice)
        # Other people's messages go out on their own, each in its chat's order.
        for other in {c for c in others if c != chat.id}:
            task = asyncio.ensure_future(self.sender.flush_locked(other))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        await asyncio.gather(self.sender.flush(chat.id), toast)

    async def _run(self, update: Update, use_case, args, key, turn, record) -> None:
        """The use case in the database thread, after any input of the chat received before
        it (by this instance or another) and not handled yet."""
        while True:
            try:
                await asyncio.to_thread(
                    self.services.run,
                    actor_of(update),
                    use_case,
                    *args,
                    once=key,
                    then=record,
                    turn=turn,
                )
                break
            except EarlierFirst as earlier:
                # Received by another instance at the same moment and not handled yet:
                # handled here first (at most once, whoever gets there), then this one.
                for payload in earlier.inputs:
                    await self.replay(payload)

    def _announce(self, chat_id: int) -> None:
        """The reply is slow to come: say the bot is at work on it."""
        task = asyncio.ensure_future(self.sender.chat_action(chat_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def press(self, update: Update, use_case: Callable[..., Any], button: Any) -> None:
        """A button press: the use case takes the button and the pressed message as the
        screen it shows (the running question's, or just the message acted upon)."""
        query = update.callback_query
        message_id = query.message.message_id if query.message is not None else None

        def pressed(work: Work, button: Any) -> Result:
            acted = delivery.screen_pressed(work.db, user_id=work.user.id, message_id=message_id)
            return use_case(work, button, acted)

        pressed.__name__ = getattr(use_case, "__name__", "press")
        await self.handle(update, pressed, button)

    async def _answer(self, query: CallbackQuery, notice: str | None) -> None:
        try:
            await query.answer(notice[:TOAST_LIMIT] if notice else None)
        except TelegramError as error:
            log.info("could not answer a button press: %s", error)


async def _nothing() -> None:
    return None
