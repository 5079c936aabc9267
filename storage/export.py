"""Partnerships read for an export, a batch at a time, so memory stays bounded whatever
their number. Members are named by a pseudonym (their number here) unless names are asked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from storage.models import (
    CheckInInvite,
    CheckInRound,
    FlowSession,
    Membership,
    Partnership,
    StageMove,
    User,
)

BATCH = 500


def partnerships(
    engine: Engine, *, partnership_id: int | None = None, names: bool = False
) -> Iterator[dict[str, Any]]:
    """Each partnership with its members, stage history, answers, check-in rounds and scores."""
    after = 0
    while True:
        with engine.connect() as connection:
            query = select(Partnership).where(Partnership.id > after).order_by(Partnership.id)
            if partnership_id is not None:
                query = query.where(Partnership.id == partnership_id)
            batch = connection.execute(query.limit(BATCH)).all()
            if not batch:
                return
            ids = [row.id for row in batch]
            related = _related(connection, ids, names)
        for row in batch:
            yield {
                "id": row.id,
                "name": row.name,
                "our_organisation": row.our_organisation,
                "partner": row.partner_name,
                "stage": row.stage,
                "created_at": _iso(row.created_at),
                **{key: rows.get(row.id, []) for key, rows in related.items()},
            }
        after = ids[-1]


def _related(connection, ids: list[int], names: bool) -> dict[str, dict[int, list[dict]]]:
    people = _people(connection, ids, names)
    found: dict[str, dict[int, list[dict]]] = {
        key: defaultdict(list) for key in ("members", "stage_history", "answers", "rounds")
    }
    members = select(Membership).where(Membership.partnership_id.in_(ids))
    for m in connection.execute(members):
        found["members"][m.partnership_id].append(
            {"member": people.get(m.user_id), "role": m.role, "respondent": m.respondent}
        )
    moves = select(StageMove).where(StageMove.partnership_id.in_(ids)).order_by(StageMove.id)
    for move in connection.execute(moves):
        found["stage_history"][move.partnership_id].append(
            {
                "trigger": move.trigger,
                "from": move.source,
                "to": move.dest,
                "by": people.get(move.user_id),
                "at": _iso(move.moved_at),
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
                    "by": people.get(run.user_id),
                    "at": _iso(run.updated_at),
                }
            )
    rounds = select(CheckInRound).where(CheckInRound.partnership_id.in_(ids))
    invited = _invited(connection, ids)
    for r in connection.execute(rounds.order_by(CheckInRound.id)):
        summary = r.summary or {}
        found["rounds"][r.partnership_id].append(
            {
                "round_id": r.id,
                "kind": r.kind,
                "final": r.final,
                "due_at": _iso(r.due_at),
                "status": r.status,
                "decision": summary.get("decision"),
                "invited": invited.get(r.id, (0, 0))[0],
                "answered": invited.get(r.id, (0, 0))[1],
                "scores": summary.get("scores") or {},
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


def _invited(connection, ids: list[int]) -> dict[int, tuple[int, int]]:
    rounds = select(CheckInRound.id).where(CheckInRound.partnership_id.in_(ids))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    query = select(CheckInInvite.round_id, CheckInInvite.answered_at).where(
        CheckInInvite.round_id.in_(rounds)
    )
    for row in connection.execute(query):
        counts[row.round_id][0] += 1
        counts[row.round_id][1] += row.answered_at is not None
    return {key: (a, b) for key, (a, b) in counts.items()}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None
