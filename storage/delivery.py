"""Repository functions of the delivery: inputs kept until handled, messages kept until sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import FlowSession, GeneratedDocument, Inbound, OutboxMessage, User

PENDING = "pending"
SENT = "sent"
SUPERSEDED = "superseded"
DROPPED = "dropped"


# -- inputs --------------------------------------------------------------------------------


def store_inbound(session: Session, *, items: list[tuple[str, dict]], at: datetime) -> list[str]:
    """Keeps inputs not seen before; returns the keys that are new (a redelivery is not)."""
    if not items:
        return []
    keys = [key for key, _payload in items]
    known = set(session.exec(select(Inbound.key).where(Inbound.key.in_(keys))))
    fresh = []
    for key, payload in items:
        if key in known or key in fresh:
            continue
        try:
            with session.begin_nested():
                session.add(Inbound(key=key, payload=payload, received_at=at))
        except IntegrityError:
            continue  # stored by another process in between
        fresh.append(key)
    return fresh


def claim_input(session: Session, *, key: str, at: datetime) -> bool:
    """Marks an input handled, in the caller's transaction; False if it was handled already.

    The conditional UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite), so two
    transactions handling the same input never both succeed."""
    claimed = session.execute(
        update(Inbound)
        .where(Inbound.key == key, Inbound.handled_at.is_(None))
        .values(handled_at=at)
    )
    if claimed.rowcount == 1:
        return True
    try:
        with session.begin_nested():
            session.add(Inbound(key=key, handled_at=at))
    except IntegrityError:
        return False
    return True


def unhandled_inbound(session: Session) -> list[Inbound]:
    """Inputs stored but never handled (the process died first), oldest first."""
    query = select(Inbound).where(Inbound.handled_at.is_(None), Inbound.payload.is_not(None))
    return list(session.exec(query.order_by(Inbound.received_at)))


def mark_handled(session: Session, *, key: str, at: datetime) -> None:
    unhandled = (Inbound.key == key, Inbound.handled_at.is_(None))
    session.execute(update(Inbound).where(*unhandled).values(handled_at=at))


def prune_inbound(session: Session, *, before: datetime) -> int:
    """Forgets handled inputs older than `before` (Telegram redelivers for 24 hours at most)."""
    result = session.execute(
        delete(Inbound).where(Inbound.handled_at.is_not(None), Inbound.handled_at < before)
    )
    return result.rowcount


# -- outbox --------------------------------------------------------------------------------


def add_outbox(session: Session, *, messages: list[dict[str, Any]], at: datetime) -> None:
    """Records messages to send, in this order, in one statement. Each names its chat_id,
    kind, payload and, for a question, its flow_session_id."""
    if not messages:
        return
    defaults = {
        "flow_session_id": None,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }
    session.execute(insert(OutboxMessage), [defaults | message for message in messages])


def supersede_questions(session: Session, *, chat_id: int) -> None:
    """Questions not sent yet are replaced by a newer one: the user never sees both."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == PENDING,
            OutboxMessage.flow_session_id.is_not(None),
        )
        .values(status=SUPERSEDED)
    )


# The sender's statements run for every message sent: built once, run on a bare connection.
_PENDING = (
    select(
        OutboxMessage.chat_id,
        OutboxMessage.id,
        OutboxMessage.kind,
        OutboxMessage.payload,
        OutboxMessage.attempts,
        OutboxMessage.next_attempt_at,
        OutboxMessage.flow_session_id,
    )
    .where(
        OutboxMessage.chat_id.in_(bindparam("chat_ids", expanding=True)),
        OutboxMessage.status == PENDING,
    )
    .order_by(OutboxMessage.id)
)
_MARK_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("outbox_id"))
    .values(
        status=SENT,
        message_id=bindparam("message_id"),
        sent_at=bindparam("at"),
        attempts=OutboxMessage.attempts + 1,
    )
)
_QUESTION_SHOWN = (
    update(FlowSession)
    .where(FlowSession.id == bindparam("flow_session_id"))
    .values(question_message_id=bindparam("message_id"))
)
_MARK_FAILED = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("outbox_id"))
    .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=bindparam("retry_at"))
)


def pending_for_chats(connection: Connection, *, chat_ids: list[int]) -> list[Any]:
    """What waits for these chats, in order, as plain rows starting with the chat id."""
    if not chat_ids:
        return []
    return list(connection.execute(_PENDING, {"chat_ids": list(chat_ids)}))


def document_contents(connection: Connection, *, ids: list[int]) -> dict[int, bytes]:
    if not ids:
        return {}
    query = select(GeneratedDocument.id, GeneratedDocument.content).where(
        GeneratedDocument.id.in_(ids)
    )
    return dict(connection.execute(query).all())


def chats_due(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Chats with a message waiting whose next attempt is due."""
    query = (
        select(OutboxMessage.chat_id)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .distinct()
        .limit(limit)
    )
    return list(session.exec(query))


def earliest_pending(session: Session) -> datetime | None:
    """When the soonest message waiting may be tried again."""
    query = select(OutboxMessage.next_attempt_at).where(OutboxMessage.status == PENDING)
    return session.exec(query.order_by(OutboxMessage.next_attempt_at).limit(1)).first()


def count_pending(session: Session) -> int:
    """How many messages still wait to be sent."""
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == PENDING)
    return session.exec(query).one()


def mark_sent(
    connection: Connection,
    *,
    outbox_id: int,
    message_id: int | None,
    at: datetime,
    flow_session_id: int | None = None,
) -> None:
    """Marks a message sent; a question's message id is remembered on its flow session."""
    connection.execute(_MARK_SENT, {"outbox_id": outbox_id, "message_id": message_id, "at": at})
    if flow_session_id is not None and message_id is not None:
        connection.execute(
            _QUESTION_SHOWN, {"flow_session_id": flow_session_id, "message_id": message_id}
        )


def mark_failed(connection: Connection, *, outbox_id: int, retry_at: datetime) -> None:
    connection.execute(_MARK_FAILED, {"outbox_id": outbox_id, "retry_at": retry_at})


def mark_dropped(session: Session | Connection, *, outbox_id: int) -> None:
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(status=DROPPED)
    )


def drop_chat(session: Session | Connection, *, chat_id: int, at: datetime | None = None) -> int:
    """Gives up what waits for a chat that blocked the bot, and marks its user unreachable
    (check-ins then skip them, and members are told); the answers themselves are kept."""
    if at is not None and chat_id > 0:
        session.execute(
            update(User)
            .where(User.external_id == f"tg:{chat_id}", User.unreachable_at.is_(None))
            .values(unreachable_at=at)
        )
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING)
        .values(status=DROPPED)
    )
    return result.rowcount


def prune_outbox(session: Session, *, before: datetime) -> int:
    """Forgets messages settled (sent, superseded, dropped) before `before`."""
    result = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status != PENDING, OutboxMessage.created_at < before
        )
    )
    return result.rowcount
