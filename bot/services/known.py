"""What earlier steps know, offered as current answers so that nothing is asked twice."""

from __future__ import annotations

from typing import Any

from bot.services import organisations
from bot.services.work import Work
from flows.convention import flow_defaults
from flows.questionnaires import partnership_defaults
from flows.schedule import rhythm_answers
from storage import repository
from storage.models import Partnership

# Resources committed in the diagnosis, by the convention item they tick.
RESOURCES_OF = {
    "money": ("money",),
    "people": ("staff_time", "skills"),
    "material": ("material",),
}


def diagnosis_answers(work: Work) -> dict[str, Any]:
    done = repository.last_done_flow(work.db, user_id=work.user.id, flow="diagnostic")
    return dict(done.state.get("answers", {})) if done else {}


def new_partnership(work: Work) -> dict[str, Any]:
    """/nouveau: our organisation as in the user's last partnership. The diagnosis asked a
    scale ("Département"), not a place: the territory is asked, never offered from it (kept,
    it would name the territory "Département" in the drafts)."""
    rows = repository.partnerships_of(work.db, user_id=work.user.id)
    ours = [p for p, role in rows if role == "member"]
    return partnership_defaults(ours[-1] if ours else None, None)


def editing(partnership: Partnership) -> dict[str, Any]:
    """Correcting a partnership: every field offered as it is."""
    return partnership_defaults(partnership, partnership.territory, partner=True)


def convention(work: Work, partnership: Partnership, *, previous: bool = True):
    """(defaults, flags) of the convention questionnaire: the previous run's answers, then
    the partnership, the diagnosis and the follow-up."""
    diagnosis = diagnosis_answers(work)
    resources = set(diagnosis.get("resources") or [])
    followup = partnership.followup or {}
    known: dict[str, Any] = {
        "territory": partnership.territory,
        "theme": partnership.theme,
        "objectives": diagnosis.get("expectations"),
        "referents": {
            "ours": followup.get("referent_ours"),
            "partner": followup.get("referent_partner"),
        }
        if followup.get("referent_ours")
        else None,
        "committee": followup.get("committee_members"),
        "communication": followup.get("communication_plan"),
    }
    # Each party's details as its organisation holds them.
    known |= organisations.party_details(work, partnership)
    known |= {key: bool(resources.intersection(kinds)) for key, kinds in RESOURCES_OF.items()}
    answers = partnership.convention if previous else {}
    return flow_defaults(work.core.checklist, answers, known)


def followup(partnership: Partnership) -> dict[str, Any]:
    """/suivi: the previous answers, else what the convention settled and Alliance's
    evaluation rhythm."""
    items = partnership.convention or {}
    referents = (items.get("referents") or {}).get("fields") or {}
    committee = (items.get("steering_committee") or {}).get("text")
    offered = {
        "referent_ours": referents.get("ours"),
        "referent_partner": referents.get("partner"),
        "steering_committee": "yes" if committee else None,
        "committee_members": committee,
        "communication_plan": (items.get("communication") or {}).get("text"),
        "actions": (items.get("actions") or {}).get("text"),
    }
    # Alliance's evaluation rhythm (our advice) is offered: keeping it is one tap.
    offered |= rhythm_answers()
    return {k: v for k, v in offered.items() if v} | dict(partnership.followup or {})
