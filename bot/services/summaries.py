"""Views of a partnership built from its records: card, list, dialogue, candidates..."""

from __future__ import annotations

from bot.services import checkin_schedule, stages
from bot.services.access import summary
from bot.services.results import (
    CandidatesShown,
    ConventionStatus,
    DialogueShown,
    DocumentInfo,
    PartnershipCard,
    StageChange,
)
from bot.services.work import Work
from flows.convention import proposed_items, unsettled_items
from flows.criteria import ranked_entries
from flows.evaluation import EVALUATED_STAGES
from flows.schedule import next_due
from storage import alerts, repository
from storage.models import GeneratedDocument, Partnership

HISTORY_SHOWN = 3


def card(work: Work, partnership: Partnership, role: str) -> PartnershipCard:
    members = repository.members_of(work.db, partnership_id=partnership.id)
    history = repository.stage_history(work.db, partnership_id=partnership.id)
    upcoming, waits = _next_checkin(work, partnership)
    return PartnershipCard(
        partnership=summary(partnership, role),
        members=len(members),
        history=tuple(StageChange(m.dest, m.moved_at) for m in history[-HISTORY_SHOWN:]),
        moves=work.core.lifecycle.moves_from(partnership.stage),
        ready=stages.can_advance(work, partnership),
        next_checkin=upcoming.at if upcoming else None,
        next_checkin_kind=upcoming.shown_kind if upcoming else None,
        waits_for_partner=waits,
        last_steering=_last_steering(work, partnership),
    )


def _last_steering(work: Work, partnership: Partnership):
    found = alerts.last_steering_meetings(work.db, partnership_ids=[partnership.id])
    return found.get(partnership.id)


def _next_checkin(work: Work, partnership: Partnership):
    """The check-in to come once the partnership is evaluated, and whether it waits for the
    partner's contact."""
    if partnership.stage not in EVALUATED_STAGES:
        return None, False
    upcoming = next_due(checkin_schedule.dues_of(work, partnership), work.now)
    return upcoming, partnership.id not in checkin_schedule.sides_ready(work, [partnership.id])


def dialogue(work: Work, partnership: Partnership, role: str) -> DialogueShown:
    done = set(partnership.dialogue)
    notes = repository.notes_of(work.db, partnership_id=partnership.id)
    return DialogueShown(
        partnership=summary(partnership, role),
        points=tuple((point, point.id in done) for point in work.core.dialogue.points),
        notes=tuple((note.written_at, note.text) for note in notes),
        notes_total=repository.count_notes(work.db, partnership_id=partnership.id),
    )


def candidates(work: Work, partnership: Partnership, role: str) -> CandidatesShown:
    ranked = tuple(ranked_entries(list(partnership.candidates)))
    return CandidatesShown(summary(partnership, role), ranked, work.core.criteria)


def convention(work: Work, partnership: Partnership, role: str) -> ConventionStatus:
    """What is agreed, what the draft proposes, what is left to complete."""
    checklist, answers = work.core.checklist, partnership.convention
    placeholders = tuple(unsettled_items(checklist, answers))
    proposed = tuple(proposed_items(checklist, answers))
    return ConventionStatus(summary(partnership, role), placeholders, proposed)


def document_info(document: GeneratedDocument) -> DocumentInfo:
    return DocumentInfo(
        id=document.id,
        kind=document.kind,
        version=document.version,
        file_name=document.file_name,
        created_at=document.created_at,
    )
