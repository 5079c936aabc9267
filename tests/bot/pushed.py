"""Partnerships with organisations, coordinators, alerts and health, as the health rules
and the invitations would leave them: what the dispatcher pushes is tested from there."""

from __future__ import annotations

from sqlmodel import select

from storage import repository
from storage.db import make_engine, session_scope
from storage.models import (
    Alert,
    Coordinator,
    Organisation,
    OutboxMessage,
    Partnership,
    PartnershipHealth,
    User,
)


def organisation(database_url: str, name: str) -> int:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        found = Organisation(name=name)
        db.add(found)
        db.flush()
        oid = found.id
    engine.dispose()
    return oid


def partnership(
    database_url: str,
    *,
    name: str,
    ours: int,
    theirs: int,
    members: tuple[int, ...] = (),
    contacts: tuple[int, ...] = (),
    observers: tuple[int, ...] = (),
    stage: str = "implementation",
    followup: dict | None = None,
) -> int:
    """A partnership between organisations `ours` and `theirs`; people as Telegram ids, the
    first member its creator."""
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        owner = _user(db, members[0])
        created = repository.create_partnership(
            db, user=owner, name=name, our_organisation="Ours", partner_name="Theirs"
        )
        created.our_organisation_id, created.partner_organisation_id = ours, theirs
        created.stage = stage
        created.followup = followup or {}
        db.add(created)
        db.flush()
        for chats, role in (
            (members[1:], "member"),
            (contacts, "partner"),
            (observers, "observer"),
        ):
            for chat in chats:
                repository.add_member(
                    db, partnership_id=created.id, user=_user(db, chat), role=role
                )
        pid = created.id
    engine.dispose()
    return pid


def coordinator(database_url: str, chat: int, *organisation_ids: int, language: str = "fr") -> int:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        user = _user(db, chat, language)
        for oid in organisation_ids:
            db.add(Coordinator(organisation_id=oid, user_id=user.id))
        uid = user.id
    engine.dispose()
    return uid


def alert(
    database_url: str, pid: int, signal: str, *, level: str = "amber", state: str = "new", **details
) -> int:
    """An alert as the health rules raise it."""
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        row = Alert(partnership_id=pid, signal=signal, level=level, state=state, details=details)
        db.add(row)
        db.flush()
        aid = row.id
    engine.dispose()
    return aid


def health(database_url: str, pid: int, light: str, *reasons: dict) -> None:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        db.merge(PartnershipHealth(partnership_id=pid, light=light, reasons=list(reasons)))
    engine.dispose()


def alert_row(database_url: str, aid: int) -> Alert:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        row = db.get(Alert, aid)
        db.expunge(row)
    engine.dispose()
    return row


def outbox_texts(database_url: str) -> dict[int, list[str]]:
    """What the outbox holds, by chat, in order."""
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(row.chat_id, []).append(row.payload.get("text", ""))
    engine.dispose()
    return found


def stage_of(database_url: str, pid: int) -> str:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        stage = db.get(Partnership, pid).stage
    engine.dispose()
    return stage


def _user(db, chat: int, language: str = "fr") -> User:
    return repository.get_or_create_user(
        db, external_id=f"tg:{chat}", language=language, name=f"Person {chat}"
    )
