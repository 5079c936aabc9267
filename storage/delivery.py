"""Repository functions of the delivery: inputs kept until handled, messages kept until sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import FlowSession, Inbound, OutboxMessage, User

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


def add_outbox(
    session: Session,
    *,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    flow_session_id: int | None = None,
    at: datetime,
) -> OutboxMessage:
    message = OutboxMessage(
        chat_id=chat_id,
        kind=kind,
        payload=payload,
        flow_session_id=flow_session_id,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(message)
    return message


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


def pending_for_chat(session: Session, *, chat_id: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING
    )
    return list(session.exec(query.order_by(OutboxMessage.id)))


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


def mark_sent(session: Session, *, outbox_id: int, message_id: int | None, at: datetime) -> None:
    """Marks a message sent; a question's message id is remembered on its flow session."""
    message = session.get(OutboxMessage, outbox_id)
    if message is None:
        return
    message.status, message.message_id, message.sent_at = SENT, message_id, at
    message.attempts += 1
    session.add(message)
    if message.flow_session_id is not None and message_id is not None:
        flow_session = session.get(FlowSession, message.flow_session_id)
        if flow_session is not None:
            flow_session.question_message_id = message_id
            session.add(flow_session)


def mark_failed(session: Session, *, outbox_id: int, retry_at: datetime) -> None:
    message = session.get(OutboxMessage, outbox_id)
    if message is not None:
        message.attempts += 1
        message.next_attempt_at = retry_at
        session.add(message)


def mark_dropped(session: Session, *, outbox_id: int) -> None:
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(status=DROPPED)
    )


def drop_chat(session: Session, *, chat_id: int, at: datetime | None = None) -> int:
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
