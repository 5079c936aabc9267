"""The stage follows the work: the facts the lifecycle checks, and moving on when a step's
work is done."""

from __future__ import annotations

from bot.services.results import Result, Say
from bot.services.work import Work
from flows.lifecycle import AUTO_ADVANCE_FROM, STAGES, PartnershipFacts, facts_of, step_number
from storage import repository
from storage.models import Partnership


def facts(work: Work, partnership: Partnership) -> PartnershipFacts:
    """What the stage machine needs to know about this partnership. Its creator's
    self-diagnosis counts when no person acts (the dispatcher closing a full review)."""
    user_id = work.user.id if work.user is not None else partnership.created_by
    diagnosed = repository.last_done_flow(work.db, user_id=user_id, flow="diagnostic")
    return facts_of(
        partnership,
        work.core.checklist,
        has_diagnosis=diagnosed is not None,
        has_draft_convention=repository.has_document(
            work.db, partnership_id=partnership.id, kind="convention"
        ),
    )


def can_advance(work: Work, partnership: Partnership) -> bool:
    return work.core.lifecycle.move(facts(work, partnership), "advance").moved


def follow_the_work(work: Work, partnership: Partnership, result: Result) -> None:
    """Moves the partnership on when the work of its stage is done, and says so. Work done
    ahead (a partner chosen during the dialogue) carries it over each step whose need
    holds, up to the furthest stage whose work moves it by itself: one press, not two."""
    start = partnership.stage
    lifecycle = work.core.lifecycle
    # One read of the facts: a move changes only the stage, which the machine moves in them.
    known = facts(work, partnership)
    reach = max(
        (STAGES.index(s) for s in AUTO_ADVANCE_FROM if lifecycle.holds(known, s)), default=-1
    )
    while STAGES.index(known.state) <= reach:
        moved = lifecycle.move(known, "advance")
        if not moved.moved:
            break
        repository.record_move(
            work.db,
            partnership=partnership,
            user_id=work.user.id,
            trigger="advance",
            dest=moved.dest,
        )
    if partnership.stage != start:
        step = step_number(partnership.stage)
        result.shown.append(Say("stage_moved", {"stage": partnership.stage, "step": step}))
