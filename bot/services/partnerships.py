"""Partnerships: create, list, open, the step questionnaires, stage moves, dialogue, choice."""

from __future__ import annotations

from bot.services import questionnaires, summaries
from bot.services.access import active_with_right, in_place, notice, summary
from bot.services.results import DocumentsListed, PartnershipList, Result, Say
from bot.services.work import Work
from flows.convention import prefilled_answers, status_question_id, text_question_id
from flows.criteria import choose as choose_candidate
from flows.criteria import chosen_name
from flows.lifecycle import facts_of
from flows.roles import Right
from storage import repository
from storage.models import Partnership


def new_partnership(work: Work) -> Result:
    """/nouveau: name, organisations, theme and territory of a new partnership."""
    return questionnaires.start_or_resume(work, "new_partnership", intro="new_partnership_intro")


def list_partnerships(work: Work) -> Result:
    """/partenariats: the user's partnerships, to open one and make it active."""
    rows = repository.partnerships_of(work.db, user_id=work.user.id)
    listing = PartnershipList(
        tuple(summary(p, role) for p, role in rows), work.user.active_partnership_id
    )
    return Result(work.language, [listing])


def criteria(work: Work) -> Result:
    """/criteres: score a candidate partner of the active partnership (step 3)."""
    return _step(work, "criteria")


def followup(work: Work) -> Result:
    """/suivi: referents, steering committee, cadence, tools (step 6)."""
    return _step(work, "followup")


def _step(work: Work, flow_id: str) -> Result:
    found = active_with_right(work, Right.ACT)
    if isinstance(found, Result):
        return found
    return questionnaires.start_or_resume(
        work, flow_id, intro=f"{flow_id}_intro", partnership_id=found[0].id
    )


def convention(work: Work, review: bool = False) -> Result:
    """/convention: the checklist item by item, what earlier steps know already filled in."""
    found = active_with_right(work, Right.ACT)
    if isinstance(found, Result):
        return found
    partnership, role = found
    answered = partnership.convention
    checklist = work.core.checklist
    if not review and len(answered) == len(checklist.items):
        return Result(work.language, [summaries.convention(work, partnership, role)])
    known = {
        "territory": partnership.territory,
        "theme": partnership.theme,
        "objectives": _diagnosis_objectives(work),
    }
    prefill = prefilled_answers(checklist, known)
    if not review:
        prefill.update(_as_flow_answers(answered))
    return questionnaires.start_or_resume(
        work,
        "convention",
        intro="convention_intro",
        partnership_id=partnership.id,
        prefill=prefill,
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


def open_card(work: Work, partnership: Partnership, role: str, _arg, message_id) -> Result:
    work.user.active_partnership_id = partnership.id
    work.db.add(work.user)
    return in_place(work, message_id, summaries.card(work, partnership, role))


def show_dialogue(work: Work, partnership: Partnership, role: str, _arg, message_id) -> Result:
    return in_place(work, message_id, summaries.dialogue(work, partnership, role))


def move(trigger: str, work: Work, partnership: Partnership, role: str, _arg, message_id) -> Result:
    """A stage move, refused with its reason when what it needs is missing."""
    facts = facts_of(
        partnership,
        work.core.checklist,
        has_diagnosis=repository.last_done_flow(work.db, user_id=work.user.id, flow="diagnostic")
        is not None,
        has_draft_convention=repository.has_document(
            work.db, partnership_id=partnership.id, kind="convention"
        ),
    )
    moved = work.core.lifecycle.move(facts, trigger)
    if not moved.moved:
        # The reason, then the card again so its buttons stay at hand.
        refusal = Say("stage_refused", {"reason": moved.refusal})
        result = Result(work.language, [refusal, summaries.card(work, partnership, role)])
        result.closes_acted = True
        return result
    repository.record_move(
        work.db, partnership=partnership, user_id=work.user.id, trigger=trigger, dest=moved.dest
    )
    return in_place(work, message_id, summaries.card(work, partnership, role))


def tick(work: Work, partnership: Partnership, role: str, point_id, message_id) -> Result:
    """Ticks or unticks a point of the dialogue checklist (step 2)."""
    if point_id not in {point.id for point in work.core.dialogue.points}:
        return notice(work)
    done = list(partnership.dialogue)
    done.remove(point_id) if point_id in done else done.append(point_id)
    partnership.dialogue = done
    repository.touch(partnership)
    work.db.add(partnership)
    return in_place(work, message_id, summaries.dialogue(work, partnership, role))


def add_note(work: Work, partnership: Partnership, _role, _arg, _message_id) -> Result:
    return questionnaires.start_or_resume(
        work, "note", intro="note_intro", partnership_id=partnership.id
    )


def choose(work: Work, partnership: Partnership, role: str, index, message_id) -> Result:
    """Chooses a candidate as the partner (step 3)."""
    chosen = choose_candidate(list(partnership.candidates), int(index)) if index else None
    if chosen is None:
        return notice(work)
    partnership.candidates = chosen
    partnership.partner_name = chosen_name(chosen)
    repository.touch(partnership)
    work.db.add(partnership)
    return in_place(work, message_id, summaries.candidates(partnership, role))


def review(work: Work, _partnership, _role, _arg, _message_id) -> Result:
    return convention(work, review=True)


# -- helpers --------------------------------------------------------------------------------


def _diagnosis_objectives(work: Work) -> str | None:
    done = repository.last_done_flow(work.db, user_id=work.user.id, flow="diagnostic")
    return done.state.get("answers", {}).get("expectations") if done else None


def _as_flow_answers(answered: dict[str, dict]) -> dict:
    flow_answers = {}
    for item_id, answer in answered.items():
        flow_answers[status_question_id(item_id)] = answer.get("status")
        if answer.get("text"):
            flow_answers[text_question_id(item_id)] = answer["text"]
    return flow_answers
