"""Who evaluates (issue 18): the convention asks it with the evaluation terms, the partners
themselves or an outside third party, and the checklist counts it like any point."""

import pytest

from flows.convention import (
    IN_PLACE,
    MISSING,
    Party,
    agreed_question_id,
    answers_by_item,
    build_draft,
    checklist_questionnaire,
    choice_question_id,
    flow_defaults,
    missing_items,
    proposed_items,
    unsettled_items,
)
from knowledge.loader import load_convention_checklist
from knowledge.models import ConventionChecklist

CHECKLIST = load_convention_checklist()
QUESTIONNAIRE = checklist_questionnaire(CHECKLIST)
STEERING = agreed_question_id("steering")
WHO = choice_question_id("evaluator")


def question(question_id: str):
    return next(q for q in QUESTIONNAIRE.questions if q.id == question_id)


def test_ticking_the_evaluation_terms_asks_who_evaluates_among_three_answers():
    ticked = [option.id for option in question(STEERING).options]
    # Not a point of its own to tick: it comes with the evaluation terms.
    assert "evaluation" in ticked and "evaluator" not in ticked
    who = question(WHO)
    assert who.kind == "single"
    assert [(c.question, c.any_of) for c in who.when] == [(STEERING, ("evaluation",))]
    labels = [(o.id, o.label.fr, o.label.en) for o in who.options]
    assert labels == [
        ("partners", "Les partenaires eux-mêmes", "The partners themselves"),
        ("third_party", "Un tiers extérieur", "An outside third party"),
        ("both", "Les partenaires, aidés d’un tiers", "The partners, helped by a third party"),
    ]
    # Right after the evaluation terms' own question.
    ids = [q.id for q in QUESTIONNAIRE.questions]
    assert ids.index(WHO) == ids.index("t_evaluation") + 1
    # The reason cites the 2012 guide without overstating it, and says what is our advice.
    assert who.source.seed == "002"
    assert "peut aider" in who.help.fr and "garantit" not in who.help.fr
    assert "(notre conseil)" in who.help.fr and "(our advice)" in who.help.en


def test_the_checklist_counts_who_evaluates_as_a_proposal_until_it_is_answered():
    before = answers_by_item(CHECKLIST, {STEERING: ["referents"]})
    assert before["evaluator"] == {"status": MISSING}
    assert "evaluator" in [item.id for item in missing_items(CHECKLIST, before)]
    # Our wording stands meanwhile, marked as a proposal: it never blocks the drafts.
    assert "evaluator" in [item.id for item in proposed_items(CHECKLIST, before)]
    assert "evaluator" not in [item.id for item in unsettled_items(CHECKLIST, before)]

    given = {STEERING: ["evaluation"], "t_evaluation": "Bilan annuel", WHO: "third_party"}
    after = answers_by_item(CHECKLIST, given)
    assert after["evaluator"] == {"status": IN_PLACE, "choice": "third_party"}
    assert after["evaluation"]["text"] == "Bilan annuel"
    assert "evaluator" not in [item.id for item in missing_items(CHECKLIST, after)]
    # Run again, the answer is offered and the evaluation terms ticked, once.
    defaults, _ = flow_defaults(CHECKLIST, after, {})
    assert defaults[WHO] == "third_party" and defaults[STEERING] == ["evaluation"]


def test_an_answer_that_is_not_one_of_the_choices_counts_as_not_given():
    odd = answers_by_item(CHECKLIST, {STEERING: ["evaluation"], WHO: "the_board"})
    assert odd["evaluator"]["status"] == MISSING
    kept = {"evaluator": {"status": IN_PLACE, "choice": "the_board"}}
    assert flow_defaults(CHECKLIST, kept, {})[0].get(WHO) is None


@pytest.mark.parametrize("choice", [None, "partners", "third_party", "both"])
def test_the_draft_names_the_wording_of_the_answer_given_or_proposes_ours(choice):
    record = {"status": IN_PLACE, "choice": choice} if choice else {"status": MISSING}
    party = Party("Association Tremplin")
    draft = build_draft(
        CHECKLIST,
        {"evaluator": record},
        language="fr",
        title="Alliance",
        ours=party,
        partner=party,
        territory=None,
        theme=None,
    )
    (article,) = [a for a in draft.articles if any(c.item_id == "evaluator" for c in a.clauses)]
    assert article.article_id == "steering"
    (clause,) = [c for c in article.clauses if c.item_id == "evaluator"]
    assert clause.title == "Conduite de l’évaluation"
    # A wording of ours, agreed when chosen, else our proposal to discuss.
    assert clause.standard == (f"evaluator_{choice}" if choice else "evaluator")
    assert clause.status == (IN_PLACE if choice else MISSING) and clause.text is None


def test_a_choice_item_without_options_or_with_a_foreign_host_is_refused():
    data = CHECKLIST.model_dump(mode="json")
    evaluator = next(i for i in data["items"] if i["id"] == "evaluator")
    for change in ({"options": []}, {"asked_with": "alert"}, {"asked_with": "nowhere"}):
        items = [{**i, **change} if i["id"] == "evaluator" else i for i in data["items"]]
        with pytest.raises(ValueError):
            ConventionChecklist.model_validate({**data, "items": items})
    assert evaluator["asked_with"] == "evaluation"
