"""Step 1 on the real questionnaire: the recommendation follows the answers."""

import pytest

from flows.diagnostic import (
    CLARIFY,
    NOT_YET,
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


@pytest.fixture(scope="module")
def questionnaire():
    return load_questionnaire("diagnostic")


@pytest.fixture(scope="module")
def method():
    return load_method()


def test_two_profiles_get_two_different_recommendations(questionnaire, method):
    company = diagnose(questionnaire, method, COMPANY)
    association = diagnose(questionnaire, method, ASSOCIATION)
    assert company.recommended[0].type_id == "cooperation_economique"
    assert association.recommended[0].type_id == "mecenat"
    assert company.readiness == READY
    assert association.readiness == CLARIFY
    assert [g.id for g in company.risk_groups] == ["economic"]
    assert [g.id for g in association.risk_groups] == ["general_interest"]


def test_reasons_name_the_answers_that_led_there(questionnaire, method):
    top = diagnose(questionnaire, method, COMPANY).recommended[0]
    chosen = {(r.question.id, r.option_id) for r in top.reasons}
    assert ("objectives_company", "performance") in chosen
    assert ("resources", "offer") in chosen


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
