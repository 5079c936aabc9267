"""Repository functions of the delivery: inputs kept until handled, messages kept until sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, or_, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from storage.addresses import Address
from storage.models import FlowSession, GeneratedDocument, Inbound, OutboxMessage, User

PENDING = "pending"
SENT = "sent"
SUPERSEDED = "superseded"
DROPPED = "dropped"
# Waits for a terminal user ("console:<name>"), who sees it at their next prompt; its chat_id
# is then the user's id. The Telegram sender reads pending rows only: never these.
TERMINAL = "terminal"


# -- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """An input to keep: its channel-unique key, raw payload, chat and place in order."""

    key: str
    payload: dict
    chat_id: int | None = None
    seq: int | None = None


def store_inbound(session: Session, *, items: list[Input], at: datetime) -> list[str]:
    """Keeps inputs not seen before; returns the keys that are new (a redelivery is not)."""
    if not items:
        return []
    keys = [item.key for item in items]
    known = set(session.exec(select(Inbound.key).where(Inbound.key.in_(keys))))
    fresh = []
    for item in items:
        if item.key in known or item.key in fresh:
            continue
        row = Inbound(
            key=item.key, payload=item.payload, chat_id=item.chat_id, seq=item.seq, received_at=at
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue  # stored by another process in between
        fresh.append(item.key)
    return fresh


def take_turn(session: Session, *, chat_id: int, seq: int) -> list[dict]:
    """Serialises the chat's inputs across instances for the rest of the caller's
    transaction, and returns the chat's earlier inputs kept but not handled yet (received by
    another instance at the same moment): those go first, so a chat's inputs apply in order.
    """
    lock_chats(session, [chat_id], namespace=INPUTS)
    query = (
        select(Inbound.payload)
        .where(
            Inbound.chat_id == chat_id,
            Inbound.handled_at.is_(None),
            Inbound.seq < seq,
            Inbound.payload.is_not(None),
        )
        .order_by(Inbound.seq)
    )
    return list(session.exec(query))


# Advisory lock spaces, so a chat's inputs and its outbox are locked independently.
INPUTS, OUTBOX = 1, 2


def lock_chats(session: Session | Connection, chat_ids: list[int], *, namespace: int) -> None:
    """PostgreSQL advisory locks on chats until the transaction ends, always taken in the
    same order, so two lockers never wait for each other (a chat's key may collide with
    another's: they then merely wait in turn); nothing on SQLite, where a write transaction
    holds the whole database already."""
    if not chat_ids or _dialect(session) != "postgresql":
        return
    keys = sorted({chat_id % 2**31 for chat_id in chat_ids})
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, k) FROM unnest(CAST(:keys AS int[])) AS k"),
        {"space": namespace, "keys": keys},
    )


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


def prune_inbound(session: Session, *, before: datetime, limit: int | None = None) -> int:
    """Forgets handled inputs older than `before` (Telegram redelivers for 24 hours at most);
    at most `limit` of them, the oldest, when given."""
    old = select(Inbound.key).where(Inbound.handled_at.is_not(None), Inbound.handled_at < before)
    if limit is not None:
        old = old.order_by(Inbound.handled_at).limit(limit)
    return session.execute(delete(Inbound).where(Inbound.key.in_(old))).rowcount


def _dialect(session: Session | Connection) -> str:
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name


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
_OTHER = aliased(OutboxMessage)
# A chat whose messages another live instance is sending: left to it, so they keep order.
_SENT_ELSEWHERE = (
    exists()
    .where(
        _OTHER.chat_id == OutboxMessage.chat_id,
        _OTHER.status == PENDING,
        _OTHER.claimed_by != bindparam("holder"),
        _OTHER.claimed_until > bindparam("now"),
    )
    .correlate(OutboxMessage)
)
_CLAIM = (
    update(OutboxMessage)
    .where(
        OutboxMessage.chat_id.in_(bindparam("chat_ids", expanding=True)),
        OutboxMessage.status == PENDING,
        ~_SENT_ELSEWHERE,
    )
    .values(claimed_by=bindparam("holder"), claimed_until=bindparam("until"))
    .returning(
        OutboxMessage.chat_id,
        OutboxMessage.id,
        OutboxMessage.kind,
        OutboxMessage.payload,
        OutboxMessage.attempts,
        OutboxMessage.next_attempt_at,
        OutboxMessage.flow_session_id,
    )
)
_BUSY = (
    select(OutboxMessage.chat_id)
    .where(
        OutboxMessage.chat_id.in_(bindparam("chat_ids", expanding=True)),
        OutboxMessage.status == PENDING,
        OutboxMessage.claimed_by != bindparam("holder"),
        OutboxMessage.claimed_until > bindparam("now"),
    )
    .distinct()
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


def claim_pending(
    connection: Connection, *, chat_ids: list[int], holder: str, now: datetime, until: datetime
) -> tuple[list[Any], set[int]]:
    """Claims what waits for these chats, for `holder` until `until`: the rows, in order, as
    plain rows starting with the chat id; and the chats another live instance is sending,
    left to it. A claim of a dead instance lapses at its `until`."""
    if not chat_ids:
        return [], set()
    chat_ids = list(chat_ids)
    lock_chats(connection, chat_ids, namespace=OUTBOX)
    rows = list(
        connection.execute(
            _CLAIM, {"chat_ids": chat_ids, "holder": holder, "now": now, "until": until}
        )
    )
    rows.sort(key=lambda row: row.id)
    claimed = {row.chat_id for row in rows}
    others = [chat for chat in chat_ids if chat not in claimed]
    busy: set[int] = set()
    if others:
        params = {"chat_ids": others, "holder": holder, "now": now}
        busy = set(connection.execute(_BUSY, params).scalars())
    return rows, busy


def release_claims(connection: Connection, *, holder: str, ids: list[int] | None = None) -> None:
    """Lets other instances send what this one claimed and did not settle (all of it when
    `ids` is None: the instance stops)."""
    query = update(OutboxMessage).where(
        OutboxMessage.claimed_by == holder, OutboxMessage.status == PENDING
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    connection.execute(query.values(claimed_by=None, claimed_until=None))


def claim_holders(connection: Connection, *, now: datetime) -> list[str]:
    """The instances holding claims that have not lapsed."""
    query = (
        select(OutboxMessage.claimed_by)
        .where(OutboxMessage.status == PENDING, OutboxMessage.claimed_until > now)
        .distinct()
    )
    return list(connection.execute(query).scalars())


def renew_claims(connection: Connection, *, holder: str, until: datetime) -> None:
    """Keeps this live instance's claims from lapsing while it sends."""
    connection.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == holder, OutboxMessage.status == PENDING)
        .values(claimed_until=until)
    )


def document_contents(connection: Connection, *, ids: list[int]) -> dict[int, bytes]:
    if not ids:
        return {}
    query = select(GeneratedDocument.id, GeneratedDocument.content).where(
        GeneratedDocument.id.in_(ids)
    )
    return dict(connection.execute(query).all())


def chats_due(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Chats with a message waiting whose next attempt is due, and which no live instance
    is sending."""
    query = (
        select(OutboxMessage.chat_id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
            _unclaimed(now),
        )
        .distinct()
        .limit(limit)
    )
    return list(session.exec(query))


def _unclaimed(now: datetime):
    """A message no live instance is sending."""
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)


def earliest_pending(session: Session, *, now: datetime) -> datetime | None:
    """When the soonest message waiting, and not being sent by a live instance, may be tried
    again."""
    query = select(OutboxMessage.next_attempt_at).where(
        OutboxMessage.status == PENDING, _unclaimed(now)
    )
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
            .where(
                User.external_id == str(Address.telegram(chat_id)),
                User.unreachable_at.is_(None),
            )
            .values(unreachable_at=at)
        )
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING)
        .values(status=DROPPED)
    )
    return result.rowcount


def prune_outbox(session: Session, *, before: datetime, limit: int | None = None) -> int:
    """Forgets messages settled (sent, superseded, dropped) before `before`; at most `limit`
    of them, the oldest, when given."""
    old = select(OutboxMessage.id).where(
        OutboxMessage.status.not_in((PENDING, TERMINAL)), OutboxMessage.created_at < before
    )
    if limit is not None:
        old = old.order_by(OutboxMessage.id).limit(limit)
    return session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(old))).rowcount


# -- messages for terminal users -------------------------------------------------------------


def add_for_terminal(
    session: Session, *, external_id: str, messages: list[dict[str, Any]], at: datetime
) -> None:
    """Keeps messages for a terminal user until they read them (see TERMINAL)."""
    user_id = session.exec(select(User.id).where(User.external_id == external_id)).first()
    if user_id is None or not messages:
        return
    add_outbox(
        session,
        messages=[{**message, "chat_id": user_id, "status": TERMINAL} for message in messages],
        at=at,
    )


def for_terminal(session: Session, *, external_id: str) -> list[OutboxMessage]:
    """What waits for a terminal user, oldest first."""
    user_id = select(User.id).where(User.external_id == external_id).scalar_subquery()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.chat_id == user_id, OutboxMessage.status == TERMINAL)
        .order_by(OutboxMessage.id)
    )
    return list(session.exec(query))


def mark_shown(session: Session, *, ids: list[int], at: datetime) -> None:
    """Messages a terminal printed: shown once."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == TERMINAL)
            .values(status=SENT, sent_at=at)
        )
