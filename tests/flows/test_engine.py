"""The questionnaire engine on a small questionnaire: order, conditions, back, skip, resume."""

import json

import pytest

from flows.engine import CANCELLED, DONE, FlowState, QuestionnaireFlow
from knowledge.models import Questionnaire

SOURCE = {"seed": "001", "section": "test"}


def text(fr, en=None):
    return {"fr": fr, "en": en or fr}


def build() -> QuestionnaireFlow:
    questionnaire = Questionnaire.model_validate(
        {
            "id": "sample",
            "title": text("Exemple"),
            "source": SOURCE,
            "questions": [
                {
                    "id": "profile",
                    "kind": "single",
                    "prompt": text("Profil ?"),
                    "source": SOURCE,
                    "options": [
                        {"id": "company", "label": text("Entreprise", "Company")},
                        {"id": "association", "label": text("Association")},
                    ],
                },
                {
                    "id": "company_goal",
                    "kind": "multiple",
                    "max_choices": 2,
                    "prompt": text("Objectifs ?"),
                    "source": SOURCE,
                    "when": [{"question": "profile", "any_of": ["company"]}],
                    "options": [
                        {"id": "hr", "label": text("RH")},
                        {"id": "market", "label": text("Marché")},
                        {"id": "innovation", "label": text("Innover")},
                    ],
                },
                {
                    "id": "note",
                    "kind": "text",
                    "required": False,
                    "prompt": text("Note ?"),
                    "source": SOURCE,
                },
                {
                    "id": "hours",
                    "kind": "number",
                    "minimum": 0,
                    "maximum": 100,
                    "prompt": text("Heures ?"),
                    "source": SOURCE,
                },
            ],
        }
    )
    return QuestionnaireFlow(questionnaire)


@pytest.fixture
def flow():
    return build()


def test_questions_follow_the_conditions(flow):
    state = flow.start()
    # Before the profile is known, the conditional question is expected to apply.
    assert flow.progress(state) == (1, 4)
    flow.answer(state, "company")
    assert state.state == "company_goal"
    assert flow.progress(state) == (2, 4)
    # Typed numbers tick their options; the answer is given by validating, as on screen.
    assert flow.answer(state, "1, 3").kind == "toggled"
    assert state.draft == ["hr", "innovation"] and "company_goal" not in state.answers
    flow.answer(state, "Valider")
    assert state.answers["company_goal"] == ["hr", "innovation"]
    assert state.state == "note"


def test_a_condition_that_fails_skips_the_question(flow):
    state = flow.start()
    flow.answer(state, "association")
    assert state.state == "note"
    assert flow.progress(state) == (2, 3)


def test_invalid_answer_is_refused_and_the_question_stays(flow):
    state = flow.start()
    outcome = flow.answer(state, "banana")
    assert outcome.kind == "invalid"
    assert outcome.invalid.reason == "unknown_option"
    assert state.state == "profile" and state.answers == {}


def test_typed_label_is_accepted_without_accents_or_case(flow):
    state = flow.start()
    flow.answer(state, "company")
    flow.answer(state, "marche")
    flow.answer(state, "ok")
    assert state.answers["company_goal"] == ["market"]


def test_too_many_choices_are_refused(flow):
    state = flow.start()
    flow.answer(state, "company")
    outcome = flow.answer(state, "1,2,3")
    assert outcome.invalid.reason == "too_many_choices"
    for option in ("hr", "market"):
        flow.toggle(state, option)
    assert flow.toggle(state, "innovation").invalid.reason == "too_many_choices"
    flow.toggle(state, "hr")
    assert flow.validate_draft(state).answered.id == "company_goal"
    assert state.answers["company_goal"] == ["market"]


def test_skip_only_optional_questions(flow):
    state = flow.start()
    assert flow.skip(state).kind == "required"
    flow.answer(state, "association")
    outcome = flow.skip(state)
    assert outcome.answered.id == "note"
    assert state.answers["note"] is None
    assert state.state == "hours"


def test_back_then_new_answer_keeps_later_answers_that_still_apply(flow):
    state = flow.start()
    flow.answer(state, "company")
    flow.answer(state, "hr")
    flow.answer(state, "v")
    flow.answer(state, "une note")
    assert flow.back(state).question.id == "note"
    assert flow.back(state).question.id == "company_goal"
    assert flow.back(state).question.id == "profile"
    assert flow.back(state).kind == "first_question"
    flow.answer(state, "association")
    # company_goal no longer applies and is dropped; the note is kept and not asked again.
    assert "company_goal" not in state.answers
    assert state.answers["note"] == "une note"
    assert state.state == "hours"


def test_keep_moves_on_with_the_same_answer(flow):
    state = flow.start()
    flow.answer(state, "company")
    flow.back(state)
    assert flow.keep(state).answered.id == "profile"
    assert state.state == "company_goal"


def test_number_bounds_and_completion(flow):
    state = flow.start()
    flow.answer(state, "association")
    flow.skip(state)
    assert flow.answer(state, "abc").invalid.reason == "not_a_number"
    assert flow.answer(state, "101").invalid.reason == "out_of_range"
    outcome = flow.answer(state, "7,5")
    assert outcome.kind == "done" and state.state == DONE
    assert state.answers["hours"] == 7.5


def test_cancel_ends_the_run(flow):
    state = flow.start()
    flow.cancel(state)
    assert state.state == CANCELLED and state.finished


def test_state_survives_a_json_round_trip_and_resumes(flow):
    state = flow.start()
    flow.answer(state, "company")
    flow.toggle(state, "market")
    stored = json.loads(json.dumps(state.to_dict()))
    # A new flow object, as in a new process, carries on from the stored state.
    resumed = FlowState.from_dict(stored)
    other = build()
    assert other.current(resumed).id == "company_goal"
    assert resumed.draft == ["market"]
    assert other.validate_draft(resumed).kind == "question"
    assert resumed.state == "note"


def test_offered_answers_are_asked_with_the_current_answer_and_kept_in_one_tap():
    flow = build()
    state = flow.start(defaults={"profile": "company", "company_goal": ["hr"], "hours": 12})
    assert flow.offered(state, flow.current(state)) == (True, "company")
    flow.keep(state)
    assert state.answers == {"profile": "company"} and state.state == "company_goal"
    # A multiple choice comes pre-ticked with what was offered; it can be changed.
    assert state.draft == ["hr"]
    flow.toggle(state, "market")
    flow.validate_draft(state)
    assert state.answers["company_goal"] == ["hr", "market"]
    flow.skip(state)  # note
    assert flow.keep(state).kind == "done" and state.answers["hours"] == 12
    # Nothing offered: keep does nothing.
    fresh = flow.start()
    assert flow.keep(fresh).kind == "question" and fresh.answers == {}


def test_an_offered_answer_that_does_not_fit_is_refused_not_kept():
    flow = build()
    state = flow.start(defaults={"profile": "astronaut"})
    outcome = flow.keep(state)
    assert outcome.kind == "invalid" and state.answers == {}


def test_offered_answers_and_flags_survive_a_json_round_trip():
    flow = build()
    state = flow.start(defaults={"hours": 3})
    state.flags = ["note"]
    again = FlowState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again.defaults == {"hours": 3} and again.flags == ["note"]


def test_the_trail_recalls_the_last_answers_before_the_question(flow):
    state = flow.start()
    assert flow.trail(state) == []
    flow.answer(state, "company")
    flow.answer(state, "2")
    flow.answer(state, "v")
    flow.skip(state)
    # Two answers at most, in the order asked; a skipped question is recalled as None.
    given = [(q.id, v) for q, v in flow.trail(state)]
    assert given == [("company_goal", ["market"]), ("note", None)]
    # Going back, the trail is what comes before the question asked again.
    flow.back(state)
    flow.back(state)
    assert [(q.id, v) for q, v in flow.trail(state)] == [("profile", "company")]
    # A question that no longer applies leaves the trail with its answer.
    flow.back(state)
    flow.answer(state, "association")
    given = [(q.id, v) for q, v in flow.trail(state)]
    assert given == [("profile", "association"), ("note", None)]
