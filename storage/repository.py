"""Repository functions: keyword-only, the session first, one query or write each."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import AnswerRecord, FlowSession, User, utcnow

ACTIVE = "active"


def get_or_create_user(session: Session, *, external_id: str, language: str) -> User:
    user = session.exec(select(User).where(User.external_id == external_id)).first()
    if user is not None:
        return user
    user = User(external_id=external_id, language=language)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Another process created the same user in between: use theirs.
        return session.exec(select(User).where(User.external_id == external_id)).one()
    return user


def claim_update(session: Session, *, user: User, update_id: int | None) -> bool:
    """Records that this update is being handled; False if it was handled already."""
    if update_id is None:
        return True
    if user.last_update_id is not None and update_id <= user.last_update_id:
        return False
    user.last_update_id = update_id
    session.add(user)
    return True


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
    session: Session, *, user_id: int, flow: str, state: dict[str, Any]
) -> FlowSession:
    """Opens a new run; an older active run of the same flow is closed as cancelled."""
    previous = active_flow_session(session, user_id=user_id, flow=flow)
    if previous is not None:
        previous.status = "cancelled"
        previous.updated_at = utcnow()
        session.add(previous)
    flow_session = FlowSession(user_id=user_id, flow=flow, state=state)
    session.add(flow_session)
    session.flush()
    return flow_session


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
