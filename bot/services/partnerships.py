"""Partnerships: create, list, open, correct, the step questionnaires, stage moves, dialogue,
choice of the partner."""

from __future__ import annotations

from bot.services import (
    coordinators,
    known,
    organisations,
    questionnaires,
    stages,
    summaries,
)
from bot.services.access import active_with_right, in_place, notice, summary
from bot.services.results import ACTED, DocumentsListed, PartnershipList, Result, Say
from bot.services.work import Work
from flows.criteria import choose as choose_candidate
from flows.criteria import chosen_name
from flows.roles import PARTNERS, Right
from storage import repository
from storage.models import Partnership


def new_partnership(work: Work) -> Result:
    """/nouveau: name, organisations, theme and territory of a new partnership."""
    return questionnaires.start_or_resume(
        work, "new_partnership", intro="new_partnership_intro", defaults=known.new_partnership(work)
    )


def list_partnerships(work: Work) -> Result:
    """/partenariats: the user's partnerships, to open one and make it active; for a
    coordinator, their organisations' partnerships too, each with its status."""
    if coordinators.follows_any(work):
        return coordinators.list_followed(work)
    rows = repository.partnerships_of(work.db, user_id=work.user.id)
    listing = PartnershipList(
        tuple(summary(p, role) for p, role in rows), work.user.active_partnership_id
    )
    return Result(work.language, [listing])


def criteria(work: Work) -> Result:
    """/criteres: score a candidate partner of the active partnership (step 3)."""
    found = active_with_right(work, Right.ACT)
    if isinstance(found, Result):
        return found
    return questionnaires.start_or_resume(
        work, "criteria", intro="criteria_intro", partnership_id=found[0].id
    )


def followup(work: Work) -> Result:
    """/suivi: referents, steering committee, cadence, tools, actions (step 6); what the
    convention or an earlier run settled is offered as the current answer."""
    found = active_with_right(work, Right.ACT)
    if isinstance(found, Result):
        return found
    partnership = found[0]
    return questionnaires.start_or_resume(
        work,
        "followup",
        intro="followup_intro",
        partnership_id=partnership.id,
        defaults=known.followup(partnership),
    )


def convention(work: Work, review: bool = False) -> Result:
    """/convention: per section, what is agreed, then what that needs; once answered, the
    summary with the drafts, unless every point is reviewed again."""
    found = active_with_right(work, Right.ACT)
    if isinstance(found, Result):
        return found
    partnership, role = found
    if partnership.convention and not review:
        return Result(work.language, [summaries.convention(work, partnership, role)])
    defaults, flags = known.convention(work, partnership)
    return questionnaires.start_or_resume(
        work,
        "convention",
        intro="convention_review_intro" if review else "convention_intro",
        partnership_id=partnership.id,
        defaults=defaults,
        flags=flags,
    )


def documents(work: Work) -> Result:
    """/documents: every version of the partnership's documents, to receive one again."""
    found = active_with_right(work, Right.READ)
    if isinstance(found, Result):
        return found
    partnership, role = found
    rows = repository.documents_of(work.db, partnership_id=partnership.id)
    listing = DocumentsListed(
        summary(partnership, role), tuple(summaries.document_info(d) for d in rows)
    )
    return Result(work.language, [listing])


# -- what the buttons of a partnership do -------------------------------------------------------


def open_card(work: Work, partnership: Partnership, role: str, _arg, acted) -> Result:
    work.user.active_partnership_id = partnership.id
    work.db.add(work.user)
    return in_place(work, acted, summaries.card(work, partnership, role))


def show_dialogue(work: Work, partnership: Partnership, role: str, _arg, acted) -> Result:
    return in_place(work, acted, summaries.dialogue(work, partnership, role))


def move(trigger: str, work: Work, partnership: Partnership, role: str, _arg, acted) -> Result:
    """A stage move, refused with its reason when what it needs is missing."""
    moved = work.core.lifecycle.move(stages.facts(work, partnership), trigger)
    if not moved.moved:
        # The reason, then the card again so its buttons stay at hand.
        titles = [
            item.title.in_(work.language)
            for item in work.core.checklist.items
            if item.id in moved.missing
        ]
        refusal = Say("stage_refused", {"reason": moved.refusal, "missing": titles})
        result = Result(work.language, [refusal, summaries.card(work, partnership, role)])
        result.closes = ACTED
        return result
    repository.record_move(
        work.db, partnership=partnership, user_id=work.user.id, trigger=trigger, dest=moved.dest
    )
    return in_place(work, acted, summaries.card(work, partnership, role))


def tick(work: Work, partnership: Partnership, role: str, point_id, acted) -> Result:
    """Ticks or unticks a point of the dialogue checklist (step 2)."""
    if point_id not in {point.id for point in work.core.dialogue.points}:
        return notice(work)
    done = list(partnership.dialogue)
    done.remove(point_id) if point_id in done else done.append(point_id)
    partnership.dialogue = done
    repository.touch(partnership)
    work.db.add(partnership)
    return in_place(work, acted, summaries.dialogue(work, partnership, role))


def add_note(work: Work, partnership: Partnership, _role, _arg, _acted) -> Result:
    return questionnaires.start_or_resume(
        work, "note", intro="note_intro", partnership_id=partnership.id
    )


def edit(work: Work, partnership: Partnership, _role, _arg, _acted) -> Result:
    """Corrects the partnership's name and details: each offered as it is."""
    return questionnaires.start_or_resume(
        work,
        "edit_partnership",
        intro="edit_partnership_intro",
        partnership_id=partnership.id,
        defaults=known.editing(partnership),
    )


def choose(work: Work, partnership: Partnership, role: str, index, acted) -> Result:
    """Chooses a candidate as the partner (step 3); the partnership moves on to the content."""
    chosen = choose_candidate(list(partnership.candidates), index) if index is not None else None
    if chosen is None:
        return notice(work)
    partnership.candidates = chosen
    # The chosen candidate is the partner organisation (one the user knows, else a new one).
    organisations.name_side(work, partnership, PARTNERS, chosen_name(chosen), correction=False)
    repository.touch(partnership)
    work.db.add(partnership)
    result = in_place(work, acted, summaries.candidates(work, partnership, role))
    stages.follow_the_work(work, partnership, result)
    return result


def review(work: Work, _partnership, _role, _arg, _acted) -> Result:
    return convention(work, review=True)
