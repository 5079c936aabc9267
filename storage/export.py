"""Partnerships read for an export, a batch at a time, so memory stays bounded whatever
their number. Members are named by a pseudonym (their number here) unless names are asked.
Moments are returned as read (aware, UTC): the caller shows them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine

from storage.models import (
    Alert,
    CheckInInvite,
    CheckInRound,
    FlowSession,
    GeneratedDocument,
    MeetingNote,
    Membership,
    Organisation,
    Partnership,
    PartnershipHealth,
    StageMove,
    User,
)

BATCH = 500
# An alert in these states is still open: nobody has handled it and its cause holds.
OPEN_ALERTS = ("new", "seen")
ORGANISATION_COLUMNS = (
    "id",
    "name",
    "kind",
    "legal_form",
    "seat",
    "identifier",
    "representative",
)


def partnerships(
    engine: Engine,
    *,
    partnership_id: int | None = None,
    organisation_id: int | None = None,
    names: bool = False,
) -> Iterator[dict[str, Any]]:
    """Each partnership with its organisations, members, stage history, answers, check-in
    rounds (with who was asked, on which side, and their answers), documents, health and
    alerts; only one partnership, or one organisation's, when asked."""
    after = 0
    while True:
        with engine.connect() as connection:
            query = select(Partnership).where(Partnership.id > after).order_by(Partnership.id)
            if partnership_id is not None:
                query = query.where(Partnership.id == partnership_id)
            if organisation_id is not None:
                query = query.where(
                    or_(
                        Partnership.our_organisation_id == organisation_id,
                        Partnership.partner_organisation_id == organisation_id,
                    )
                )
            batch = connection.execute(query.limit(BATCH)).all()
            if not batch:
                return
            ids = [row.id for row in batch]
            related = _related(connection, ids, names)
            organisations = _organisations(connection, batch)
            health = _health(connection, ids)
            notes = _last_notes(connection, ids)
        for row in batch:
            yield {
                "partnership": row._asdict(),
                "organisations": {
                    "ours": organisations.get(row.our_organisation_id),
                    "partner": organisations.get(row.partner_organisation_id),
                },
                "health": health.get(row.id),
                "last_note_at": notes.get(row.id),
                **{key: rows.get(row.id, []) for key, rows in related.items()},
            }
        after = ids[-1]


def _related(connection, ids: list[int], names: bool) -> dict[str, dict[int, list[dict]]]:
    people = _people(connection, ids, names)
    found: dict[str, dict[int, list[dict]]] = {
        key: defaultdict(list)
        for key in ("members", "stage_history", "answers", "rounds", "documents", "alerts")
    }
    members = select(Membership).where(Membership.partnership_id.in_(ids)).order_by(Membership.id)
    for m in connection.execute(members):
        found["members"][m.partnership_id].append(
            {
                "user_id": m.user_id,
                "member": people.get(m.user_id),
                "role": m.role,
                "respondent": m.respondent,
                "joined_at": m.joined_at,
            }
        )
    moves = select(StageMove).where(StageMove.partnership_id.in_(ids)).order_by(StageMove.id)
    for move in connection.execute(moves):
        found["stage_history"][move.partnership_id].append(
            {
                "trigger": move.trigger,
                "from": move.source,
                "to": move.dest,
                "by": people.get(move.user_id),
                "at": move.moved_at,
            }
        )
    runs = select(FlowSession).where(FlowSession.partnership_id.in_(ids)).order_by(FlowSession.id)
    for run in connection.execute(runs):
        for question, value in ((run.state or {}).get("answers") or {}).items():
            found["answers"][run.partnership_id].append(
                {
                    "questionnaire": run.flow,
                    "round_id": run.round_id,
                    "question": question,
                    "value": value,
                    "user_id": run.user_id,
                    "by": people.get(run.user_id),
                    "at": run.updated_at,
                }
            )
    rounds = select(CheckInRound).where(CheckInRound.partnership_id.in_(ids))
    invited = _invited(connection, ids)
    for r in connection.execute(rounds.order_by(CheckInRound.id)):
        found["rounds"][r.partnership_id].append(
            {
                "round_id": r.id,
                "kind": r.kind,
                "final": r.final,
                "due_at": r.due_at,
                "status": r.status,
                "closed_at": r.closed_at,
                "summary": r.summary or {},
                "invites": invited.get(r.id, []),
            }
        )
    # The documents' list only: their content stays in the database.
    documents = (
        select(
            GeneratedDocument.partnership_id,
            GeneratedDocument.kind,
            GeneratedDocument.version,
            GeneratedDocument.file_name,
            GeneratedDocument.created_at,
        )
        .where(GeneratedDocument.partnership_id.in_(ids))
        .order_by(GeneratedDocument.id)
    )
    for d in connection.execute(documents):
        found["documents"][d.partnership_id].append(
            {
                "kind": d.kind,
                "version": d.version,
                "file_name": d.file_name,
                "created_at": d.created_at,
            }
        )
    alerts = (
        select(Alert)
        .where(Alert.partnership_id.in_(ids), Alert.state.in_(OPEN_ALERTS))
        .order_by(Alert.id)
    )
    for a in connection.execute(alerts):
        found["alerts"][a.partnership_id].append(
            {
                "signal": a.signal,
                "subject": a.subject,
                "level": a.level,
                "state": a.state,
                "details": a.details or {},
                "raised_at": a.raised_at,
            }
        )
    return found


def _people(connection, ids: list[int], names: bool) -> dict[int, str]:
    """Who acted: a pseudonym, or their name when asked."""
    members = select(Membership.user_id).where(Membership.partnership_id.in_(ids))
    movers = select(StageMove.user_id).where(StageMove.partnership_id.in_(ids))
    runs = select(FlowSession.user_id).where(FlowSession.partnership_id.in_(ids))
    query = select(User.id, User.display_name).where(
        User.id.in_(members) | User.id.in_(movers) | User.id.in_(runs)
    )
    return {
        row.id: (row.display_name or f"membre-{row.id}") if names else f"membre-{row.id}"
        for row in connection.execute(query)
    }


def _invited(connection, ids: list[int]) -> dict[int, list[dict]]:
    """Per round, who was asked, for which organisation, and when they answered."""
    rounds = select(CheckInRound.id).where(CheckInRound.partnership_id.in_(ids))
    found: dict[int, list[dict]] = defaultdict(list)
    query = (
        select(
            CheckInInvite.round_id,
            CheckInInvite.user_id,
            CheckInInvite.side,
            CheckInInvite.answered_at,
        )
        .where(CheckInInvite.round_id.in_(rounds))
        .order_by(CheckInInvite.id)
    )
    for row in connection.execute(query):
        found[row.round_id].append(
            {"user_id": row.user_id, "side": row.side, "answered_at": row.answered_at}
        )
    return found


def _organisations(connection, batch) -> dict[int, dict[str, Any]]:
    ids = {row.our_organisation_id for row in batch} | {
        row.partner_organisation_id for row in batch
    }
    ids.discard(None)
    if not ids:
        return {}
    columns = [getattr(Organisation, name) for name in ORGANISATION_COLUMNS]
    query = select(*columns).where(Organisation.id.in_(ids))
    return {row.id: row._asdict() for row in connection.execute(query)}


def _health(connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    query = select(
        PartnershipHealth.partnership_id,
        PartnershipHealth.light,
        PartnershipHealth.reasons,
        PartnershipHealth.computed_at,
    ).where(PartnershipHealth.partnership_id.in_(ids))
    return {row.partnership_id: row._asdict() for row in connection.execute(query)}


def _last_notes(connection, ids: list[int]) -> dict[int, Any]:
    """When each partnership's last meeting note was written."""
    query = (
        select(MeetingNote.partnership_id, func.max(MeetingNote.written_at))
        .where(MeetingNote.partnership_id.in_(ids))
        .group_by(MeetingNote.partnership_id)
    )
    return dict(connection.execute(query).all())
