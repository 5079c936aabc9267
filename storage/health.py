"""Repository functions of partnerships' health and alerts: what health is computed from,
read for a batch of partnerships in a few grouped queries; the computed health kept; alerts
raised and cleared."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, or_, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.alerts import CLEARED, HANDLED, NEW, SEEN, STEERING
from storage.models import (
    Alert,
    CheckInInvite,
    CheckInRound,
    MeetingNote,
    Membership,
    Partnership,
    PartnershipHealth,
    StageMove,
    User,
)

# An alert stays open, one per partnership, signal and subject, in these states.
OPEN_STATES = (NEW, SEEN, HANDLED)


def partnerships_batch(
    session: Session, *, after_id: int = 0, limit: int = 500, lock: bool = False
) -> list[Any]:
    """Partnerships by id, a batch at a time, with their last computed health: rows of id,
    stage, revision, followup, created_at, stamp, recheck_at (None when never computed). With
    `lock`, the rows are locked and rows another process holds are skipped (PostgreSQL)."""
    query = (
        select(
            Partnership.id,
            Partnership.stage,
            Partnership.revision,
            Partnership.followup,
            Partnership.created_at,
            PartnershipHealth.stamp,
            PartnershipHealth.recheck_at,
        )
        .outerjoin(PartnershipHealth, PartnershipHealth.partnership_id == Partnership.id)
        .where(Partnership.id > after_id)
        .order_by(Partnership.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True, of=Partnership)
    return list(_core(session).execute(query))


def round_counts(session: Session, *, partnership_ids: list[int]) -> dict[int, tuple]:
    """Per partnership: (rounds, latest round id, open rounds, latest closing), the cheap
    fingerprint of its rounds (a closed round's report never changes)."""
    if not partnership_ids:
        return {}
    is_open = func.sum(case((CheckInRound.status == "open", 1), else_=0))
    query = (
        select(
            CheckInRound.partnership_id,
            func.count(CheckInRound.id),
            func.max(CheckInRound.id),
            is_open,
            func.max(CheckInRound.closed_at),
        )
        .where(CheckInRound.partnership_id.in_(partnership_ids))
        .group_by(CheckInRound.partnership_id)
    )
    return {row[0]: tuple(row[1:]) for row in _core(session).execute(query)}


def open_round_answers(
    session: Session, *, partnership_ids: list[int]
) -> dict[int, dict[int, dict[str, tuple[int, int]]]]:
    """Per partnership, per open round: (answered, invited) per side."""
    if not partnership_ids:
        return {}
    query = (
        select(
            CheckInRound.partnership_id,
            CheckInInvite.round_id,
            CheckInInvite.side,
            func.count(CheckInInvite.answered_at),
            func.count(CheckInInvite.id),
        )
        .join(CheckInRound, CheckInRound.id == CheckInInvite.round_id)
        .where(CheckInRound.partnership_id.in_(partnership_ids), CheckInRound.status == "open")
        .group_by(CheckInRound.partnership_id, CheckInInvite.round_id, CheckInInvite.side)
    )
    found: dict[int, dict[int, dict[str, tuple[int, int]]]] = {}
    for pid, round_id, side, answered, invited in _core(session).execute(query):
        found.setdefault(pid, {}).setdefault(round_id, {})[side] = (answered, invited)
    return found


def rounds_of(session: Session, *, partnership_ids: list[int], latest: int) -> list[Any]:
    """The rounds of these partnerships as rows: id, partnership_id, kind, due_at, status,
    closed_at, summary, opened_at; only the `latest` of each kind and status (by closing, else due
    date), which spares reading every report of a long partnership."""
    if not partnership_ids:
        return []
    rank = (
        func.row_number()
        .over(
            partition_by=(CheckInRound.partnership_id, CheckInRound.kind, CheckInRound.status),
            order_by=(
                CheckInRound.closed_at.desc(),
                CheckInRound.due_at.desc(),
                CheckInRound.id.desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(
            CheckInRound.id,
            CheckInRound.partnership_id,
            CheckInRound.kind,
            CheckInRound.due_at,
            CheckInRound.status,
            CheckInRound.closed_at,
            CheckInRound.summary,
            CheckInRound.opened_at,
            rank,
        )
        .where(CheckInRound.partnership_id.in_(partnership_ids))
        .subquery()
    )
    query = select(*(ranked.c[name] for name in ROUND_COLUMNS)).where(ranked.c.rank <= latest)
    return list(_core(session).execute(query))


ROUND_COLUMNS = (
    "id",
    "partnership_id",
    "kind",
    "due_at",
    "status",
    "closed_at",
    "summary",
    "opened_at",
)


def stage_entries(
    session: Session, *, partnership_ids: list[int], stages: Iterable[str], triggers: Iterable[str]
) -> list[Any]:
    """The moves into these stages or by these triggers, grouped: rows of partnership_id,
    dest, trigger, first (moved_at), last (moved_at)."""
    if not partnership_ids:
        return []
    query = (
        select(
            StageMove.partnership_id,
            StageMove.dest,
            StageMove.trigger,
            func.min(StageMove.moved_at).label("first"),
            func.max(StageMove.moved_at).label("last"),
        )
        .where(
            StageMove.partnership_id.in_(partnership_ids),
            or_(StageMove.dest.in_(list(stages)), StageMove.trigger.in_(list(triggers))),
        )
        .group_by(StageMove.partnership_id, StageMove.dest, StageMove.trigger)
    )
    return list(_core(session).execute(query))


def last_steering(session: Session, *, partnership_ids: list[int]) -> dict[int, tuple]:
    """Per partnership: (when the last steering meeting noted was held, the latest such
    note's id)."""
    if not partnership_ids:
        return {}
    query = (
        select(
            MeetingNote.partnership_id,
            func.max(func.coalesce(MeetingNote.held_at, MeetingNote.written_at)),
            func.max(MeetingNote.id),
        )
        .where(MeetingNote.partnership_id.in_(partnership_ids), MeetingNote.kind == STEERING)
        .group_by(MeetingNote.partnership_id)
    )
    return {pid: (held, note_id) for pid, held, note_id in _core(session).execute(query)}


def respondent_reach(
    session: Session, *, partnership_ids: list[int]
) -> dict[int, dict[str, tuple[int, int]]]:
    """Per partnership and member role: (respondents unreachable, respondents)."""
    if not partnership_ids:
        return {}
    query = (
        select(
            Membership.partnership_id,
            Membership.role,
            func.count(User.unreachable_at),
            func.count(Membership.id),
        )
        .join(User, User.id == Membership.user_id)
        .where(Membership.partnership_id.in_(partnership_ids), Membership.respondent.is_(True))
        .group_by(Membership.partnership_id, Membership.role)
    )
    found: dict[int, dict[str, tuple[int, int]]] = {}
    for pid, role, unreachable, every in _core(session).execute(query):
        found.setdefault(pid, {})[role] = (unreachable, every)
    return found


def save_health(session: Session, *, rows: list[dict]) -> None:
    """Keeps each partnership's computed health (partnership_id, light, reasons, stamp,
    computed_at, recheck_at), replacing the previous one, in one statement."""
    if not rows:
        return
    if _dialect(session) == "postgresql":
        _core(session).execute(SAVE_HEALTH_PG, _document_of(rows))
        return
    table = PartnershipHealth.__table__
    statement = _insert(session, table)
    columns = HEALTH_COLUMNS[1:]
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.partnership_id],
        set_={column: statement.excluded[column] for column in columns},
    )
    _core(session).execute(statement, rows)


def health_of(session: Session, *, partnership_ids: list[int]) -> dict[int, PartnershipHealth]:
    """The last computed health of these partnerships (those computed at least once)."""
    if not partnership_ids:
        return {}
    query = select(PartnershipHealth).where(PartnershipHealth.partnership_id.in_(partnership_ids))
    return {row.partnership_id: row for row in session.exec(query)}


def lights_of(session: Session, *, partnership_ids: list[int]) -> dict[int, str]:
    """The last computed light of these partnerships, without their reasons."""
    if not partnership_ids:
        return {}
    query = select(PartnershipHealth.partnership_id, PartnershipHealth.light).where(
        PartnershipHealth.partnership_id.in_(partnership_ids)
    )
    return dict(session.execute(query).all())


def open_alerts(session: Session, *, partnership_ids: list[int]) -> list[Any]:
    """The open alerts (new, seen, handled) of these partnerships, as rows: id,
    partnership_id, signal, subject, level, details."""
    if not partnership_ids:
        return []
    query = (
        select(
            Alert.id, Alert.partnership_id, Alert.signal, Alert.subject, Alert.level, Alert.details
        )
        .where(Alert.partnership_id.in_(partnership_ids), Alert.state.in_(OPEN_STATES))
        .order_by(Alert.id)
    )
    return list(_core(session).execute(query))


def raise_alerts(session: Session, *, rows: list[dict]) -> list[int]:
    """New alerts (partnership_id, signal, subject, level, details, raised_at) in one
    statement: their ids."""
    if not rows:
        return []
    values = [{"state": NEW} | row for row in rows]
    if _dialect(session) == "postgresql":
        found = _core(session).execute(RAISE_ALERTS_PG, _document_of(values))
        return sorted(row[0] for row in found)
    table = Alert.__table__
    # In batches of rows per statement (ids in no particular order, hence sorted).
    statement = table.insert().returning(table.c.id)
    return sorted(row[0] for row in _core(session).execute(statement, values))


def clear_alerts(session: Session, *, alert_ids: list[int], at: datetime) -> list[int]:
    """Clears these alerts where still open: the ids this call cleared."""
    if not alert_ids:
        return []
    statement = (
        update(Alert)
        .where(Alert.id.in_(alert_ids), Alert.state.in_(OPEN_STATES))
        .values(state=CLEARED, cleared_at=at)
        .returning(Alert.id)
    )
    return sorted(row[0] for row in _core(session).execute(statement))


def relevel_alerts(session: Session, *, rows: list[dict]) -> None:
    """Open alerts whose cause grew or eased (a level, figures): {"id", "level", "details"}."""
    if not rows:
        return
    statement = (
        update(Alert.__table__)
        .where(Alert.__table__.c.id == bindparam("alert_id"))
        .values(level=bindparam("new_level"), details=bindparam("new_details"))
    )
    _core(session).execute(
        statement,
        [{"alert_id": r["id"], "new_level": r["level"], "new_details": r["details"]} for r in rows],
    )


# On PostgreSQL, many rows go as one JSON document: a multi-row VALUES statement costs the
# driver a parse of every placeholder (seven per alert, tens of thousands a pass).
HEALTH_COLUMNS = ("partnership_id", "light", "reasons", "stamp", "computed_at", "recheck_at")
SAVE_HEALTH_PG = text(
    "INSERT INTO partnership_health"
    " (partnership_id, light, reasons, stamp, computed_at, recheck_at)"
    " SELECT partnership_id, light, reasons, stamp, computed_at, recheck_at"
    " FROM json_to_recordset(CAST(:rows AS json)) AS r(partnership_id integer,"
    " light varchar, reasons json, stamp varchar, computed_at timestamptz,"
    " recheck_at timestamptz)"
    " ON CONFLICT (partnership_id) DO UPDATE SET light = excluded.light,"
    " reasons = excluded.reasons, stamp = excluded.stamp,"
    " computed_at = excluded.computed_at, recheck_at = excluded.recheck_at"
)
RAISE_ALERTS_PG = text(
    "INSERT INTO alert (partnership_id, signal, subject, level, details, state, raised_at)"
    " SELECT partnership_id, signal, subject, level, details, state, raised_at"
    " FROM json_to_recordset(CAST(:rows AS json)) AS r(partnership_id integer,"
    " signal varchar, subject varchar, level varchar, details json, state varchar,"
    " raised_at timestamptz)"
    " RETURNING id"
)


def _document_of(rows: list[dict]) -> dict:
    """Rows as one JSON document (moments in ISO 8601, with their offset)."""
    return {"rows": json.dumps(rows, default=datetime.isoformat)}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _core(session: Session):
    """The session's connection: rows of plain columns read and written without the ORM's
    bookkeeping (thousands per batch)."""
    return session.connection()


def _insert(session: Session, table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
