"""Step 1, the self-diagnosis (auto-diagnostic): from the answers, a recommendation.

The stated objectives decide the partnership type (guide 001): each objective of the
"carré magique" aims at one of four dimensions, and the typology serves each dimension
with one type (`dimension` on the options of `knowledge/data/diagnostic.yaml`, the table
in `method.yaml`). Other answers only order the chosen types. A local authority gets a
role instead (facilitator, catalyst, partner), by a rule of our own. Readiness follows
the three questions of article 004 that test whether a partnership is strategic at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge import Method, Option, Question, Questionnaire
from knowledge.models import Dimension, RiskGroup, Source

LOCAL_AUTHORITY = "local_authority"
FACILITATOR, CATALYST, PARTNER = "facilitator", "catalyst", "partner"
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
    """An answer that led to a recommendation, with the weight it adds when it refines one."""

    question: Question
    option_id: str
    weight: int = 0

    @property
    def position(self) -> int:
        """The option's place in its question: the guide's order, whatever the click order."""
        return [option.id for option in self.question.options].index(self.option_id)


@dataclass(frozen=True)
class TypeRecommendation:
    """A partnership type chosen by the user's objectives, and the answers that support it."""

    type_id: str
    dimension: Dimension
    objectives: tuple[Reason, ...]
    refinements: tuple[Reason, ...]

    @property
    def rank(self) -> tuple[int, int]:
        """Objectives first, refinements after: no number of refinements outweighs one objective."""
        return len(self.objectives), sum(reason.weight for reason in self.refinements)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.objectives + self.refinements

    @property
    def sources(self) -> tuple[Source, ...]:
        """Where the objective's square and the dimension's type come from."""
        found = [reason.question.source for reason in self.objectives] + [self.dimension.source]
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class RoleRecommendation:
    """A role for a local authority (our advice), and the answers that point to it."""

    role_id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Diagnosis:
    profile: str
    recommended: tuple[TypeRecommendation, ...]
    roles: tuple[RoleRecommendation, ...]
    readiness: str
    readiness_reasons: tuple[str, ...]
    risk_groups: tuple[RiskGroup, ...]
    brakes: tuple[tuple[str, str], ...]


def recommend_partnership_types(
    questionnaire: Questionnaire, method: Method, answers: dict[str, Any]
) -> tuple[TypeRecommendation, ...]:
    """The types the chosen objectives lead to, best supported first.

    For general-interest actors the guide mirrors the companies' square (001, Partie 2 –
    carré magique des associations): funding is the socio-economic model, as economic
    performance is; skills answer engaging employees; the partner's networks as a sounding
    board answer the dialogue with stakeholders (positioning); innovating stays innovating.
    The options' `dimension` carries that symmetry, so no profile needs a rule of its own.
    """
    chosen = _chosen(questionnaire, answers)
    by_dimension: dict[str, list[Reason]] = {}
    for reason in chosen:
        if _option(reason).dimension is not None:
            by_dimension.setdefault(_option(reason).dimension, []).append(reason)
    # One type per dimension (method.yaml checks it), so a type is never counted twice.
    dimensions = [method.dimension(dimension_id) for dimension_id in by_dimension]
    recommended = [
        TypeRecommendation(
            dimension.partnership_type,
            dimension,
            tuple(by_dimension[dimension.id]),
            _refinements(chosen, dimension.partnership_type),
        )
        for dimension in dimensions
    ]
    # Ties fall back on the questionnaire's order of the objectives, not on click order.
    recommended.sort(key=lambda r: (-r.rank[0], -r.rank[1], r.objectives[0].position))
    return tuple(recommended)


def recommend_authority_roles(
    questionnaire: Questionnaire, answers: dict[str, Any]
) -> tuple[RoleRecommendation, ...]:
    """A local authority's role: our rule, since the guide gives the roles but no way to choose.

    Committing means makes a partner in public–private alliances; network or time alone, a
    facilitator, which is where the guide says an authority starts (001, Étape 2 – le
    territoire, facilitateur). Objectives that rally many actors add territorial catalysis.
    """
    pointed: dict[str, list[Reason]] = {FACILITATOR: [], CATALYST: [], PARTNER: []}
    for reason in _chosen(questionnaire, answers):
        role = _option(reason).role
        if role is not None:
            pointed[role].append(reason)
    main = PARTNER if pointed[PARTNER] else FACILITATOR
    roles = [RoleRecommendation(main, tuple(pointed[main]))]
    if pointed[CATALYST]:
        roles.append(RoleRecommendation(CATALYST, tuple(pointed[CATALYST])))
    return tuple(roles)


def _chosen(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[Reason]:
    """Every option chosen in a question that applies, in the questionnaire's order."""
    chosen: list[Reason] = []
    for question in questionnaire.questions:
        value = answers.get(question.id)
        if value is None or not question.applies(answers):
            continue
        values = {str(v) for v in (value if isinstance(value, list) else [value])}
        chosen += [Reason(question, o.id) for o in question.options if o.id in values]
    return chosen


def _refinements(chosen: list[Reason], type_id: str) -> tuple[Reason, ...]:
    """The answers other than objectives that weigh towards a type, heaviest first."""
    weighed = [
        Reason(reason.question, reason.option_id, _option(reason).signals[type_id])
        for reason in chosen
        if _option(reason).dimension is None and _option(reason).signals.get(type_id)
    ]
    return tuple(sorted(weighed, key=lambda reason: -reason.weight))


def _option(reason: Reason) -> Option:
    return reason.question.option(reason.option_id)


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
    """The whole self-diagnosis: types (or a local authority's roles), readiness, risks, brakes."""
    readiness, readiness_reasons = assess_readiness(answers)
    profile = str(answers.get("profile", ""))
    # The guide gives a local authority roles to play rather than one of the four types.
    if profile == LOCAL_AUTHORITY:
        recommended, roles = (), recommend_authority_roles(questionnaire, answers)
    else:
        recommended, roles = recommend_partnership_types(questionnaire, method, answers), ()
    return Diagnosis(
        profile=profile,
        recommended=recommended,
        roles=roles,
        readiness=readiness,
        readiness_reasons=readiness_reasons,
        risk_groups=method.risks_for(profile),
        brakes=brakes_to_watch(answers),
    )


def _too_little_time(answers: dict[str, Any]) -> bool:
    hours = answers.get("hours_per_month")
    return isinstance(hours, int | float) and hours < MIN_HOURS_PER_MONTH
