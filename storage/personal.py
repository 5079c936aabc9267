"""A person's data: everything stored about them, and erasing it.

Erasing keeps what partnerships other people still use (their history, a round's scores, a
note) attached to an anonymous placeholder, so those partnerships still open; everything
else about the person goes: the partnerships only they belonged to, their own
questionnaires, their personal files, the messages kept for their chat, and their name
and Telegram id from what other chats keep (storage/redaction.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import redaction, web
from storage.addresses import chat_of
from storage.db import session_scope
from storage.models import (
    AnswerRecord,
    CheckInInvite,
    CheckInRound,
    Coordinator,
    FlowSession,
    GeneratedDocument,
    Inbound,
    Invitation,
    MeetingNote,
    Membership,
    Organisation,
    OutboxMessage,
    Partnership,
    StageMove,
    User,
    WebLogin,
    WebSession,
)

PERSONAL_FILE = "personal_data"


def collect(session: Session, *, user: User) -> dict[str, Any]:
    """Everything the database holds about the user, as plain data."""
    memberships = session.execute(
        select(Membership, Partnership)
        .join(Partnership, Partnership.id == Membership.partnership_id)
        .where(Membership.user_id == user.id)
    ).all()
    return {
        "user": {
            "telegram": user.external_id,
            "name": user.display_name,
            "language": user.language,
            "created_at": user.created_at,
            "unreachable_since": user.unreachable_at,
        },
        "partnerships": [
            {"id": p.id, "name": p.name, "role": m.role, "answers_check_ins": m.respondent}
            for m, p in memberships
        ],
        "questionnaires": _runs(session, user.id),
        "meeting_notes": _rows(
            session,
            MeetingNote.user_id == user.id,
            partnership_id="partnership_id",
            text="text",
            at="written_at",
        ),
        # The organisations they named: their details, the representative among them.
        "organisations_created": _rows(
            session,
            Organisation.created_by == user.id,
            id="id",
            name="name",
            kind="kind",
            legal_form="legal_form",
            seat="seat",
            identifier="identifier",
            representative="representative",
            created_at="created_at",
        ),
        # The organisations they follow as a coordinator.
        "organisations_followed": _rows(
            session,
            Coordinator.user_id == user.id,
            organisation_id="organisation_id",
            since="joined_at",
        ),
        "invitations_created": _rows(
            session,
            Invitation.created_by == user.id,
            partnership_id="partnership_id",
            role="role",
            created_at="created_at",
        ),
        "check_ins": _rows(
            session,
            CheckInInvite.user_id == user.id,
            round_id="round_id",
            answered_at="answered_at",
            reminders="reminders",
        ),
        "stage_moves": _rows(
            session,
            StageMove.user_id == user.id,
            partnership_id="partnership_id",
            to="dest",
            at="moved_at",
        ),
        # The dashboard: when they signed in, how, and the links /tableau gave them.
        "dashboard_sessions": _rows(
            session,
            WebSession.user_id == user.id,
            opened_via="via",
            opened_at="created_at",
            expires_at="expires_at",
        ),
        "dashboard_links": _rows(
            session,
            WebLogin.user_id == user.id,
            created_at="created_at",
            expires_at="expires_at",
            used_at="used_at",
        ),
    }


def _rows(session: Session, condition, **fields: str) -> list[dict[str, Any]]:
    """The rows of the table `condition` is on, as {name: the column named for it}."""
    table = condition.left.table
    found = session.execute(select(table).where(condition)).all()
    return [{name: getattr(row, column) for name, column in fields.items()} for row in found]


def _runs(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's questionnaires with their answers, read in two queries."""
    runs = session.execute(
        select(FlowSession).where(FlowSession.user_id == user_id).order_by(FlowSession.id)
    ).scalars()
    answers = session.execute(
        select(AnswerRecord)
        .join(FlowSession, FlowSession.id == AnswerRecord.session_id)
        .where(FlowSession.user_id == user_id)
        .order_by(AnswerRecord.id)
    ).scalars()
    given: dict[int, list[dict[str, Any]]] = {}
    for answer in answers:
        given.setdefault(answer.session_id, []).append(
            {"question": answer.question_id, "value": answer.value}
        )
    return [
        {
            "questionnaire": run.flow,
            "partnership_id": run.partnership_id,
            "status": run.status,
            "answers": given.get(run.id, []),
        }
        for run in runs
    ]


def add_personal_file(session: Session, *, user: User, file_name: str, content: bytes):
    """Keeps the user's data as a file to send them; erased with them."""
    document = GeneratedDocument(
        partnership_id=None,
        kind=PERSONAL_FILE,
        version=1,
        file_name=file_name,
        content=content,
        created_by=user.id,
    )
    session.add(document)
    session.flush()
    return document


def erase(session: Session, *, user: User, chat_id: int | None, at: datetime) -> dict[str, int]:
    """Erases the user's personal data; returns what was removed and what was kept."""
    mine = list(
        session.execute(
            select(Membership.partnership_id).where(Membership.user_id == user.id)
        ).scalars()
    )
    others = dict(
        session.execute(
            select(Membership.partnership_id, func.count())
            .where(Membership.partnership_id.in_(mine), Membership.user_id != user.id)
            .group_by(Membership.partnership_id)
        ).all()
    )
    alone = [pid for pid in mine if not others.get(pid)]
    shared = [pid for pid in mine if others.get(pid)]
    for pid in alone:
        _delete_partnership(session, pid)
    session.execute(delete(Membership).where(Membership.user_id == user.id))
    # Their own questionnaires (the diagnosis, one never tied to a shared partnership).
    own_runs = select(FlowSession.id).where(
        FlowSession.user_id == user.id,
        or_(FlowSession.partnership_id.is_(None), FlowSession.partnership_id.not_in(shared)),
    )
    session.execute(delete(AnswerRecord).where(AnswerRecord.session_id.in_(own_runs)))
    session.execute(delete(FlowSession).where(FlowSession.id.in_(own_runs)))
    session.execute(
        delete(GeneratedDocument).where(
            GeneratedDocument.partnership_id.is_(None), GeneratedDocument.created_by == user.id
        )
    )
    session.execute(
        delete(Invitation).where(Invitation.used_at.is_(None), Invitation.created_by == user.id)
    )
    # Following an organisation's partnerships ends with the person.
    session.execute(delete(Coordinator).where(Coordinator.user_id == user.id))
    _delete_unused_organisations(session, user.id)
    # Every dashboard they had open is signed out; their unused links stop working.
    web.forget_user(session, user_id=user.id)
    person = redaction.Erased(user.display_name, chat_id)
    if chat_id is not None:
        person = replace(person, username=redaction.username_of(session, chat_id))
        session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        session.execute(delete(Inbound).where(Inbound.chat_id == chat_id))
    _forget_elsewhere(session, person)
    # What stays (their history in shared partnerships) points to no one.
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(external_id=f"erased:{user.id}", display_name=None, unreachable_at=None)
    )
    return {"partnerships_deleted": len(alone), "partnerships_kept": len(shared)}


def _delete_partnership(session: Session, pid: int) -> None:
    """A partnership nobody else belongs to, with everything it holds."""
    rounds = select(CheckInRound.id).where(CheckInRound.partnership_id == pid)
    runs = select(FlowSession.id).where(FlowSession.partnership_id == pid)
    session.execute(delete(CheckInInvite).where(CheckInInvite.round_id.in_(rounds)))
    session.execute(delete(AnswerRecord).where(AnswerRecord.session_id.in_(runs)))
    session.execute(delete(FlowSession).where(FlowSession.partnership_id == pid))
    for table in (CheckInRound, GeneratedDocument, MeetingNote, StageMove, Invitation, Membership):
        session.execute(delete(table).where(table.partnership_id == pid))
    session.execute(delete(Partnership).where(Partnership.id == pid))


def _delete_unused_organisations(session: Session, user_id: int) -> None:
    """The organisations the person named that nothing uses any more go, with their
    details (a representative is a person); one a shared partnership still names stays with
    it, as that partnership's convention keeps the details typed in it."""
    used = [
        select(Partnership.our_organisation_id),
        select(Partnership.partner_organisation_id),
        select(Invitation.organisation_id),
        select(Coordinator.organisation_id),
    ]
    query = delete(Organisation).where(Organisation.created_by == user_id)
    for ids in used:
        column = ids.selected_columns[0]
        query = query.where(Organisation.id.not_in(ids.where(column.is_not(None))))
    session.execute(query)


def _forget_elsewhere(session: Session, person: redaction.Erased) -> None:
    """What other chats keep that shows the person: the messages the bot sent others (her
    name in a list of respondents), the updates others sent (a press on such a screen, a
    group message answering hers), and the updates she sent outside her private chat (in a
    group, or kept before chats were recorded), which go."""
    chat_id = person.telegram_id
    redaction.from_outbox(session, person)
    redaction.from_inbound(
        session, person, hers=lambda payload: chat_id is not None and _from_chat(payload, chat_id)
    )


def _from_chat(payload: dict, chat_id: int) -> bool:
    for value in payload.values():
        if isinstance(value, dict):
            sender = value.get("from") or {}
            chat = value.get("chat") or (value.get("message") or {}).get("chat") or {}
            if chat_id in (sender.get("id"), chat.get("id")):
                return True
    return False


# Rows removed, or people erased, per transaction of a purge.
PURGE_BATCH = 1000


def purge(engine: Engine, *, before: datetime, batch: int = PURGE_BATCH) -> dict[str, int]:
    """Removes what has passed its retention: personal files, settled messages and handled
    updates older than `before`, and the people who belong to no partnership and have not
    answered anything since. Each batch (of `batch` rows, or one person) is its own short
    transaction, so the bot goes on saving answers meanwhile (SQLite has one writer at a
    time); run again, it finds nothing more."""
    from storage import delivery

    return {
        "people": _erase_idle(engine, before),
        "files": _in_batches(engine, lambda db: _personal_files(db, before, batch), batch),
        "messages": _in_batches(
            engine, lambda db: delivery.prune_outbox(db, before=before, limit=batch), batch
        ),
        "updates": _in_batches(
            engine, lambda db: delivery.prune_inbound(db, before=before, limit=batch), batch
        ),
    }


def _in_batches(engine: Engine, step: Callable[[Session], int], batch: int) -> int:
    """Runs `step` (which removes at most `batch` rows) in a transaction of its own, again
    until it removes less: how many rows it removed in all."""
    total = 0
    while True:
        with session_scope(engine) as db:
            removed = step(db)
        total += removed
        if removed < batch:
            return total


def _personal_files(session: Session, before: datetime, limit: int) -> int:
    old = (
        select(GeneratedDocument.id)
        .where(GeneratedDocument.partnership_id.is_(None), GeneratedDocument.created_at < before)
        .order_by(GeneratedDocument.id)
        .limit(limit)
    )
    ids = list(session.execute(old).scalars())
    if ids:
        session.execute(delete(GeneratedDocument).where(GeneratedDocument.id.in_(ids)))
    return len(ids)


def _erase_idle(engine: Engine, before: datetime) -> int:
    """Erases, one per transaction, the people who belong to no partnership and have not
    answered anything since `before`; how many."""
    erased, after = 0, 0
    while True:
        with session_scope(engine) as db:
            user = db.execute(_idle(before).where(User.id > after).limit(1)).scalars().first()
            if user is None:
                return erased
            erase(db, user=user, chat_id=chat_of(user.external_id), at=before)
        erased, after = erased + 1, user.id


def _idle(before: datetime):
    recent = select(FlowSession.user_id).where(FlowSession.updated_at >= before)
    members = select(Membership.user_id)
    return (
        select(User)
        .where(
            User.created_at < before,
            User.id.not_in(recent),
            User.id.not_in(members),
            User.external_id.not_like("erased:%"),
        )
        .order_by(User.id)
    )
