"""The draft convention and action plan of a partnership, from everything the steps recorded."""

from __future__ import annotations

from bot.services.organisations import organisation_of
from bot.services.work import Work
from flows.convention import (
    AGREED,
    ConventionDraft,
    Steering,
    actions_from_text,
    build_draft,
    chosen_kind,
)
from flows.organisations import party
from flows.roles import OURS, PARTNERS
from storage import repository
from storage.models import Partnership


def draft_of(work: Work, partnership: Partnership) -> ConventionDraft:
    """The convention's answers, the parties' details, /suivi's steering and actions."""
    answers = partnership.convention or {}
    parties = answers.get("_parties") or {}
    followup = partnership.followup or {}
    return build_draft(
        work.core.checklist,
        answers,
        language=work.language,
        title=partnership.name,
        # Each party's block from its organisation (its details asked once, for every
        # convention it signs); what this convention typed when it holds none.
        ours=party(
            partnership.our_organisation,
            organisation_of(work, partnership, OURS),
            parties.get("ours"),
            _our_kind(work, partnership),
        ),
        partner=party(
            partnership.partner_name,
            organisation_of(work, partnership, PARTNERS),
            parties.get("partner"),
            chosen_kind(partnership.candidates),
        ),
        territory=partnership.territory,
        theme=partnership.theme,
        steering=steering_of(work, partnership),
        actions=actions_from_text(followup.get("actions")),
    )


def _our_kind(work: Work, partnership: Partnership) -> str | None:
    """Our organisation's kind, as its creator's self-diagnosis gave it."""
    done = repository.last_done_flow(work.db, user_id=partnership.created_by, flow="diagnostic")
    return (done.state.get("answers") or {}).get("profile") if done else None


def steering_of(work: Work, partnership: Partnership) -> Steering:
    """/suivi's answers first; what the convention agreed fills the gaps."""
    items = partnership.convention or {}
    followup = partnership.followup or {}
    referents = _agreed(items, "referents").get("fields") or {}
    committee = followup.get("committee_members") or _agreed(items, "steering_committee").get(
        "text"
    )
    has_committee = (
        followup["steering_committee"] == "yes" if "steering_committee" in followup else None
    )
    return Steering(
        referent_ours=followup.get("referent_ours") or referents.get("ours"),
        referent_partner=followup.get("referent_partner") or referents.get("partner"),
        committee=committee,
        has_committee=has_committee if has_committee is not None else (bool(committee) or None),
        frequency=followup.get("frequency"),
        tools=_tool_labels(work, followup.get("reporting_tools") or []),
        communication=followup.get("communication_plan")
        or _agreed(items, "communication").get("text"),
    )


def _agreed(items: dict, item_id: str) -> dict:
    record = items.get(item_id) or {}
    return record if record.get("status") in AGREED else {}


def _tool_labels(work: Work, tools: list[str]) -> tuple[str, ...]:
    question = work.core.flows["followup"].questionnaire.question("reporting_tools")
    options = (question.option(tool) for tool in tools)
    return tuple(option.label.in_(work.language) for option in options if option)
