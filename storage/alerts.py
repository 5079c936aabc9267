"""Repository functions of what the dispatcher pushes: alerts to the partnerships' members,
weekly digests to coordinators, and the steering meetings a health signal reads. Each message
is claimed once, whatever number of dispatchers run."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.models import (
    Alert,
    Coordinator,
    Digest,
    MeetingNote,
    Membership,
    Partnership,
    User,
)

NEW, SEEN, HANDLED, CLEARED = "new", "seen", "handled", "cleared"
STEERING = "steering"


def alerts_to_notify(
    session: Session, *, after_id: int = 0, limit: int = 200, lock: bool = False
) -> list[Alert]:
    """New alerts whose message is not recorded yet, by id, a batch at a time. With `lock`,
    the rows are locked and rows another dispatcher holds are skipped (PostgreSQL)."""
    query = (
        select(Alert)
        .where(Alert.state == NEW, Alert.notified_at.is_(None), Alert.id > after_id)
        .order_by(Alert.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query))


def claim_notified(session: Session, *, alert_id: int, at: datetime) -> bool:
    """Marks the alert's message as recorded; False when another transaction did first."""
    statement = (
        update(Alert)
        .where(Alert.id == alert_id, Alert.notified_at.is_(None), Alert.state == NEW)
        .values(notified_at=at)
    )
    return session.execute(statement).rowcount == 1


def audience_of(session: Session, *, partnership_ids: list[int]) -> list[Recipient]:
    """Everyone an alert goes to: the members of both organisations, then the coordinators of
    either organisation (role "coordinator"); a person who is both comes as a member."""
    if not partnership_ids:
        return []
    members = (
        select(
            Membership.partnership_id,
            Membership.user_id,
            Membership.role,
            User.external_id,
            User.language,
            User.unreachable_at,
        )
        .join(User, Membership.user_id == User.id)
        .where(Membership.partnership_id.in_(partnership_ids))
        .order_by(Membership.partnership_id, Membership.id)
    )
    coordinators = (
        select(
            Partnership.id,
            Coordinator.user_id,
            User.external_id,
            User.language,
            User.unreachable_at,
        )
        .join(
            Coordinator,
            (Coordinator.organisation_id == Partnership.our_organisation_id)
            | (Coordinator.organisation_id == Partnership.partner_organisation_id),
        )
        .join(User, Coordinator.user_id == User.id)
        .where(Partnership.id.in_(partnership_ids))
        .order_by(Partnership.id, Coordinator.user_id)
    )
    rows = [Recipient(*row) for row in session.execute(members)]
    seen = {(row.partnership_id, row.user_id) for row in rows}
    for pid, user_id, external_id, language, unreachable in session.execute(coordinators):
        if (pid, user_id) not in seen:
            seen.add((pid, user_id))
            rows.append(Recipient(pid, user_id, "coordinator", external_id, language, unreachable))
    return rows


class Recipient(NamedTuple):
    """Someone an alert goes to, and as what ("member", "partner", "observer", "coordinator")."""

    partnership_id: int
    user_id: int
    role: str
    external_id: str
    language: str
    unreachable_at: datetime | None


def alert_of(session: Session, *, alert_id: int, partnership_id: int) -> Alert | None:
    """The alert if it belongs to that partnership: an id taken from a button reaches no
    other partnership's alert."""
    query = select(Alert).where(Alert.id == alert_id, Alert.partnership_id == partnership_id)
    return session.exec(query).first()


def mark(session: Session, *, alert_id: int, state: str, at: datetime, user_id: int) -> bool:
    """Marks the alert seen (from new) or handled (from new or seen) in one conditional
    update; False when it has moved since it was read: a health refresh that cleared it or
    another member who marked it is never written over."""
    if state == SEEN:
        before, values = (NEW,), {"seen_at": at}
    else:
        before = (NEW, SEEN)
        values = {
            "handled_at": at,
            "handled_by": user_id,
            "seen_at": func.coalesce(Alert.seen_at, at),
        }
    statement = (
        update(Alert)
        .where(Alert.id == alert_id, Alert.state.in_(before))
        .values(state=state, **values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def partnerships_by_id(session: Session, *, ids: list[int]) -> list[Partnership]:
    if not ids:
        return []
    return list(session.exec(select(Partnership).where(Partnership.id.in_(ids))))


# -- weekly digests ----------------------------------------------------------------------------


def coordinators_without_digest(
    session: Session, *, week: str, after_user_id: int = 0, limit: int = 200, lock: bool = False
) -> list[int]:
    """Coordinators (user ids, in order) who have no digest for that week yet, a batch at a
    time. With `lock`, their coordinator rows are locked and rows another dispatcher holds
    are skipped (PostgreSQL): two dispatchers take different people."""
    done = select(Digest.user_id).where(Digest.week == week)
    query = (
        select(Coordinator.user_id)
        .where(Coordinator.user_id > after_user_id, Coordinator.user_id.not_in(done))
        .order_by(Coordinator.user_id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(dict.fromkeys(session.exec(query)))


def claim_digest(session: Session, *, user_id: int, week: str, at: datetime) -> bool:
    """Records the user's digest of that week; False when one is recorded already (by this
    run or another dispatcher: the unique (user, week) decides, on any database)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Digest)
        .values(user_id=user_id, week=week, recorded_at=at)
        .on_conflict_do_nothing()
        .returning(Digest.id)
    )
    return session.execute(statement).first() is not None


# -- steering meetings ---------------------------------------------------------------------------


def add_steering_meeting(
    session: Session, *, partnership_id: int, user_id: int, held_at: datetime, text: str = ""
) -> None:
    session.add(
        MeetingNote(
            partnership_id=partnership_id,
            user_id=user_id,
            text=text,
            kind=STEERING,
            held_at=held_at,
        )
    )


def last_steering_meetings(session: Session, *, partnership_ids: list[int]) -> dict[int, datetime]:
    """The date of each partnership's latest steering meeting (when it was held)."""
    if not partnership_ids:
        return {}
    query = (
        select(MeetingNote.partnership_id, func.max(MeetingNote.held_at))
        .where(MeetingNote.partnership_id.in_(partnership_ids), MeetingNote.kind == STEERING)
        .group_by(MeetingNote.partnership_id)
    )
    return {pid: held for pid, held in session.execute(query) if held is not None}
