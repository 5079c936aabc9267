"""Step 1, the self-diagnosis (auto-diagnostic): from the answers, a recommendation.

The partnership types follow the "carré magique" (guide 001, part 2): each chosen
objective, resource or expectation weighs towards one or more types, as declared
on the options in `knowledge/data/diagnostic.yaml`. Readiness follows the three
questions of article 004 that test whether a partnership is strategic at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge import PARTNERSHIP_TYPES, Method, Question, Questionnaire
from knowledge.models import RiskGroup

# The objectives of the carré magique are the main driver of the choice of type.
OBJECTIVE_WEIGHT = 2
# A second type is recommended when it comes close to the first.
SECOND_TYPE_SHARE = 0.75
STRATEGIC_QUESTIONS = ("needs_outside", "bandwidth", "admin_burden")
STRATEGIC_POINTS = {"yes": 2, "partly": 1, "no": 0}
# Below a few hours a month, a partnership cannot be steered (brake "moyens").
MIN_HOURS_PER_MONTH = 4

# Reasons that keep a strong strategic test from a "ready" verdict.
BLOCKERS = frozenset({"articulation_not_yet", "little_time"})

READY = "ready"
CLARIFY = "clarify"
NOT_YET = "not_yet"


@dataclass(frozen=True)
class Reason:
    """An answer that weighed towards a partnership type."""

    question: Question
    option_id: str
    weight: int


@dataclass(frozen=True)
class TypeScore:
    type_id: str
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Diagnosis:
    profile: str
    recommended: tuple[TypeScore, ...]
    scores: tuple[TypeScore, ...]
    readiness: str
    readiness_reasons: tuple[str, ...]
    risk_groups: tuple[RiskGroup, ...]
    brakes: tuple[tuple[str, str], ...]


def recommend_partnership_types(
    questionnaire: Questionnaire, answers: dict[str, Any]
) -> tuple[tuple[TypeScore, ...], tuple[TypeScore, ...]]:
    """(recommended types, all four scored), best first."""
    weighed: dict[str, list[Reason]] = {type_id: [] for type_id in PARTNERSHIP_TYPES}
    for question in questionnaire.questions:
        chosen = answers.get(question.id)
        if chosen is None or not question.applies(answers):
            continue
        factor = OBJECTIVE_WEIGHT if question.id.startswith("objectives_") else 1
        for option_id in chosen if isinstance(chosen, list) else [chosen]:
            option = question.option(str(option_id))
            for type_id, weight in (option.signals if option else {}).items():
                weighed[type_id].append(Reason(question, option.id, weight * factor))
    scores = [
        TypeScore(
            type_id,
            sum(r.weight for r in reasons),
            tuple(sorted(reasons, key=lambda r: -r.weight)),
        )
        for type_id, reasons in weighed.items()
    ]
    # Stable sort: on a tie, the guide's order of the types decides.
    scores.sort(key=lambda s: -s.score)
    best = scores[0].score
    if best == 0:
        return (), tuple(scores)
    recommended = [scores[0]] + [s for s in scores[1:2] if s.score >= best * SECOND_TYPE_SHARE]
    return tuple(recommended), tuple(scores)


def assess_readiness(answers: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A verdict (ready, clarify, not_yet) and the reasons that lowered it."""
    reasons: list[str] = []
    points = 0
    for question_id in STRATEGIC_QUESTIONS:
        value = answers.get(question_id)
        points += STRATEGIC_POINTS.get(value, 0)
        if value in ("partly", "no"):
            reasons.append(f"{question_id}_{value}")
    if answers.get("articulation") in ("partly", "not_yet"):
        reasons.append(f"articulation_{answers['articulation']}")
    if _too_little_time(answers):
        reasons.append("little_time")
    if answers.get("needs_outside") == "no" or points <= 2:
        return NOT_YET, tuple(reasons)
    if points >= 5 and not BLOCKERS.intersection(reasons):
        return READY, tuple(reasons)
    return CLARIFY, tuple(reasons)


def brakes_to_watch(answers: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The four brakes (freins) that the answers point at, each with the reason."""
    found: list[tuple[str, str]] = []
    if _too_little_time(answers):
        found.append(("means", "little_time"))
    elif "staff_time" not in (answers.get("resources") or []):
        found.append(("means", "no_staff_time"))
    if answers.get("admin_burden") in ("partly", "no"):
        found.append(("method", "admin_burden"))
    elif answers.get("articulation") in ("partly", "not_yet"):
        found.append(("method", "articulation"))
    knowledge = answers.get("partner_knowledge")
    if isinstance(knowledge, int) and knowledge <= 2:
        found.append(("knowledge", "partner_unknown"))
    if answers.get("bandwidth") in ("partly", "no"):
        found.append(("trust", "bandwidth"))
    return tuple(found)


def diagnose(questionnaire: Questionnaire, method: Method, answers: dict[str, Any]) -> Diagnosis:
    recommended, scores = recommend_partnership_types(questionnaire, answers)
    readiness, readiness_reasons = assess_readiness(answers)
    profile = str(answers.get("profile", ""))
    return Diagnosis(
        profile=profile,
        recommended=recommended,
        scores=scores,
        readiness=readiness,
        readiness_reasons=readiness_reasons,
        risk_groups=method.risks_for(profile),
        brakes=brakes_to_watch(answers),
    )


def _too_little_time(answers: dict[str, Any]) -> bool:
    hours = answers.get("hours_per_month")
    return isinstance(hours, int | float) and hours < MIN_HOURS_PER_MONTH
