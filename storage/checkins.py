"""Repository functions of the evaluation check-ins: rounds, invites, and the claims that make
each message go out once, whatever number of dispatchers run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import CheckInInvite, CheckInRound, FlowSession, Membership, Partnership, User

OPEN, CLOSED = "open", "closed"
# Stages in which a partnership is evaluated.
EVALUATED_STAGES = ("implementation", "evaluation")


def evaluated_partnerships(
    session: Session, *, after_id: int = 0, limit: int = 200, lock: bool = False
) -> list[Partnership]:
    """Partnerships in implementation or evaluation, by id, a batch at a time. With `lock`,
    the rows are locked and rows another dispatcher holds are skipped (PostgreSQL)."""
    query = (
        select(Partnership)
        .where(Partnership.stage.in_(EVALUATED_STAGES), Partnership.id > after_id)
        .order_by(Partnership.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query))


def rounds_of(session: Session, *, partnership_id: int) -> list[CheckInRound]:
    query = select(CheckInRound).where(CheckInRound.partnership_id == partnership_id)
    return list(session.exec(query.order_by(CheckInRound.due_at, CheckInRound.id)))


def latest_rounds(
    session: Session, *, partnership_ids: list[int]
) -> dict[tuple[int, str], datetime]:
    """The latest due date of each partnership's rounds, by (partnership, kind)."""
    if not partnership_ids:
        return {}
    query = (
        select(CheckInRound.partnership_id, CheckInRound.kind, func.max(CheckInRound.due_at))
        .where(CheckInRound.partnership_id.in_(partnership_ids))
        .group_by(CheckInRound.partnership_id, CheckInRound.kind)
    )
    return {(pid, kind): due for pid, kind, due in session.exec(query)}


def open_round(
    session: Session, *, partnership_id: int, kind: str, due_at: datetime, origin: str, at: datetime
) -> CheckInRound | None:
    """A new round, unless one exists for that partnership, kind and due date already."""
    round_ = CheckInRound(
        partnership_id=partnership_id, kind=kind, due_at=due_at, origin=origin, opened_at=at
    )
    try:
        with session.begin_nested():
            session.add(round_)
    except IntegrityError:
        return None
    return round_


def open_rounds(session: Session, *, limit: int = 500, after_id: int = 0) -> list[CheckInRound]:
    query = (
        select(CheckInRound)
        .where(CheckInRound.status == OPEN, CheckInRound.id > after_id)
        .order_by(CheckInRound.id)
        .limit(limit)
    )
    return list(session.exec(query))


def respondents(session: Session, *, partnership_id: int) -> list[tuple[User, str]]:
    """The members asked to answer check-ins, with their role."""
    query = (
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.partnership_id == partnership_id, Membership.respondent.is_(True))
        .order_by(Membership.id)
    )
    return list(session.exec(query))


def add_invite(session: Session, *, round_id: int, user_id: int, side: str) -> None:
    try:
        with session.begin_nested():
            session.add(CheckInInvite(round_id=round_id, user_id=user_id, side=side))
    except IntegrityError:
        pass  # invited already


def invites_of(session: Session, *, round_id: int) -> list[CheckInInvite]:
    query = select(CheckInInvite).where(CheckInInvite.round_id == round_id)
    return list(session.exec(query.order_by(CheckInInvite.id)))


def invite_for(session: Session, *, round_id: int, user_id: int) -> CheckInInvite | None:
    query = select(CheckInInvite).where(
        CheckInInvite.round_id == round_id, CheckInInvite.user_id == user_id
    )
    return session.exec(query).first()


def claim(session: Session, invite_id: int, *, column: str, expected, value) -> bool:
    """Sets one field of an invite if it still holds `expected`: True for the one process
    that did it (the message that goes with it is then recorded, once)."""
    field = getattr(CheckInInvite, column)
    condition = field.is_(None) if expected is None else field == expected
    result = session.execute(
        update(CheckInInvite)
        .where(CheckInInvite.id == invite_id, condition)
        .values({column: value})
    )
    return result.rowcount == 1


def close(session: Session, *, round_id: int, at: datetime) -> bool:
    """Closes an open round; True for the one process that did it."""
    result = session.execute(
        update(CheckInRound)
        .where(CheckInRound.id == round_id, CheckInRound.status == OPEN)
        .values(status=CLOSED, closed_at=at)
    )
    return result.rowcount == 1


def answers_of(session: Session, *, round_id: int) -> list[tuple[int, dict]]:
    """Each respondent's answers to a round so far: (user id, answers), finished or not."""
    query = select(FlowSession.user_id, FlowSession.state).where(FlowSession.round_id == round_id)
    return [(user_id, dict(state.get("answers") or {})) for user_id, state in session.exec(query)]


def closed_rounds(session: Session, *, partnership_id: int, kind: str) -> list[CheckInRound]:
    query = select(CheckInRound).where(
        CheckInRound.partnership_id == partnership_id,
        CheckInRound.kind == kind,
        CheckInRound.status == CLOSED,
    )
    return list(session.exec(query.order_by(CheckInRound.closed_at)))
