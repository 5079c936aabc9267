"""What a user must receive, recorded in the same transaction as the change that produced
it, whatever their channel: each message goes to its recipient's address ("tg:<id>",
"console:<login>", storage.addresses), as outbox rows a sender sends later (the Telegram
sender, bot/telegram/outbox.py) or rows the terminal shows at its user's next prompt.

Use cases, the check-in dispatcher and every adapter record through here; nothing here
talks to a channel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import terminal
from bot.services.results import ACTED, ScreenRef, question_of
from bot.views import Presenter
from bot.views.screens import CALLBACK, Reply, Screen
from bot.views.splitting import MESSAGE_LIMIT, split_html, visible_length
from storage import delivery, repository
from storage.addresses import TELEGRAM, TERMINAL, Address
from storage.db import session_scope

# Kinds of outbox rows: a new message, an edit (text and buttons of a message), a message's
# buttons removed, a file, a picture.
SEND, EDIT, CLOSE, DOCUMENT, PHOTO = "send", "edit", "close", "document", "photo"


def record_deliveries(
    db: Session, presenter: Presenter, deliveries: Iterable[Any], *, at: datetime
) -> list[int]:
    """Records the messages a result has for other people, each in its recipient's channel;
    returns the outbox chats to send now. Terminal users' messages wait for their next
    prompt; users of other channels get nothing."""
    chats, messages = [], []
    for message in deliveries:
        address = Address.parse(message.external_id)
        if address.channel == TERMINAL:
            _record_for_terminal(db, message, presenter=presenter, at=at)
            continue
        if address.channel != TELEGRAM or address.chat_id is None:
            continue
        reply = presenter.reply_in(message.language, message.views, message.documents)
        messages.extend(rows(address.chat_id, reply, bulk=message.bulk))
        chats.append(address.chat_id)
    delivery.add_outbox(db, messages=messages, at=at)
    return chats


def _record_for_terminal(db: Session, message: Any, *, presenter: Presenter, at: datetime):
    """Keeps a terminal user's message until they read it, rendered for the terminal."""
    shown_by = terminal.presenter(presenter.zone)
    reply = shown_by.reply_in(message.language, message.views, message.documents)
    found: list[dict[str, Any]] = [
        {"kind": SEND, "payload": {"text": screen.text, "buttons": _buttons(screen)}}
        for screen in reply.messages
    ]
    found += [
        {
            "kind": DOCUMENT,
            "payload": {"document_id": document.id, "file_name": file_name(document)},
        }
        for document in reply.documents
    ]
    delivery.add_for_terminal(db, external_id=message.external_id, messages=found, at=at)


def record(
    db: Session,
    chat_id: int,
    reply: Reply,
    *,
    acted_message_id: int | None,
    toast: bool,
    at: datetime,
    bulk: bool = False,
) -> int | None:
    """Records a rendered reply as outbox rows: the edit, then pictures, new messages, files;
    returns the message the edit replaces (None without an edit).

    `acted_message_id`: the message whose button was pressed. `toast`: the notice is shown by
    answering the button press, not as a message. `bulk`: a fan-out (check-ins), which yields
    to interactive messages at the rate limiter."""
    # The screens the reply names, as the messages showing them (read before a new question
    # of the same session makes its message unknown).
    edit_target = message_of(db, reply.replaces, acted_message_id) or acted_message_id
    close_target = message_of(db, reply.closes, acted_message_id)
    if reply.question_session_id is not None or reply.edit_session_id is not None:
        # A question waiting for an outage to end is replaced, never shown twice in a row.
        delivery.supersede_questions(db, chat_id=chat_id)
    if reply.question_session_id is not None:
        # Which message shows the new question is known once it is sent.
        repository.forget_question_message(db, flow_session_id=reply.question_session_id)
    messages = rows(
        chat_id, reply, edit_target=edit_target, close_target=close_target, toast=toast, bulk=bulk
    )
    delivery.add_outbox(db, messages=messages, at=at)
    return edit_target if reply.edit is not None else None


def message_of(db: Session, screen: ScreenRef | None, acted_message_id: int | None) -> int | None:
    """The message a screen reference stands for in a chat: the one acted upon, or the one
    known to show a flow session's question (None when there is none)."""
    if screen is None:
        return None
    if screen.question_of is None:
        return acted_message_id
    return repository.question_message(db, flow_session_id=screen.question_of)


def screen_pressed(db: Session, *, user_id: int, message_id: int | None) -> ScreenRef | None:
    """The message a user pressed a button of, as use cases name it: the question of their
    running questionnaire when it is the message known to show it (or when that message is
    not known yet: any copy of the question may answer), else the message acted upon; None
    without a message."""
    if message_id is None:
        return None
    running = repository.active_flow_session(db, user_id=user_id)
    if running is not None and repository.question_message(db, flow_session_id=running.id) in (
        None,
        message_id,
    ):
        return question_of(running.id)
    return ACTED


def rows(
    chat_id: int,
    reply: Reply,
    *,
    edit_target: int | None = None,
    close_target: int | None = None,
    toast: bool = False,
    bulk: bool = False,
) -> list[dict[str, Any]]:
    """A rendered reply as outbox rows, in the order they are sent: `edit_target` is the
    message the edit replaces, `close_target` the one whose buttons go."""
    extra = {"bulk": True} if bulk else {}
    found: list[dict[str, Any]] = []

    def add(kind: str, payload: dict, flow_session_id: int | None = None) -> None:
        found.append(
            {
                "chat_id": chat_id,
                "kind": kind,
                "payload": payload | extra,
                "flow_session_id": flow_session_id,
            }
        )

    def send(screen: Screen, flow_session_id: int | None) -> None:
        """A screen as new messages, cut where Telegram allows; buttons on the last one."""
        chunks = split_html(screen.text)
        for position, chunk in enumerate(chunks):
            last = position == len(chunks) - 1
            add(
                SEND,
                {"text": chunk, "buttons": _buttons(screen) if last else []},
                flow_session_id if last else None,
            )

    if reply.edit is not None and edit_target is not None:
        if visible_length(reply.edit.text) > MESSAGE_LIMIT:
            # Telegram refuses an edit past its limit: the screen comes as new messages
            # instead, and the message it would have replaced loses its buttons.
            add(CLOSE, {"message_id": edit_target})
            send(reply.edit, reply.edit_session_id)
        else:
            add(EDIT, _edit(reply.edit, edit_target), reply.edit_session_id)
    close = close_target
    if close is not None and not (reply.edit is not None and close == edit_target):
        add(CLOSE, {"message_id": close})
    photos = [d for d in reply.documents if d.kind.endswith("_chart")]
    files = [d for d in reply.documents if not d.kind.endswith("_chart")]

    def file(document) -> dict[str, Any]:
        found = {"document_id": document.id, "file_name": file_name(document)}
        if document.id in reply.too_heavy:
            found["too_heavy"] = list(reply.too_heavy[document.id])
        return found

    for photo in photos:
        add(PHOTO, file(photo))
    screens = list(reply.messages)
    if reply.notice and not toast:
        screens.insert(0, Screen(reply.notice))
    for index, screen in enumerate(screens):
        question = index == len(screens) - 1 and reply.question_session_id
        send(screen, reply.question_session_id if question else None)
    for document in files:
        add(DOCUMENT, file(document))
    return found


def _edit(screen: Screen, message_id: int) -> dict[str, Any]:
    return {"message_id": message_id, "text": screen.text, "buttons": _buttons(screen)}


def _buttons(screen: Screen) -> list[list[list[str]]]:
    """Each button as [label, data], with its kind third when it is a link or a Mini App."""
    return [
        [[b.label, b.data] + ([b.kind] if b.kind != CALLBACK else []) for b in row]
        for row in screen.buttons
    ]


def file_name(document) -> str:
    """A document's name as delivered, in a chat or the terminal's folder: its version first."""
    return f"v{document.version}-{document.file_name}"


def next_attempt(engine: Engine, clock: Callable[[], datetime]) -> timedelta | None:
    """How long until the earliest message still waiting may be tried again (None: none)."""
    with session_scope(engine) as db:
        earliest = delivery.earliest_pending(db, now=clock())
    return None if earliest is None else earliest - clock()
