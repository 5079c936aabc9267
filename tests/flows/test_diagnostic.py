"""Step 1 on the real questionnaire: the objectives decide, the other answers only refine."""

import json
from itertools import combinations

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
# An association looking for funding and skills, short of time.
ASSOCIATION = {
    "profile": "association",
    "territory": "neighbourhood",
    "objectives_general": ["funding", "skills"],
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

# What the guide ties each objective to (001: Partie 1 – place des partenariats pour les
# entreprises, fiche typologie; Partie 2 – carré magique, mirrored for general interest).
COMPANY_TYPES = {
    "hr": "pratiques_responsables",
    "stakeholders": "mecenat",
    "performance": "cooperation_economique",
    "innovation": "innovation_societale",
}
GENERAL_INTEREST_TYPES = {
    "skills": "pratiques_responsables",
    "networks": "mecenat",
    "funding": "cooperation_economique",
    "innovation": "innovation_societale",
}
OBJECTIVES = {
    "company": ("objectives_company", COMPANY_TYPES),
    "association": ("objectives_general", GENERAL_INTEREST_TYPES),
    "academic": ("objectives_general", GENERAL_INTEREST_TYPES),
}
CASES = [
    (profile, objective, type_id)
    for profile, (_, types) in OBJECTIVES.items()
    for objective, type_id in types.items()
]


@pytest.fixture(scope="module")
def questionnaire():
    return load_questionnaire("diagnostic")


@pytest.fixture(scope="module")
def method():
    return load_method()


def profile_answers(profile: str, objectives: list[str], **changes) -> dict:
    """A complete answer set for a profile, with the given objectives."""
    answers = {key: value for key, value in COMPANY.items() if not key.startswith("objectives_")}
    question = OBJECTIVES[profile][0] if profile in OBJECTIVES else "objectives_public"
    return {**answers, "profile": profile, question: objectives, **changes}


def every_option(questionnaire, question_id: str) -> list[str]:
    return [option.id for option in questionnaire.question(question_id).options]


def everything_else(questionnaire) -> dict:
    """Every resource, shared stake and fragility ticked: all the refinements at once."""
    families = every_option(questionnaire, "fragility_families")
    return {
        "resources": every_option(questionnaire, "resources"),
        "shared_stakes": every_option(questionnaire, "shared_stakes"),
        "fragility_families": families,
        **{f"fragility_{f}": every_option(questionnaire, f"fragility_{f}") for f in families},
    }


def types_of(diagnosis) -> list[str]:
    return [recommended.type_id for recommended in diagnosis.recommended]


def roles_of(diagnosis) -> list[str]:
    return [role.role_id for role in diagnosis.roles]


@pytest.mark.parametrize(("profile", "objective", "type_id"), CASES)
def test_one_objective_leads_to_its_type(questionnaire, method, profile, objective, type_id):
    diagnosis = diagnose(questionnaire, method, profile_answers(profile, [objective]))
    assert types_of(diagnosis) == [type_id]
    assert diagnosis.roles == ()


@pytest.mark.parametrize(("profile", "objective", "type_id"), CASES)
def test_every_resource_ticked_never_outweighs_the_objective(
    questionnaire, method, profile, objective, type_id
):
    answers = profile_answers(profile, [objective], **everything_else(questionnaire))
    assert types_of(diagnose(questionnaire, method, answers)) == [type_id]


def test_refinements_only_order_the_types_the_objectives_chose(questionnaire, method):
    refinements = everything_else(questionnaire)
    for profile, (_, types) in OBJECTIVES.items():
        for pair in combinations(types, 2):
            answers = profile_answers(profile, list(pair), **refinements)
            assert set(types_of(diagnose(questionnaire, method, answers))) == {
                types[objective] for objective in pair
            }, (profile, pair)


def test_two_objectives_give_two_types_whatever_the_click_order(questionnaire, method):
    plain = {"resources": ["staff_time"], "shared_stakes": ["viewpoint"]}
    one = profile_answers("company", ["innovation", "stakeholders"], **plain)
    other = profile_answers("company", ["stakeholders", "innovation"], **plain)
    # No refinement for either type: the questionnaire's order of the objectives decides.
    expected = ["mecenat", "innovation_societale"]
    assert types_of(diagnose(questionnaire, method, one)) == expected
    assert types_of(diagnose(questionnaire, method, other)) == expected


def test_refinements_put_the_better_supported_type_first(questionnaire, method):
    answers = profile_answers("company", ["stakeholders", "innovation"], resources=["field"])
    assert types_of(diagnose(questionnaire, method, answers)) == [
        "innovation_societale",
        "mecenat",
    ]


def test_an_association_that_wants_the_partners_networks_is_led_to_mecenat(questionnaire, method):
    answers = profile_answers("association", ["networks"], resources=["network"])
    top = diagnose(questionnaire, method, answers).recommended[0]
    assert top.type_id == "mecenat"
    assert top.dimension.id == "positioning"


def test_two_profiles_get_two_different_recommendations(questionnaire, method):
    company = diagnose(questionnaire, method, COMPANY)
    association = diagnose(questionnaire, method, ASSOCIATION)
    assert types_of(company) == ["cooperation_economique", "innovation_societale"]
    # Funding is the socio-economic model, skills the processes: the association's mirror.
    assert set(types_of(association)) == {"cooperation_economique", "pratiques_responsables"}
    assert company.readiness == READY
    assert association.readiness == CLARIFY
    assert [g.id for g in company.risk_groups] == ["economic"]
    assert [g.id for g in association.risk_groups] == ["general_interest"]


def test_reasons_name_the_objective_the_refinements_and_the_guide(questionnaire, method):
    top = diagnose(questionnaire, method, COMPANY).recommended[0]
    assert [(r.question.id, r.option_id) for r in top.objectives] == [
        ("objectives_company", "performance")
    ]
    refined = {(r.question.id, r.option_id) for r in top.refinements}
    assert ("resources", "offer") in refined
    # Staff time weighs towards mécénat, which no objective chose: it is no reason here.
    assert ("resources", "staff_time") not in refined
    assert {source.seed for source in top.sources} == {"001"}
    assert any("carré magique des entreprises" in source.section for source in top.sources)


@pytest.mark.parametrize("objective", ["needs", "development", "performance", "social"])
def test_a_local_authority_gets_a_role_never_a_type(questionnaire, method, objective):
    answers = profile_answers("local_authority", [objective], **everything_else(questionnaire))
    diagnosis = diagnose(questionnaire, method, answers)
    assert diagnosis.recommended == ()
    assert roles_of(diagnosis)[0] == PARTNER


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
    reasons = {(r.question.id, r.option_id) for role in diagnosis.roles for r in role.reasons}
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
    answers = json.loads(json.dumps(profile_answers("company", ["hr"])))
    assert types_of(diagnose(questionnaire, method, answers)) == ["pratiques_responsables"]


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
    assert len(asked) == 16
