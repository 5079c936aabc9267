"""What the dashboard reads for many partnerships at once: one query per kind of fact, for
every partnership shown, never one per partnership."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Alert, CheckInRound, Organisation, StageMove

CLOSED = "closed"
# The states of an alert still open (a cleared one is history).
OPEN_STATES = ("new", "seen", "handled")


def stage_entries(
    session: Session, *, partnership_ids: list[int]
) -> dict[tuple[int, str], datetime]:
    """When each partnership last entered each stage it went through, by (id, stage)."""
    if not partnership_ids:
        return {}
    query = (
        select(StageMove.partnership_id, StageMove.dest, func.max(StageMove.moved_at))
        .where(StageMove.partnership_id.in_(partnership_ids))
        .group_by(StageMove.partnership_id, StageMove.dest)
    )
    return {(pid, dest): at for pid, dest, at in session.execute(query)}


def last_closed_rounds(
    session: Session, *, partnership_ids: list[int], per: int = 2
) -> dict[int, list[dict[str, Any]]]:
    """The `per` latest closed rounds of each partnership, newest first: their summaries."""
    if not partnership_ids:
        return {}
    place = (
        func.row_number()
        .over(partition_by=CheckInRound.partnership_id, order_by=CheckInRound.due_at.desc())
        .label("place")
    )
    ranked = (
        select(CheckInRound.partnership_id, CheckInRound.due_at, CheckInRound.summary, place)
        .where(CheckInRound.partnership_id.in_(partnership_ids), CheckInRound.status == CLOSED)
        .subquery()
    )
    query = (
        select(ranked.c.partnership_id, ranked.c.summary)
        .where(ranked.c.place <= per)
        .order_by(ranked.c.partnership_id, ranked.c.place)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for pid, summary in session.execute(query):
        found.setdefault(pid, []).append(summary or {})
    return found


def open_alert_counts(session: Session, *, partnership_ids: list[int]) -> dict[int, int]:
    """How many alerts each partnership has open (new, seen or handled, not cleared)."""
    if not partnership_ids:
        return {}
    query = (
        select(Alert.partnership_id, func.count())
        .where(Alert.partnership_id.in_(partnership_ids), Alert.state.in_(OPEN_STATES))
        .group_by(Alert.partnership_id)
    )
    return dict(session.execute(query).all())


def closed_rounds(session: Session, *, partnership_id: int) -> list[CheckInRound]:
    """A partnership's closed rounds, oldest first."""
    query = select(CheckInRound).where(
        CheckInRound.partnership_id == partnership_id, CheckInRound.status == CLOSED
    )
    return list(session.exec(query.order_by(CheckInRound.due_at, CheckInRound.id)))


def stage_moves(session: Session, *, partnership_id: int) -> list[StageMove]:
    """A partnership's stage moves, oldest first."""
    query = select(StageMove).where(StageMove.partnership_id == partnership_id)
    return list(session.exec(query.order_by(StageMove.moved_at, StageMove.id)))


def open_alerts(session: Session, *, partnership_id: int) -> list[Alert]:
    """A partnership's alerts not cleared, newest first."""
    query = select(Alert).where(
        Alert.partnership_id == partnership_id, Alert.state.in_(OPEN_STATES)
    )
    return list(session.exec(query.order_by(Alert.raised_at.desc(), Alert.id.desc())))


def partnership_of_alert(session: Session, *, alert_id: int) -> int | None:
    """The partnership an alert belongs to (the caller checks the user may reach it)."""
    return session.exec(select(Alert.partnership_id).where(Alert.id == alert_id)).first()


def organisation_names(session: Session, *, ids: list[int]) -> dict[int, str]:
    """The organisations' names, by id."""
    if not ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    return dict(session.execute(query).all())
