"""Delivery that never leaves a user stranded: what a user must receive is recorded in the
same transaction as the change that produced it (bot.delivery), then sent from here in
order, chat by chat, and marked sent only once Telegram accepted it.

Sends and documents are retried with backoff until Telegram takes them (a 429 waits for
that chat alone); a failed edit or toast never holds back the next question; after a
restart, whatever is pending goes out.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import uuid
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, WebAppInfo
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery import CLOSE, DOCUMENT, EDIT, PHOTO, SEND, next_attempt
from bot.telegram.locks import ChatLocks
from bot.views.screens import CALLBACK, LINK, WEB_APP, plain
from bot.views.splitting import MESSAGE_LIMIT, split_html
from storage import delivery
from storage.db import session_scope
from storage.models import utcnow

log = logging.getLogger(__name__)

# Must reach the user: retried until Telegram takes them, in order. So is an edit that
# turns a flow's live message into its next question (see `must_deliver`).
MUST_DELIVER = (SEND, DOCUMENT, PHOTO)
# Seconds before the next attempt, by attempts made; then the last one, again and again.
BACKOFF = (0.5, 1, 2, 5, 10, 30, 60, 120, 300)
# A best-effort edit is given up after this many attempts.
EDIT_ATTEMPTS = 3
# What waits in any chat (another instance's, or a retry this one lost) is looked for this
# often.
SWEEP_SECONDS = 10
# The heaviest file (bytes) a bot may send: a photo, a document. Past it Telegram answers
# 413, which python-telegram-bot reports as a network error.
UPLOAD_LIMITS = {"photo": 10 * 1024 * 1024, "document": 50 * 1024 * 1024}
# Marks a call as part of a fan-out for the rate limiter.
BULK = {"bulk": True}
# Chats flushed at once in a fan-out (about a second of Telegram's overall rate), and read
# from the database at a time.
FAN_OUT = 30
CHATS_A_SWEEP = 500
# Chats whose messages a fan-out reads (and claims) in one query.
CHATS_A_PAGE = 250
# An instance claims the messages it is about to send for this long, and renews its claims
# while it lives: the messages of an instance that died go out from another one after that.
# (An instance killed in the middle of sending leaves its chats waiting that long; one
# stopped properly frees them at once.)
CLAIM_SECONDS = 30
RENEW_SECONDS = 10
# A chat another instance is sending is tried again after this long.
BUSY_RETRY_SECONDS = 1.0
# Fan-out messages Telegram accepted are marked sent together, at most this long after the
# first: one transaction for three or so instead of one each (marking them one by one was
# a third of a fan-out's CPU). A crash in that moment would send those few again; anything
# else (an answer to someone waiting, a failure) is recorded at once.
MARK_DELAY = 0.1
# A command sending what waits leaves a message to retry later than this to the bot.
LONGEST_WAIT = timedelta(seconds=60)


# -- sending ----------------------------------------------------------------------------------


@dataclass
class Entry:
    """An outbox row as the sender needs it, detached from the database."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    due: datetime
    content: bytes | None = None
    # The question's flow session: its message id is remembered once sent.
    flow_session_id: int | None = None


@dataclass
class Outcome:
    entry: Entry
    # "sent", "retry" (at `retry_at`), "dropped", "blocked" (the chat blocked the bot).
    status: str
    message_id: int | None = None
    retry_at: datetime | None = None


class Sender:
    """Sends a chat's pending messages in order; reschedules what failed."""

    def __init__(
        self,
        bot: Bot,
        engine: Engine,
        locks: ChatLocks,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.bot = bot
        self.engine = engine
        self.locks = locks
        self.clock = clock
        # This instance, as named on the messages it claims.
        self.holder = holder_name()
        # Set by the application: schedules `flush(chat)` after a delay (the job queue).
        self.schedule: Callable[[int, float], None] | None = None
        # The chats flushed since each page of `flush_chats` was read.
        self._pages: list[set[int]] = []
        # The sender's database work, in one thread, one piece after another: a message's
        # "sent" mark is written before any later read of its chat, and the event loop does
        # not wait for it (a third of a fan-out's CPU was the round trips to mark each one).
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        # Outcomes waiting for MARK_DELAY to be recorded together, by chat.
        self._marks: list[tuple[int, Outcome]] = []
        self._marks_timer: asyncio.TimerHandle | None = None

    async def flush(
        self, chat_id: int, entries: list[Entry] | None = None, page: set[int] | None = None
    ) -> None:
        """Sends what is due for this chat; the caller holds the chat's lock. `entries` were
        read beforehand with the `page` of chats being flushed (see `flush_chats`)."""
        if entries is None:
            loaded, busy = await self._in_db(self._load, [chat_id])
            entries = loaded.get(chat_id, [])
            self._leave_to_others(busy)
        if not entries:
            return
        now = self.clock()
        settled: list[Outcome] = []
        # Records the chat's next update must find (a question's message id): awaited.
        recorded: list[Future] = []

        def settle(outcome: Outcome) -> None:
            settled.append(outcome)
            if (written := self._record(chat_id, outcome)) is not None:
                recorded.append(written)

        edits = [e for e in entries if not must_deliver(e) and e.due <= now]
        chain = [e for e in entries if must_deliver(e)]
        try:
            await asyncio.gather(
                self._send_chain(chat_id, chain, now, settle),
                *(self._settled(chat_id, entry, settle) for entry in edits),
            )
            await asyncio.gather(*(asyncio.wrap_future(written) for written in recorded))
        finally:
            # Pages read before now hold a stale copy of this chat's messages.
            for other in self._pages:
                if other is not page:
                    other.add(chat_id)
        if any(o.status == "blocked" for o in settled):
            return  # what waited for the chat was dropped with it
        done = {o.entry.id for o in settled if o.status in ("sent", "dropped")}
        if waiting := [e for e in entries if e.id not in done]:
            # Left for the next flush, here or in another instance.
            await self._in_db(self._release, [e.id for e in waiting])
            self._reschedule(chat_id, waiting, settled, now)

    def _leave_to_others(self, busy: set[int]) -> None:
        """Chats another instance is sending: looked at again shortly, for what it did not
        take (a message recorded after it read its own)."""
        if self.schedule is not None:
            for chat_id in busy:
                self.schedule(chat_id, BUSY_RETRY_SECONDS)

    async def _settled(self, chat_id: int, entry: Entry, settle) -> None:
        settle(await self._attempt(chat_id, entry))

    async def flush_locked(self, chat_id: int) -> None:
        """Flushes a chat from outside its updates (a retry, the sweep)."""
        async with self.locks.hold(("chat", chat_id)):
            await self.flush(chat_id)

    async def sweep(self) -> None:
        """Sends whatever is due in every chat (at start, then now and then)."""
        await self._in_db(self._in_transaction, self._free_dead_claims)
        while chats := await self._in_db(self._chats_due):
            await self.flush_chats(chats)
            if len(chats) < CHATS_A_SWEEP:
                return

    async def flush_chats(self, chats, concurrency: int = FAN_OUT) -> None:
        """Flushes many chats, a few at a time: a chat's lock is held only while its turn at
        the rate limiter is near, so its user's own updates are not kept waiting.

        The messages of a page of chats are read in one query; a chat flushed by anyone
        else after that read is read again when its turn comes (it is then in `stale`)."""
        gate = asyncio.Semaphore(concurrency)
        chats = list(chats)
        for start in range(0, len(chats), CHATS_A_PAGE):
            await self._flush_page(chats[start : start + CHATS_A_PAGE], gate)

    async def _flush_page(self, page: list[int], gate: asyncio.Semaphore) -> None:
        stale: set[int] = set()
        self._pages.append(stale)
        try:
            loaded, busy = await self._in_db(self._load, page)
            self._leave_to_others(busy)

            async def one(chat: int) -> None:
                async with gate, self.locks.hold(("chat", chat)):
                    entries = None if chat in stale else loaded.get(chat, [])
                    await self.flush(chat, entries, page=stale)

            await asyncio.gather(*(one(chat) for chat in page))
        finally:
            self._pages.remove(stale)

    async def _send_chain(self, chat_id: int, chain: list[Entry], now: datetime, settle) -> None:
        """Sends in order and stops at the first message that must wait."""
        for entry in chain:
            if entry.due > now:
                return
            outcome = await self._attempt(chat_id, entry)
            settle(outcome)
            if outcome.status in ("blocked", "retry"):
                return

    async def _attempt(self, chat_id: int, entry: Entry) -> Outcome:
        if (
            entry.kind in (DOCUMENT, PHOTO)
            and len(entry.content or b"") > UPLOAD_LIMITS[entry.kind]
        ):
            return await self._send_lighter(chat_id, entry)
        try:
            message_id = await self._call(chat_id, entry)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return self._retry(entry, seconds)
        except Forbidden:
            log.info("chat %s blocked the bot; what waits for it is dropped", chat_id)
            return Outcome(entry, "blocked")
        except BadRequest as error:
            return await self._bad_request(chat_id, entry, error)
        except NetworkError as error:
            if entry.kind in (DOCUMENT, PHOTO) and _too_large(error):
                return await self._send_lighter(chat_id, entry)
            return self._failed(chat_id, entry, error)
        except TelegramError as error:
            return self._failed(chat_id, entry, error)
        return Outcome(entry, "sent", message_id=message_id)

    def _failed(self, chat_id: int, entry: Entry, error: TelegramError) -> Outcome:
        """Time-outs and 5xx: Telegram may come back; the entry waits and is tried again."""
        if not must_deliver(entry) and entry.attempts + 1 >= EDIT_ATTEMPTS:
            log.warning("chat %s: %s failed (%s); given up", chat_id, entry.kind, error)
            return Outcome(entry, "dropped")
        log.info("chat %s: %s failed (%s); will retry", chat_id, entry.kind, error)
        return self._retry(entry, BACKOFF[min(entry.attempts, len(BACKOFF) - 1)])

    async def _send_lighter(self, chat_id: int, entry: Entry) -> Outcome:
        """A file too heavy for Telegram goes compressed; if even that is too heavy, a
        message says so in its place: the chat goes on either way."""
        caption, message = entry.payload.get("too_heavy") or ("", "")
        if not entry.payload.get("zipped"):
            name = entry.payload["file_name"]
            log.warning("chat %s: a file too heavy for Telegram; sent compressed", chat_id)
            lighter = replace(
                entry,
                kind=DOCUMENT,
                content=zipped(name, entry.content or b""),
                payload={
                    **entry.payload,
                    "file_name": f"{name}.zip",
                    "zipped": True,
                    "caption": caption,
                },
                attempts=0,
            )
            outcome = await self._attempt(chat_id, lighter)
        elif not message:
            log.error("chat %s: a file too heavy even compressed; given up", chat_id)
            return Outcome(entry, "dropped")
        else:
            log.warning("chat %s: a file too heavy even compressed; a message instead", chat_id)
            instead = Entry(entry.id, SEND, {"text": message, "buttons": []}, 0, entry.due)
            outcome = await self._attempt(chat_id, instead)
        return replace(outcome, entry=entry)

    async def _bad_request(self, chat_id: int, entry: Entry, error: BadRequest) -> Outcome:
        """Telegram refused the content: a message is sent as plain text, or in smaller parts,
        rather than lost; so is an edit too long for Telegram; an edit that changes nothing
        is done already; another refused edit is given up, and said so in the log."""
        text = str(error).lower()
        if entry.kind in (EDIT, CLOSE) and "message is not modified" in text:
            # The message already reads so (a press repeated, a keyboard already removed).
            return Outcome(entry, "sent", message_id=entry.payload.get("message_id"))
        if entry.kind == EDIT and "too long" in text:
            log.warning("chat %s: edit too long for Telegram; sent as new messages", chat_id)
            return await self._send_in_parts(chat_id, replace(entry, kind=SEND))
        if entry.kind == EDIT and entry.flow_session_id is not None:
            # The live message cannot become the next question (deleted, too old to edit):
            # the question comes as a new message, which becomes the live one.
            log.info("chat %s: question edit refused (%s); sent as a new message", chat_id, error)
            fresh = {k: v for k, v in entry.payload.items() if k != "message_id"}
            instead = replace(entry, kind=SEND, payload=fresh, attempts=0)
            return await self._attempt(chat_id, instead)
        if entry.kind == SEND and "parse" in text and not entry.payload.get("plain"):
            log.error("chat %s: HTML refused (%s); sent as plain text", chat_id, error)
            fallback = replace(entry, payload={**entry.payload, "plain": True}, attempts=0)
            return await self._attempt(chat_id, fallback)
        if entry.kind == SEND and "too long" in text:
            log.error("chat %s: message too long for Telegram; sent in smaller parts", chat_id)
            return await self._send_in_parts(chat_id, entry)
        if must_deliver(entry):
            log.error("chat %s: %s refused for good: %s", chat_id, entry.kind, error)
        else:
            log.warning("chat %s: %s refused, given up: %s", chat_id, entry.kind, error)
        return Outcome(entry, "dropped")

    async def _send_in_parts(self, chat_id: int, entry: Entry) -> Outcome:
        """Splits again at half Telegram's limit (our count and Telegram's disagreed)."""
        chunks = split_html(entry.payload["text"], limit=MESSAGE_LIMIT // 2)
        message_id = None
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            buttons = entry.payload.get("buttons") if last else []
            part = replace(entry, payload={"text": chunk, "buttons": buttons}, attempts=0)
            outcome = await self._attempt(chat_id, part)
            if outcome.status != "sent":
                return Outcome(entry, outcome.status, retry_at=outcome.retry_at)
            message_id = outcome.message_id
        return Outcome(entry, "sent", message_id=message_id)

    def _retry(self, entry: Entry, seconds: float) -> Outcome:
        return Outcome(entry, "retry", retry_at=self.clock() + timedelta(seconds=seconds))

    async def _call(self, chat_id: int, entry: Entry) -> int | None:
        payload = entry.payload
        markup = _markup(payload.get("buttons") or [])
        # A fan-out yields to interactive messages at the rate limiter.
        limits = {"rate_limit_args": BULK} if payload.get("bulk") else {}
        if entry.kind == SEND:
            if payload.get("plain"):
                # An explicit None overrides the HTML default.
                text, options = plain(payload["text"]), {"parse_mode": None}
            else:
                text, options = payload["text"], {}
            message = await self.bot.send_message(
                chat_id, text, reply_markup=markup, **options, **limits
            )
            return message.message_id
        if entry.kind == EDIT:
            await self.bot.edit_message_text(
                payload["text"],
                chat_id=chat_id,
                message_id=payload["message_id"],
                reply_markup=markup,
                **limits,
            )
            return payload["message_id"]
        if entry.kind == CLOSE:
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=payload["message_id"]
            )
            return payload["message_id"]
        if entry.kind == PHOTO:
            message = await self.bot.send_photo(
                chat_id, InputFile(entry.content or b"", filename=payload["file_name"]), **limits
            )
            return message.message_id
        message = await self.bot.send_document(
            chat_id,
            InputFile(entry.content or b"", filename=payload["file_name"]),
            caption=payload.get("caption") or None,
            **limits,
        )
        return message.message_id

    async def chat_action(self, chat_id: int, action: str = ChatAction.TYPING) -> None:
        """Shows the user the bot is at work on their reply; a failure only loses that."""
        try:
            await self.bot.send_chat_action(chat_id, action)
        except TelegramError as error:
            log.debug("chat action failed in chat %s: %s", chat_id, error)

    # -- bookkeeping, in the sender's database thread ------------------------------------

    async def _in_db(self, work: Callable[..., Any], *args: Any) -> Any:
        # What was sent is recorded before anything is read again.
        self._submit_marks()
        return await asyncio.get_running_loop().run_in_executor(self._db, work, *args)

    def _record(self, chat_id: int, outcome: Outcome) -> Future | None:
        """Records an outcome: a fan-out message sent, within MARK_DELAY with others; the
        rest at once (with whatever waits before it, to keep their order), returning the
        write to wait for. A question shown is never left waiting: the chat's next answer
        needs its message id."""
        self._marks.append((chat_id, outcome))
        entry = outcome.entry
        if outcome.status == "sent" and entry.payload.get("bulk") and not entry.flow_session_id:
            if self._marks_timer is None:
                loop = asyncio.get_running_loop()
                self._marks_timer = loop.call_later(MARK_DELAY, self._submit_marks)
            return None
        return self._submit_marks()

    def _submit_marks(self) -> Future | None:
        if self._marks_timer is not None:
            self._marks_timer.cancel()
            self._marks_timer = None
        if not self._marks:
            return None
        marks, self._marks = self._marks, []
        written = self._db.submit(self._save, marks)
        written.add_done_callback(_log_failure)
        return written

    def _load(self, chat_ids: list[int]) -> tuple[dict[int, list[Entry]], set[int]]:
        """What waits for these chats, claimed for this instance, by chat, in order,
        documents' contents included; and the chats another instance is sending."""
        loaded: dict[int, list[Entry]] = {}
        now = self.clock()
        until = now + timedelta(seconds=CLAIM_SECONDS)
        with self.engine.begin() as connection:
            claim = dict(holder=self.holder, now=now, until=until)
            rows, busy = delivery.claim_pending(connection, chat_ids=chat_ids, **claim)
            if busy and self._free_dead_claims(connection):
                more, busy = delivery.claim_pending(connection, chat_ids=sorted(busy), **claim)
                rows = sorted(rows + more, key=lambda row: row.id)
            for row in rows:
                loaded.setdefault(row.chat_id, []).append(
                    Entry(
                        row.id,
                        row.kind,
                        dict(row.payload),
                        row.attempts,
                        row.next_attempt_at,
                        flow_session_id=row.flow_session_id,
                    )
                )
            files = [e for es in loaded.values() for e in es if e.kind in (DOCUMENT, PHOTO)]
            contents = delivery.document_contents(
                connection, ids=[e.payload["document_id"] for e in files]
            )
        for entry in files:
            entry.content = contents.get(entry.payload["document_id"])
        return loaded, busy

    def _in_transaction(self, work: Callable[[Connection], Any]) -> Any:
        with self.engine.begin() as connection:
            return work(connection)

    def _free_dead_claims(self, connection: Connection) -> bool:
        """Frees at once the claims of an earlier process of this machine that died (its
        restart, typically), rather than waiting for them to lapse."""
        dead = [
            holder
            for holder in delivery.claim_holders(connection, now=self.clock())
            if holder != self.holder and died_here(holder)
        ]
        for holder in dead:
            log.info("freeing the messages claimed by %s, which is gone", holder)
            delivery.release_claims(connection, holder=holder)
        return bool(dead)

    def _release(self, ids: list[int] | None = None) -> None:
        with self.engine.begin() as connection:
            delivery.release_claims(connection, holder=self.holder, ids=ids)

    async def renew_claims(self) -> None:
        """Called every RENEW_SECONDS while the instance lives."""
        until = self.clock() + timedelta(seconds=CLAIM_SECONDS)
        await self._in_db(self._renew, until)

    def _renew(self, until: datetime) -> None:
        with self.engine.begin() as connection:
            delivery.renew_claims(connection, holder=self.holder, until=until)

    async def release_all(self) -> None:
        """The instance stops: what it claimed and did not send is free for others at once
        (after the marks of what it sent, which come first in the same thread)."""
        await self._in_db(self._release)

    def _save(self, outcomes: list[tuple[int, Outcome]]) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            for chat_id, outcome in outcomes:
                entry = outcome.entry
                if outcome.status == "sent":
                    delivery.mark_sent(
                        connection,
                        outbox_id=entry.id,
                        message_id=outcome.message_id,
                        at=now,
                        flow_session_id=entry.flow_session_id,
                    )
                elif outcome.status == "retry":
                    delivery.mark_failed(connection, outbox_id=entry.id, retry_at=outcome.retry_at)
                elif outcome.status == "dropped":
                    delivery.mark_dropped(connection, outbox_id=entry.id)
                else:
                    delivery.drop_chat(connection, chat_id=chat_id, at=now)

    def _chats_due(self) -> list[int]:
        with session_scope(self.engine) as db:
            return delivery.chats_due(db, now=self.clock(), limit=CHATS_A_SWEEP)

    def _reschedule(
        self, chat_id: int, waiting: list[Entry], outcomes: list[Outcome], now: datetime
    ) -> None:
        """Plans the next flush of this chat, for the entries still waiting."""
        if self.schedule is None:
            return
        retry_at = {o.entry.id: o.retry_at for o in outcomes if o.status == "retry"}
        soonest = min(retry_at.get(e.id, e.due) for e in waiting)
        self.schedule(chat_id, max((soonest - now).total_seconds(), 0.05))


def must_deliver(entry: Entry) -> bool:
    """A message, a file, or the live message edited into the next question: the user cannot
    go on without it (a best-effort edit only shows an answer or a tick)."""
    return entry.kind in MUST_DELIVER or (entry.kind == EDIT and entry.flow_session_id is not None)


async def send_until_done(
    sender: Sender, engine: Engine, clock: Callable[[], datetime], *, limit: timedelta
) -> None:
    """Sends what the outbox holds, retrying what is due soon, for `limit` at most (for a
    command that then exits); the instance's claims are kept while it sends, and freed
    after."""
    renewing = asyncio.ensure_future(_keep_claims(sender))
    try:
        deadline = clock() + limit
        while clock() < deadline:
            await sender.sweep()
            wait = next_attempt(engine, clock)
            if wait is None or wait > LONGEST_WAIT:
                return
            await asyncio.sleep(max(wait.total_seconds(), 0.05))
    finally:
        renewing.cancel()
        await sender.release_all()


async def _keep_claims(sender: Sender) -> None:
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        await sender.renew_claims()


def _log_failure(done: Future) -> None:
    """A mark that could not be written: the message may go again after a restart."""
    if (error := done.exception()) is not None:
        log.error("could not record what Telegram accepted: %s", error, exc_info=error)


def _too_large(error: NetworkError) -> bool:
    """Telegram's 413: the upload is heavier than it takes."""
    text = str(error).lower()
    return "413" in text or "too large" in text


def zipped(name: str, content: bytes) -> bytes:
    """The file alone in a zip archive, compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def holder_name() -> str:
    """Names this process on the messages it claims: machine, process id, and a random part
    (process ids are reused)."""
    return f"{socket.gethostname()[:12]}/{os.getpid()}/{uuid.uuid4().hex[:6]}"


def died_here(holder: str) -> bool:
    """Whether `holder` was a process of this machine that no longer runs. (Another
    machine's process cannot be looked at: its claims lapse after CLAIM_SECONDS.)"""
    host, _, rest = holder.partition("/")
    pid = rest.partition("/")[0]
    if host != socket.gethostname()[:12] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _markup(rows: list[list[list[str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[_button(*button) for button in row] for row in rows])


def _button(label: str, data: str, kind: str = CALLBACK) -> InlineKeyboardButton:
    """A recorded button ([label, data] or [label, URL, kind]) as Telegram's."""
    if kind == WEB_APP:
        return InlineKeyboardButton(label, web_app=WebAppInfo(data))
    if kind == LINK:
        return InlineKeyboardButton(label, url=data)
    return InlineKeyboardButton(label, callback_data=data)
