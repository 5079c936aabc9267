"""Step 1, the self-diagnosis (auto-diagnostic): from the answers, a recommendation.

The stated objectives lead to partnership types (guide 001, the carré magique of each
actor). A company's objective aims at one side of the square, and the typology serves each
side with one type (`dimension` on the options of `knowledge/data/diagnostic.yaml`, the table
in `method.yaml`). A general-interest actor's or a local authority's objective names its type
itself (`leads_to`), which can depend on what passes between the partners: a gift is
mécénat, a joint offer coopération économique (`exchange_forms` in `method.yaml`). That
exchange, said or read from the resources, leads to its type too; the other answers only
order the types. A local authority also gets a role (facilitator, catalyst, partner), by a
rule of our own. Readiness follows the three questions of article 004 that test whether a
partnership is strategic at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge import Method, Option, Question, Questionnaire
from knowledge.models import Dimension, RiskGroup, Source, Text

LOCAL_AUTHORITY = "local_authority"
FACILITATOR, CATALYST, PARTNER = "facilitator", "catalyst", "partner"
GIFT, JOINT_OFFER = "gift", "joint_offer"
EXCHANGE_QUESTION, RESOURCES_QUESTION = "exchange", "resources"
# Only an economic actor's gift is mécénat: an association's time or a local authority's
# money given to a project are not (our reading of the typology, which is the companies').
GIVERS = frozenset({"company"})
STRATEGIC_QUESTIONS = ("needs_outside", "bandwidth", "admin_burden")
STRATEGIC_POINTS = {"yes": 2, "partly": 1, "no": 0}
# Below a few hours a month, a partnership cannot be steered (brake "moyens"). Our figure.
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

    @property
    def option(self) -> Option:
        return self.question.option(self.option_id)

    @property
    def key(self) -> tuple[str, str]:
        return self.question.id, self.option_id


@dataclass(frozen=True)
class TypeRecommendation:
    """A partnership type the user's answers lead to, and the answers that support it."""

    type_id: str
    # The square's side, when a company's objective chose the type through it.
    dimension: Dimension | None
    objectives: tuple[Reason, ...]
    # What passes between the partners (a gift, a joint offer), said or read from resources,
    # when that form is this type; `form` names it.
    exchange: tuple[Reason, ...]
    refinements: tuple[Reason, ...]
    sources: tuple[Source, ...]
    # Some tie from an answer to this type is our reading, not the guide's word.
    ours: bool = False
    form: str | None = None

    @property
    def rank(self) -> tuple[int, int, int]:
        """Objectives first, then the exchange, then refinements: no number of refinements
        outweighs one objective."""
        weight = sum(reason.weight for reason in self.refinements)
        return len(self.objectives), len(self.exchange), weight

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.objectives + self.exchange + self.refinements


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
    # Choices of ours the answers brought (an academic actor gets the associations' square).
    our_choices: tuple[Text, ...] = ()


@dataclass
class _Tally:
    """What has led to one type so far."""

    objectives: list[Reason]
    exchange: list[Reason]
    sources: list[Source]
    dimension: Dimension | None = None
    ours: bool = False
    form: str | None = None


def exchange_forms(chosen: list[Reason], profile: str) -> dict[str, list[Reason]]:
    """What passes between the partners, each form with the answers that say it.

    The exchange question decides; left open ("not sure yet") or unanswered, the resources
    tell: an offer is a joint offer, and a company's money, skills, time, goods or relays
    are a gift, the forms the guide lists for mécénat.
    """
    stated = [reason for reason in chosen if reason.question.id == EXCHANGE_QUESTION]
    said = _by_form(stated)
    if said:
        return said
    read = _by_form([reason for reason in chosen if reason.question.id == RESOURCES_QUESTION])
    if profile not in GIVERS:
        read.pop(GIFT, None)
    return read


def _by_form(reasons: list[Reason]) -> dict[str, list[Reason]]:
    forms: dict[str, list[Reason]] = {}
    for reason in reasons:
        for form in reason.option.forms:
            forms.setdefault(form, []).append(reason)
    return forms


def recommend_partnership_types(
    chosen: list[Reason], method: Method, profile: str
) -> tuple[TypeRecommendation, ...]:
    """The types the objectives and the exchange lead to, best supported first."""
    recommended = [
        TypeRecommendation(
            type_id,
            entry.dimension,
            tuple(entry.objectives),
            tuple(entry.exchange),
            _refinements(chosen, type_id, entry.exchange),
            tuple(dict.fromkeys(entry.sources + [method.partnership_type(type_id).source])),
            entry.ours,
            entry.form,
        )
        for type_id, entry in _tallies(chosen, method, profile).items()
    ]
    # Ties fall back on the questionnaire's order of the answers, not on click order.
    order = {reason.key: index for index, reason in enumerate(chosen)}
    recommended.sort(key=lambda r: (tuple(-n for n in r.rank), order[r.reasons[0].key]))
    return tuple(recommended)


def _tallies(chosen: list[Reason], method: Method, profile: str) -> dict[str, _Tally]:
    """What leads to each type: the objectives (through the square's side or their own
    type) and the exchange."""
    forms = exchange_forms(chosen, profile)
    tallies: dict[str, _Tally] = {}

    def tally(type_id: str) -> _Tally:
        return tallies.setdefault(type_id, _Tally([], [], []))

    for reason in chosen:
        option = reason.option
        if option.dimension is not None:
            dimension = method.dimension(option.dimension)
            entry = tally(dimension.partnership_type)
            entry.dimension = dimension
            entry.sources += [reason.question.source, dimension.source]
            entry.objectives.append(reason)
        for type_id in _objective_types(option, forms):
            entry = tally(type_id)
            entry.objectives.append(reason)
            entry.sources.append(option.source or reason.question.source)
            entry.ours = entry.ours or option.ours
    for form_id, reasons in forms.items():
        form = method.exchange_form(form_id)
        entry = tally(form.partnership_type)
        entry.exchange += reasons
        entry.form = form.id
        entry.sources.append(form.source)
    return tallies


def _objective_types(option: Option, forms: dict[str, list[Reason]]) -> tuple[str, ...]:
    """The types an objective that names its own leads to, given what passes between the
    partners: a joint offer turns it to `as_joint_offer`, a gift as well keeps both."""
    if option.leads_to is None:
        return ()
    if option.as_joint_offer is None or JOINT_OFFER not in forms:
        return (option.leads_to,)
    if GIFT in forms:
        return (option.leads_to, option.as_joint_offer)
    return (option.as_joint_offer,)


def recommend_authority_roles(chosen: list[Reason]) -> tuple[RoleRecommendation, ...]:
    """A local authority's role: our rule, since the guide gives the roles but no way to choose.

    Committing means makes a partner in public–private alliances; network or time alone, a
    facilitator, which is where the guide says an authority starts (001, Étape 2 – le
    territoire, facilitateur). Objectives that rally many actors add territorial catalysis.
    """
    pointed: dict[str, list[Reason]] = {FACILITATOR: [], CATALYST: [], PARTNER: []}
    for reason in chosen:
        role = reason.option.role
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


def _refinements(chosen: list[Reason], type_id: str, exchange: list[Reason]) -> tuple[Reason, ...]:
    """The other answers that weigh towards a type, heaviest first (an answer that already
    led to it through the exchange is not counted again)."""
    led = {reason.key for reason in exchange}
    weighed = [
        Reason(reason.question, reason.option_id, reason.option.signals[type_id])
        for reason in chosen
        if reason.option.signals.get(type_id) and reason.key not in led
    ]
    return tuple(sorted(weighed, key=lambda reason: -reason.weight))


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
    """The whole self-diagnosis: types (and a local authority's roles), readiness, risks,
    brakes, and the choices of ours the answers brought."""
    readiness, readiness_reasons = assess_readiness(answers)
    profile = str(answers.get("profile", ""))
    # Every chosen option, read once: the types, the roles and our choices all start there.
    chosen = _chosen(questionnaire, answers)
    roles = recommend_authority_roles(chosen) if profile == LOCAL_AUTHORITY else ()
    return Diagnosis(
        profile=profile,
        recommended=recommend_partnership_types(chosen, method, profile),
        roles=roles,
        our_choices=tuple(r.option.our_choice for r in chosen if r.option.our_choice),
        readiness=readiness,
        readiness_reasons=readiness_reasons,
        risk_groups=method.risks_for(profile),
        brakes=brakes_to_watch(answers),
    )


def _too_little_time(answers: dict[str, Any]) -> bool:
    hours = answers.get("hours_per_month")
    return isinstance(hours, int | float) and hours < MIN_HOURS_PER_MONTH
