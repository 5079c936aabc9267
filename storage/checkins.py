"""Repository functions of the evaluation check-ins: rounds, invites, and the claims that make
each message go out once, whatever number of dispatchers run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.models import (
    CheckInInvite,
    CheckInRound,
    FlowSession,
    Membership,
    Partnership,
    StageMove,
    User,
)

OPEN, CLOSED = "open", "closed"
# A closed round's report, in its summary ("report"): "pending" while it waits to be rendered
# and sent after the transaction that closed the round, "sent" once recorded for sending.
REPORT_PENDING, REPORT_SENT = "pending", "sent"


def evaluated_partnerships(
    session: Session,
    *,
    stages: tuple[str, ...],
    after_id: int = 0,
    limit: int = 200,
    lock: bool = False,
) -> list[Any]:
    """Partnerships in these stages (the evaluated ones), by id, a batch at a time, as rows of what
    the schedule needs (id, name, followup). With `lock`, the rows are locked and rows another
    dispatcher holds are skipped (PostgreSQL)."""
    query = (
        select(Partnership.id, Partnership.name, Partnership.followup)
        .where(Partnership.stage.in_(stages), Partnership.id > after_id)
        .order_by(Partnership.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True, of=Partnership)
    return list(session.execute(query))


def rounds_of(session: Session, *, partnership_id: int) -> list[CheckInRound]:
    query = select(CheckInRound).where(CheckInRound.partnership_id == partnership_id)
    return list(session.exec(query.order_by(CheckInRound.due_at, CheckInRound.id)))


def late_since(
    session: Session, *, partnership_ids: list[int], now: datetime
) -> dict[int, datetime]:
    """When each partnership's earliest open round past its date was due (none: not late)."""
    if not partnership_ids:
        return {}
    query = (
        select(CheckInRound.partnership_id, func.min(CheckInRound.due_at))
        .where(
            CheckInRound.partnership_id.in_(partnership_ids),
            CheckInRound.status == OPEN,
            CheckInRound.due_at < now,
        )
        .group_by(CheckInRound.partnership_id)
    )
    return dict(session.execute(query).all())


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


def insert_rounds(session: Session, *, rows: list[dict]) -> list[tuple[int, int, str]]:
    """New rounds in one statement, skipping any that exists for its partnership, kind and due
    date already: (id, partnership id, kind) of the rounds this call added."""
    if not rows:
        return []
    statement = (
        _insert(session, CheckInRound)
        .on_conflict_do_nothing()
        .returning(CheckInRound.id, CheckInRound.partnership_id, CheckInRound.kind)
    )
    # Rows as parameters, not as values written into the statement: the statement is then
    # compiled once (and cached), and the driver sends the rows in batches.
    values = [{"status": OPEN, "summary": {}, "final": False} | row for row in rows]
    return sorted(tuple(row) for row in session.execute(statement, values))


def _insert(session: Session, table):
    """INSERT … ON CONFLICT DO NOTHING, as the session's database spells it."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


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


def respondents_of(session: Session, *, partnership_ids: list[int]) -> list[Any]:
    """The respondents of many partnerships at once, as rows: partnership_id, user_id, role,
    external_id, language."""
    if not partnership_ids:
        return []
    query = (
        select(
            Membership.partnership_id,
            Membership.user_id,
            Membership.role,
            User.external_id,
            User.language,
        )
        .join(User, Membership.user_id == User.id)
        .where(Membership.partnership_id.in_(partnership_ids), Membership.respondent.is_(True))
        .order_by(Membership.id)
    )
    return list(session.execute(query))


def add_invites(session: Session, *, rows: list[dict]) -> None:
    """Invites in one statement; a respondent invited to that round already is skipped."""
    if rows:
        session.execute(_insert(session, CheckInInvite).on_conflict_do_nothing(), rows)


def claim_invitations(
    session: Session, *, round_ids: list[int], at: datetime
) -> list[tuple[int, int, int]]:
    """Claims the first message of every invite of these rounds not sent yet: (invite id,
    round id, user id) of those this call claimed. Respondents who blocked the bot are marked
    unreachable instead, and the rounds do not wait for them."""
    if not round_ids:
        return []
    mark_unreachable(session, round_ids=round_ids, at=at, invited=False)
    statement = (
        update(CheckInInvite)
        .where(
            CheckInInvite.round_id.in_(round_ids),
            CheckInInvite.invited_at.is_(None),
            CheckInInvite.unreachable_at.is_(None),
        )
        .values(invited_at=at)
        .returning(CheckInInvite.id, CheckInInvite.round_id, CheckInInvite.user_id)
    )
    return sorted(tuple(row) for row in session.execute(statement))


def mark_unreachable(
    session: Session, *, round_ids: list[int], at: datetime, invited: bool = True
) -> None:
    """Marks unreachable the waiting invites of respondents who blocked the bot (`invited`:
    those already asked; otherwise those not asked yet)."""
    blocked = select(User.id).where(User.unreachable_at.is_not(None))
    asked = CheckInInvite.invited_at.is_not(None) if invited else CheckInInvite.invited_at.is_(None)
    session.execute(
        update(CheckInInvite)
        .where(
            CheckInInvite.round_id.in_(round_ids),
            asked,
            CheckInInvite.answered_at.is_(None),
            CheckInInvite.unreachable_at.is_(None),
            CheckInInvite.user_id.in_(blocked),
        )
        .values(unreachable_at=at)
    )


def invites_of(session: Session, *, round_id: int) -> list[CheckInInvite]:
    query = select(CheckInInvite).where(CheckInInvite.round_id == round_id)
    return list(session.exec(query.order_by(CheckInInvite.id)))


def invites_of_rounds(session: Session, *, round_ids: list[int]) -> dict[int, list[CheckInInvite]]:
    """The invites of many rounds at once, by round."""
    found: dict[int, list[CheckInInvite]] = {round_id: [] for round_id in round_ids}
    if round_ids:
        query = select(CheckInInvite).where(CheckInInvite.round_id.in_(round_ids))
        for invite in session.exec(query.order_by(CheckInInvite.id)):
            found[invite.round_id].append(invite)
    return found


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


def rounds_with_report_pending(session: Session, *, limit: int = 100) -> list[int]:
    """Closed rounds whose report waits to be sent, oldest first."""
    query = (
        select(CheckInRound.id)
        .where(
            CheckInRound.status == CLOSED,
            CheckInRound.summary["report"].as_string() == REPORT_PENDING,
        )
        .order_by(CheckInRound.id)
        .limit(limit)
    )
    return list(session.exec(query))


def claim_report(session: Session, *, round_id: int, summary: dict[str, Any]) -> bool:
    """Marks a round's report sent (its summary becomes `summary`); True for the one process
    whose transaction does it, whatever number of dispatchers run."""
    result = session.execute(
        update(CheckInRound)
        .where(
            CheckInRound.id == round_id,
            CheckInRound.summary["report"].as_string() == REPORT_PENDING,
        )
        .values(summary=summary)
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


def entered_stage(
    session: Session, *, stage: str, partnership_ids: list[int]
) -> dict[int, datetime]:
    """When each of these partnerships last entered this stage."""
    if not partnership_ids:
        return {}
    query = (
        select(StageMove.partnership_id, func.max(StageMove.moved_at))
        .where(StageMove.partnership_id.in_(partnership_ids), StageMove.dest == stage)
        .group_by(StageMove.partnership_id)
    )
    return dict(session.execute(query).all())
