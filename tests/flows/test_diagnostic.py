"""Step 1 on the real questionnaire: each actor's answers lead to the types the guide implies.

The profiles below are built from the guide's logic (001, Partie 2: the carré magique of each
actor and the typology; 002, Thème 2: the types' logics), not from our tables: each names the
type(s) a reader of the guide would give it and the answers that must lead there.
"""

import json

import pytest

from flows.diagnostic import (
    CATALYST,
    CLARIFY,
    FACILITATOR,
    NOT_YET,
    PARTNER,
    READY,
    assess_readiness,
    brakes_to_watch,
    diagnose,
)
from flows.engine import DONE, QuestionnaireFlow
from knowledge import load_method, load_questionnaire

# A company that wants to innovate and bring an offer: economic actors' answers.
COMPANY = {
    "profile": "company",
    "territory": "region",
    "objectives_company": ["performance", "innovation"],
    "exchange": "joint_offer",
    "fragility_families": ["economic"],
    "fragility_economic": ["employment"],
    "shared_stakes": ["pooled_means"],
    "expectations": "Co-construire une offre d'insertion",
    "contribution": None,
    "articulation": "planned",
    "needs_outside": "yes",
    "bandwidth": "yes",
    "admin_burden": "yes",
    "resources": ["offer", "staff_time"],
    "hours_per_month": 20,
    "partner_knowledge": 4,
    "start_date": None,
}
# An association looking for funding and skills as a gift, short of time.
ASSOCIATION = {
    "profile": "association",
    "territory": "neighbourhood",
    "objectives_general": ["funding", "skills"],
    "exchange": "gift",
    "fragility_families": ["social"],
    "fragility_social": ["isolation"],
    "shared_stakes": ["viewpoint"],
    "expectations": "Financer nos visites à domicile",
    "contribution": "Nos bénévoles",
    "articulation": "not_yet",
    "needs_outside": "yes",
    "bandwidth": "partly",
    "admin_burden": "partly",
    "resources": ["field"],
    "hours_per_month": 2,
    "partner_knowledge": 1,
    "start_date": "2027-01-15",
}
OBJECTIVES_QUESTION = {
    "company": "objectives_company",
    "association": "objectives_general",
    "academic": "objectives_general",
    "local_authority": "objectives_public",
}
PR, CE, IS, MEC = (
    "pratiques_responsables",
    "cooperation_economique",
    "innovation_societale",
    "mecenat",
)


@pytest.fixture(scope="module")
def questionnaire():
    return load_questionnaire("diagnostic")


@pytest.fixture(scope="module")
def method():
    return load_method()


def profile_answers(profile: str, objectives: list[str], **changes) -> dict:
    """A complete answer set for a profile, with the given objectives; the exchange left open
    and nothing committed unless `changes` say otherwise."""
    answers = {key: value for key, value in COMPANY.items() if not key.startswith("objectives_")}
    answers.update(exchange="unsure", resources=[], shared_stakes=[], fragility_families=[])
    return {**answers, "profile": profile, OBJECTIVES_QUESTION[profile]: objectives, **changes}


def types_of(diagnosis) -> list[str]:
    return [recommended.type_id for recommended in diagnosis.recommended]


def roles_of(diagnosis) -> list[str]:
    return [role.role_id for role in diagnosis.roles]


def led_by(diagnosis, type_id: str) -> set[tuple[str, str]]:
    """The answers that lead to a type (objectives and exchange), as (question, option)."""
    found = next(r for r in diagnosis.recommended if r.type_id == type_id)
    return {reason.key for reason in found.objectives + found.exchange}


# (who, objectives, other answers, the types the guide implies in order, answers that lead
# to the first of them). Order matters: objectives come before the exchange.
PROFILES = {
    # Companies: the four sides of their square (001, Partie 2 – carré magique des entreprises;
    # Partie 1, the typology's "objectifs" row), and mécénat de compétences.
    "company giving its employees' skills to an association": (
        "company",
        ["hr"],
        {"exchange": "gift", "resources": ["skills", "staff_time"]},
        [PR, MEC],
        {("objectives_company", "hr")},
    ),
    "company lending skills, exchange left open: read from what it commits": (
        "company",
        ["hr"],
        {"resources": ["skills", "staff_time"]},
        [PR, MEC],
        {("objectives_company", "hr")},
    ),
    "company answering tenders with social clauses alongside an insertion structure": (
        "company",
        ["performance"],
        {"exchange": "joint_offer", "resources": ["offer"]},
        [CE],
        {("objectives_company", "performance"), ("exchange", "joint_offer")},
    ),
    "company testing a new service with an association's field knowledge": (
        "company",
        ["innovation"],
        {"resources": ["field"]},
        [IS],
        {("objectives_company", "innovation")},
    ),
    "company rooting itself locally by funding a neighbourhood project": (
        "company",
        ["stakeholders"],
        {"exchange": "gift", "resources": ["money"]},
        [MEC],
        {("objectives_company", "stakeholders"), ("exchange", "gift")},
    ),
    # Associations: their square (001, Partie 2 – carré magique des associations) read through
    # the forms of mécénat (001, typology) and the types' logics (002, Thème 2).
    "association seeking a grant and free premises": (
        "association",
        ["funding"],
        {"exchange": "gift", "resources": ["network"]},
        [MEC],
        {("objectives_general", "funding"), ("exchange", "gift")},
    ),
    "the same association building a paid service with the company": (
        "association",
        ["funding"],
        {"exchange": "joint_offer", "resources": ["offer"]},
        [CE],
        {("objectives_general", "funding"), ("exchange", "joint_offer")},
    ),
    "association seeking pro-bono expertise": (
        "association",
        ["skills"],
        {"exchange": "gift"},
        [MEC],
        {("objectives_general", "skills"), ("exchange", "gift")},
    ),
    "association whose cause the company relays": (
        "association",
        ["networks"],
        {},
        [MEC],
        {("objectives_general", "networks")},
    ),
    "association scaling up its solution with the company's reach": (
        "association",
        ["innovation"],
        {"resources": ["field"]},
        [IS],
        {("objectives_general", "innovation")},
    ),
    "association helping a company hire inclusively": (
        "association",
        ["practices"],
        {"resources": ["skills"]},
        [PR],
        {("objectives_general", "practices")},
    ),
    # Local authorities: the same logic with the ecosystem to look after (001, carré magique
    # des collectivités), the joint offer proposed to public authorities (002, Thème 2).
    "local authority buying with social clauses from an insertion alliance": (
        "local_authority",
        ["development"],
        {"exchange": "joint_offer", "resources": ["offer", "money"]},
        [CE],
        {("objectives_public", "development"), ("exchange", "joint_offer")},
    ),
    "local authority offering its ground to test a new solution": (
        "local_authority",
        ["performance"],
        {"resources": ["field"]},
        [IS],
        {("objectives_public", "performance")},
    ),
    "local authority rallying local companies' support for local needs": (
        "local_authority",
        ["needs"],
        {"exchange": "gift", "resources": ["network", "staff_time"]},
        [MEC],
        {("objectives_public", "needs"), ("exchange", "gift")},
    ),
    "local authority co-building an offer for isolated elderly people": (
        "local_authority",
        ["social"],
        {"exchange": "joint_offer", "resources": ["offer"]},
        [CE],
        {("objectives_public", "social"), ("exchange", "joint_offer")},
    ),
    # Academic actors: the guide gives them no square; they get the general-interest one.
    "university lab experimenting with a company": (
        "academic",
        ["innovation"],
        {"resources": ["field"]},
        [IS],
        {("objectives_general", "innovation")},
    ),
    "university chair funded by a company's gift": (
        "academic",
        ["funding"],
        {"exchange": "gift"},
        [MEC],
        {("objectives_general", "funding"), ("exchange", "gift")},
    ),
    "university selling a training programme built with a company": (
        "academic",
        ["skills"],
        {"exchange": "joint_offer", "resources": ["offer"]},
        [CE],
        {("objectives_general", "skills"), ("exchange", "joint_offer")},
    ),
}


@pytest.mark.parametrize("name", PROFILES)
def test_each_actor_is_led_to_the_types_the_guide_implies(questionnaire, method, name):
    profile, objectives, other, expected, leading = PROFILES[name]
    diagnosis = diagnose(questionnaire, method, profile_answers(profile, objectives, **other))
    assert types_of(diagnosis) == expected
    assert leading <= led_by(diagnosis, expected[0])


def test_every_actor_has_at_least_three_profiles():
    counts = {}
    for profile, *_ in PROFILES.values():
        counts[profile] = counts.get(profile, 0) + 1
    assert set(counts) == set(OBJECTIVES_QUESTION)
    assert min(counts.values()) >= 3


def test_a_gift_and_a_joint_offer_of_the_same_association_get_different_types(
    questionnaire, method
):
    gift = profile_answers("association", ["funding", "skills"], exchange="gift")
    offer = profile_answers("association", ["funding", "skills"], exchange="joint_offer")
    assert types_of(diagnose(questionnaire, method, gift)) == [MEC]
    assert types_of(diagnose(questionnaire, method, offer)) == [CE]
    both = profile_answers("association", ["funding"], exchange="both")
    assert set(types_of(diagnose(questionnaire, method, both))) == {MEC, CE}


def test_an_association_left_unsure_is_read_from_what_it_commits(questionnaire, method):
    # Its offer says joint offer; its own time or money is no mécénat (only a company gives).
    offer = profile_answers("association", ["funding"], resources=["offer", "staff_time"])
    assert types_of(diagnose(questionnaire, method, offer)) == [CE]
    time_only = profile_answers("association", ["funding"], resources=["staff_time", "money"])
    assert types_of(diagnose(questionnaire, method, time_only)) == [MEC]
    assert led_by(diagnose(questionnaire, method, time_only), MEC) == {
        ("objectives_general", "funding")
    }


def test_resources_never_outweigh_an_objective(questionnaire, method):
    resources = [option.id for option in questionnaire.question("resources").options]
    answers = profile_answers("company", ["innovation"], resources=resources)
    assert types_of(diagnose(questionnaire, method, answers))[0] == IS


def test_two_objectives_give_two_types_whatever_the_click_order(questionnaire, method):
    one = profile_answers("company", ["innovation", "stakeholders"])
    other = profile_answers("company", ["stakeholders", "innovation"])
    # Nothing else for either type: the questionnaire's order of the objectives decides.
    expected = [MEC, IS]
    assert types_of(diagnose(questionnaire, method, one)) == expected
    assert types_of(diagnose(questionnaire, method, other)) == expected


def test_refinements_put_the_better_supported_type_first(questionnaire, method):
    answers = profile_answers("company", ["stakeholders", "innovation"], resources=["field"])
    assert types_of(diagnose(questionnaire, method, answers)) == [IS, MEC]


def test_energy_costs_weigh_towards_economic_cooperation(questionnaire, method):
    # 001 puts energy costs under a company's economic performance.
    answers = profile_answers(
        "company",
        ["performance", "hr"],
        fragility_families=["environmental"],
        fragility_environmental=["energy"],
    )
    assert types_of(diagnose(questionnaire, method, answers)) == [CE, PR]


def test_two_profiles_get_two_different_recommendations(questionnaire, method):
    company = diagnose(questionnaire, method, COMPANY)
    association = diagnose(questionnaire, method, ASSOCIATION)
    assert types_of(company) == [CE, IS]
    assert types_of(association) == [MEC]
    assert company.readiness == READY
    assert association.readiness == CLARIFY
    assert [g.id for g in company.risk_groups] == ["economic"]
    assert [g.id for g in association.risk_groups] == ["general_interest"]


def test_reasons_name_the_objective_the_exchange_the_refinements_and_the_guide(
    questionnaire, method
):
    top = diagnose(questionnaire, method, COMPANY).recommended[0]
    assert [r.key for r in top.objectives] == [("objectives_company", "performance")]
    assert [r.key for r in top.exchange] == [("exchange", "joint_offer")]
    refined = {r.key for r in top.refinements}
    assert ("resources", "offer") in refined
    # Staff time weighs towards mécénat, which nothing chose: it is no reason here.
    assert ("resources", "staff_time") not in refined
    assert {source.seed for source in top.sources} == {"001", "002"}
    assert any("carré magique des entreprises" in source.section for source in top.sources)
    assert top.ours is False


def test_a_local_authority_gets_types_and_roles_its_ties_marked_as_ours(questionnaire, method):
    answers = profile_answers("local_authority", ["development"], resources=["offer"])
    diagnosis = diagnose(questionnaire, method, answers)
    assert types_of(diagnosis) == [CE]
    assert diagnosis.recommended[0].ours is True
    assert roles_of(diagnosis) == [PARTNER]


def test_an_academic_actor_is_told_it_gets_the_associations_questions_by_our_choice(
    questionnaire, method
):
    diagnosis = diagnose(questionnaire, method, profile_answers("academic", ["innovation"]))
    assert [g.id for g in diagnosis.risk_groups] == ["general_interest"]
    assert len(diagnosis.our_choices) == 1
    assert "notre choix" in diagnosis.our_choices[0].fr
    assert "our choice" in diagnosis.our_choices[0].en
    association = diagnose(questionnaire, method, profile_answers("association", ["innovation"]))
    assert association.our_choices == ()


@pytest.mark.parametrize(
    ("objective", "resources", "roles"),
    [
        ("needs", ["network"], [FACILITATOR, CATALYST]),
        ("development", ["money", "staff_time"], [PARTNER]),
        ("performance", ["staff_time"], [FACILITATOR]),
        ("social", ["field"], [PARTNER, CATALYST]),
    ],
)
def test_the_local_authority_role_follows_what_it_commits(
    questionnaire, method, objective, resources, roles
):
    answers = profile_answers("local_authority", [objective], resources=resources)
    diagnosis = diagnose(questionnaire, method, answers)
    assert roles_of(diagnosis) == roles
    reasons = {r.key for role in diagnosis.roles for r in role.reasons}
    assert {("resources", option) for option in resources} & reasons
    assert [g.id for g in diagnosis.risk_groups] == ["public"]


def test_the_role_rule_is_marked_as_our_advice_and_the_roles_cite_the_guide(method):
    for role in method.authority_roles:
        assert role.our_advice.fr and role.our_advice.en
        assert all(source.seed == "001" for source in role.sources)


def test_a_partnership_you_do_not_need_is_not_yet_strategic():
    verdict, reasons = assess_readiness({**COMPANY, "needs_outside": "no"})
    assert verdict == NOT_YET
    assert "needs_outside_no" in reasons


def test_brakes_follow_the_answers():
    assert brakes_to_watch(COMPANY) == ()
    brakes = dict(brakes_to_watch(ASSOCIATION))
    assert brakes == {
        "means": "little_time",
        "method": "admin_burden",
        "knowledge": "partner_unknown",
        "trust": "bandwidth",
    }


def test_the_diagnosis_survives_a_json_round_trip_of_the_answers(questionnaire, method):
    answers = json.loads(json.dumps(profile_answers("company", ["hr"], exchange="gift")))
    assert types_of(diagnose(questionnaire, method, answers)) == [PR, MEC]


def test_the_whole_questionnaire_runs_to_the_end(questionnaire):
    flow = QuestionnaireFlow(questionnaire)
    state = flow.start()
    asked = []
    while state.state != DONE:
        question = flow.current(state)
        asked.append(question.id)
        value = COMPANY[question.id]
        outcome = flow.skip(state) if value is None else flow.answer(state, value)
        assert outcome.kind in ("question", "done"), (question.id, outcome)
    assert "objectives_general" not in asked and "fragility_social" not in asked
    assert len(asked) == 17
