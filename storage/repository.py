"""Repository functions: keyword-only, the session first, one query or write each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from storage.models import (
    AnswerRecord,
    FlowSession,
    GeneratedDocument,
    Invitation,
    MeetingNote,
    Membership,
    Partnership,
    StageMove,
    User,
    utcnow,
)

ACTIVE = "active"
NAME_LENGTH = 128
# A run left for another one; its command or button takes it up again.
PAUSED = "paused"
# A partnership's step data, kept as JSON: a list of many partnerships is read without it
# (decoding it is most of the cost), and `complete` loads it for the few shown in full.
STEP_DATA = ("dialogue", "candidates", "convention", "followup")


def get_or_create_user(
    session: Session, *, external_id: str, language: str, name: str | None = None
) -> User:
    # Nothing from a channel is trusted to fit its column.
    name = name.strip()[:NAME_LENGTH] if name else None
    user = session.exec(select(User).where(User.external_id == external_id)).first()
    if user is not None:
        if name and user.display_name != name:
            user.display_name = name
            session.add(user)
        return user
    user = User(external_id=external_id, language=language, display_name=name)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Another process created the same user in between: use theirs.
        return session.exec(select(User).where(User.external_id == external_id)).one()
    return user


def set_language(session: Session, *, user: User, language: str) -> None:
    user.language = language
    session.add(user)


def active_flow_session(session: Session, *, user_id: int, flow: str | None = None):
    query = select(FlowSession).where(FlowSession.user_id == user_id, FlowSession.status == ACTIVE)
    if flow is not None:
        query = query.where(FlowSession.flow == flow)
    return session.exec(query.order_by(FlowSession.id.desc())).first()


def owned_flow_session(session: Session, *, session_id: int, user_id: int) -> FlowSession | None:
    """The session with that id if it belongs to that user, else None."""
    query = select(FlowSession).where(FlowSession.id == session_id, FlowSession.user_id == user_id)
    return session.exec(query).first()


def start_flow_session(
    session: Session,
    *,
    user_id: int,
    flow: str,
    state: dict[str, Any],
    partnership_id: int | None = None,
    round_id: int | None = None,
) -> FlowSession:
    """Opens a new run; the run the user was in is paused, to be resumed later."""
    pause_active(session, user_id=user_id)
    flow_session = FlowSession(
        user_id=user_id, flow=flow, state=state, partnership_id=partnership_id, round_id=round_id
    )
    session.add(flow_session)
    session.flush()
    return flow_session


def pause_active(session: Session, *, user_id: int) -> None:
    previous = active_flow_session(session, user_id=user_id)
    if previous is not None:
        previous.status = PAUSED
        previous.updated_at = utcnow()
        session.add(previous)


def resumable_flow_session(
    session: Session,
    *,
    user_id: int,
    flow: str,
    partnership_id: int | None,
    round_id: int | None = None,
) -> FlowSession | None:
    """The user's unfinished run of that questionnaire (for that partnership and round)."""
    query = select(FlowSession).where(
        FlowSession.user_id == user_id,
        FlowSession.flow == flow,
        FlowSession.status.in_((ACTIVE, PAUSED)),
        FlowSession.partnership_id == partnership_id
        if partnership_id is not None
        else FlowSession.partnership_id.is_(None),
        FlowSession.round_id == round_id
        if round_id is not None
        else FlowSession.round_id.is_(None),
    )
    return session.exec(query.order_by(FlowSession.id.desc())).first()


def resume_flow_session(session: Session, *, flow_session: FlowSession) -> None:
    """Makes a paused run the active one again (the active one is paused)."""
    if flow_session.status != ACTIVE:
        pause_active(session, user_id=flow_session.user_id)
        flow_session.status = ACTIVE
        flow_session.updated_at = utcnow()
        session.add(flow_session)


def save_flow_state(
    session: Session,
    *,
    flow_session: FlowSession,
    state: dict[str, Any],
    status: str,
    answered: tuple[str, Any] | None = None,
) -> None:
    """Writes the run's state, and the answer just given to the answer log."""
    flow_session.state = state
    flow_session.status = status
    flow_session.updated_at = utcnow()
    session.add(flow_session)
    if answered is not None:
        question_id, value = answered
        session.add(AnswerRecord(session_id=flow_session.id, question_id=question_id, value=value))


def question_on_screen(flow_session: FlowSession) -> bool:
    """Whether the message showing the session's current question is known (sent)."""
    return flow_session.question_message_id is not None


def question_message(session: Session, *, flow_session_id: int) -> int | None:
    """The channel's id of the message showing the session's question, when known."""
    flow_session = session.get(FlowSession, flow_session_id)
    return flow_session.question_message_id if flow_session is not None else None


def forget_question_message(session: Session, *, flow_session_id: int) -> None:
    """A new question of the session is on its way: no message is known to show it yet."""
    flow_session = session.get(FlowSession, flow_session_id)
    if flow_session is not None and flow_session.question_message_id is not None:
        flow_session.question_message_id = None
        session.add(flow_session)


def remember_question_message(
    session: Session, *, session_id: int, user_id: int, message_id: int
) -> None:
    flow_session = owned_flow_session(session, session_id=session_id, user_id=user_id)
    if flow_session is not None:
        flow_session.question_message_id = message_id
        session.add(flow_session)


def answer_log(session: Session, *, session_id: int) -> list[AnswerRecord]:
    query = select(AnswerRecord).where(AnswerRecord.session_id == session_id)
    return list(session.exec(query.order_by(AnswerRecord.id)))


def last_done_flow(session: Session, *, user_id: int, flow: str) -> FlowSession | None:
    query = select(FlowSession).where(
        FlowSession.user_id == user_id, FlowSession.flow == flow, FlowSession.status == "done"
    )
    return session.exec(query.order_by(FlowSession.id.desc())).first()


# -- partnerships -------------------------------------------------------------------------


def create_partnership(session: Session, *, user: User, **fields: Any) -> Partnership:
    """A new partnership, its creator as a member, and made the creator's active one."""
    partnership = Partnership(created_by=user.id, **fields)
    session.add(partnership)
    session.flush()
    session.add(Membership(partnership_id=partnership.id, user_id=user.id, role="member"))
    user.active_partnership_id = partnership.id
    session.add(user)
    return partnership


def partnership_for(session: Session, *, user_id: int, partnership_id: int | None):
    """(partnership, role) if the user belongs to it, else None: the access check."""
    if partnership_id is None:
        return None
    query = (
        select(Partnership, Membership.role)
        .join(Membership, Membership.partnership_id == Partnership.id)
        .where(Partnership.id == partnership_id, Membership.user_id == user_id)
    )
    return session.exec(query).first()


def partnerships_of(
    session: Session, *, user_id: int, light: bool = False
) -> list[tuple[Partnership, str]]:
    """The user's partnerships and their role in each; `light` leaves the step data unread."""
    query = (
        select(Partnership, Membership.role)
        .join(Membership, Membership.partnership_id == Partnership.id)
        .where(Membership.user_id == user_id)
        .order_by(Partnership.id)
    )
    return list(session.exec(query.options(*without_step_data(light))))


def without_step_data(light: bool = True) -> list:
    """The loader options of a light read of partnerships (none when `light` is false)."""
    return [defer(getattr(Partnership, name)) for name in STEP_DATA] if light else []


def complete(session: Session, *, partnerships: list[Partnership]) -> None:
    """Loads, in one query, the step data a light read left out of these partnerships."""
    missing = [p.id for p in partnerships if inspect(p).unloaded.intersection(STEP_DATA)]
    if missing:
        session.exec(select(Partnership).where(Partnership.id.in_(missing))).all()


def members_of(session: Session, *, partnership_id: int) -> list[tuple[User, str]]:
    query = (
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.partnership_id == partnership_id)
        .order_by(Membership.id)
    )
    return list(session.exec(query))


def memberships_of(session: Session, *, partnership_id: int) -> list[Membership]:
    query = select(Membership).where(Membership.partnership_id == partnership_id)
    return list(session.exec(query.order_by(Membership.id)))


def toggle_respondent(session: Session, *, partnership_id: int, user_id: int) -> bool:
    """Asks a member to answer the check-ins, or stops; False if they are not a member."""
    query = select(Membership).where(
        Membership.partnership_id == partnership_id, Membership.user_id == user_id
    )
    membership = session.exec(query).first()
    if membership is None or membership.role == "observer":
        return False
    membership.respondent = not membership.respondent
    session.add(membership)
    return True


def add_member(session: Session, *, partnership_id: int, user: User, role: str) -> None:
    session.add(Membership(partnership_id=partnership_id, user_id=user.id, role=role))
    user.active_partnership_id = partnership_id
    session.add(user)


def record_move(
    session: Session, *, partnership: Partnership, user_id: int | None, trigger: str, dest: str
) -> None:
    """Moves the stage and keeps the history: who, when, from, to."""
    session.add(
        StageMove(
            partnership_id=partnership.id,
            user_id=user_id,
            trigger=trigger,
            source=partnership.stage,
            dest=dest,
        )
    )
    partnership.stage = dest
    touch(partnership)
    session.add(partnership)


def claim_revision(session: Session, *, partnership: Partnership, revision: int) -> bool:
    """Whether the partnership is still at `revision`, checked where the row is written: the
    check takes the row (PostgreSQL) or the database (SQLite) until the transaction ends, so
    that of several presses of a button drawn for that revision, one acts and the others,
    let in once it has committed, find the revision changed. The revision itself is not
    changed here (what acts calls `touch`); a claimed partnership is read again."""
    statement = (
        update(Partnership)
        .where(Partnership.id == partnership.id, func.coalesce(Partnership.revision, 0) == revision)
        .values(revision=Partnership.revision)
        .execution_options(synchronize_session=False)
    )
    claimed = session.execute(statement).rowcount == 1
    if claimed:
        # The row as the press that went first left it (read before the wait).
        session.refresh(partnership)
    return claimed


def touch(partnership: Partnership) -> None:
    """Marks a change: buttons drawn for the previous revision no longer act."""
    partnership.revision = (partnership.revision or 0) + 1


def stage_history(session: Session, *, partnership_id: int) -> list[StageMove]:
    query = select(StageMove).where(StageMove.partnership_id == partnership_id)
    return list(session.exec(query.order_by(StageMove.id)))


def add_note(session: Session, *, partnership_id: int, user_id: int, text: str) -> None:
    session.add(MeetingNote(partnership_id=partnership_id, user_id=user_id, text=text))


def notes_of(session: Session, *, partnership_id: int, limit: int = 5) -> list[MeetingNote]:
    query = select(MeetingNote).where(MeetingNote.partnership_id == partnership_id)
    return list(session.exec(query.order_by(MeetingNote.id.desc()).limit(limit)))


def count_notes(session: Session, *, partnership_id: int) -> int:
    query = select(func.count()).where(MeetingNote.partnership_id == partnership_id)
    return session.exec(query).one()


def create_invitation(session: Session, **fields: Any) -> Invitation:
    invitation = Invitation(**fields)
    session.add(invitation)
    session.flush()
    return invitation


def invitation_by_hash(session: Session, *, token_hash: str) -> Invitation | None:
    query = select(Invitation).where(Invitation.token_hash == token_hash)
    return session.exec(query).first()


def open_invitations(session: Session, *, partnership_id: int) -> list[Invitation]:
    """The partnership's invitations neither used nor revoked (expired ones included)."""
    query = select(Invitation).where(
        Invitation.partnership_id == partnership_id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    return list(session.exec(query.order_by(Invitation.id)))


def revoke_invitation(session: Session, *, invitation: Invitation, at: datetime) -> None:
    invitation.revoked_at = at
    session.add(invitation)


def use_invitation(session: Session, *, invitation: Invitation, user_id: int, at: datetime) -> bool:
    """Takes the invitation for this user if it is still open, in one conditional update:
    of several people redeeming it at the same moment, one gets True. The invitation is
    read again, as the others left it when False."""
    statement = (
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_by=user_id, used_at=at)
        .execution_options(synchronize_session=False)
    )
    taken = session.execute(statement).rowcount == 1
    session.refresh(invitation)
    return taken


def add_document(
    session: Session,
    *,
    partnership_id: int,
    kind: str,
    file_name: str,
    content: bytes,
    created_by: int,
    series: str = "",
) -> GeneratedDocument:
    """Keeps a generated document as the next version of its kind; with a series (how its
    file name starts, which says its language), the next of its kind in that series."""
    query = select(func.max(GeneratedDocument.version)).where(
        GeneratedDocument.partnership_id == partnership_id, GeneratedDocument.kind == kind
    )
    if series:
        query = query.where(GeneratedDocument.file_name.startswith(series, autoescape=True))
    latest = session.exec(query).one()
    document = GeneratedDocument(
        partnership_id=partnership_id,
        kind=kind,
        version=(latest or 0) + 1,
        file_name=file_name,
        content=content,
        created_by=created_by,
    )
    session.add(document)
    session.flush()
    return document


def documents_of(session: Session, *, partnership_id: int) -> list[GeneratedDocument]:
    """The versions of a partnership's documents, newest first, without their bytes."""
    query = (
        select(GeneratedDocument)
        .where(GeneratedDocument.partnership_id == partnership_id)
        .options(defer(GeneratedDocument.content))
    )
    return list(session.exec(query.order_by(GeneratedDocument.id.desc())))


def has_document(session: Session, *, partnership_id: int, kind: str) -> bool:
    query = select(GeneratedDocument.id).where(
        GeneratedDocument.partnership_id == partnership_id, GeneratedDocument.kind == kind
    )
    return session.exec(query.limit(1)).first() is not None


def document_of(session: Session, *, partnership_id: int, document_id: int):
    """A document of that partnership, else None: the caller has checked the partnership."""
    query = select(GeneratedDocument).where(
        GeneratedDocument.id == document_id, GeneratedDocument.partnership_id == partnership_id
    )
    return session.exec(query).first()


def document_for(session: Session, *, document_id: int, user_id: int):
    """A document if the user belongs to its partnership, else None."""
    query = (
        select(GeneratedDocument)
        .join(Membership, Membership.partnership_id == GeneratedDocument.partnership_id)
        .where(GeneratedDocument.id == document_id, Membership.user_id == user_id)
    )
    return session.exec(query).first()
