"""The partnership's stage machine: moves need what the next step builds on."""

from flows.lifecycle import Lifecycle, PartnershipFacts


def test_advance_is_refused_with_its_reason():
    lifecycle = Lifecycle()
    facts = PartnershipFacts()
    move = lifecycle.move(facts, "advance")
    assert not move.moved and move.refusal == "needs_diagnosis"
    assert facts.state == "diagnosis"


def test_each_step_opens_once_its_need_is_met():
    lifecycle = Lifecycle()
    facts = PartnershipFacts(has_diagnosis=True)
    assert lifecycle.move(facts, "advance").dest == "dialogue"
    assert lifecycle.move(facts, "advance").refusal == "needs_dialogue"
    facts.dialogue_items_done = 2
    assert lifecycle.move(facts, "advance").dest == "partner_choice"
    facts.partner_is_chosen = True
    assert lifecycle.move(facts, "advance").dest == "content"
    facts.missing_convention_items = ["scope"]
    assert lifecycle.move(facts, "advance").refusal == "needs_convention_items"


def test_going_back_is_allowed_and_the_evaluation_ends_renews_or_modifies():
    lifecycle = Lifecycle()
    facts = PartnershipFacts(state="content")
    assert lifecycle.move(facts, "back").dest == "partner_choice"
    for trigger, dest in (("renew", "implementation"), ("modify", "content"), ("end", "ended")):
        facts.state = "evaluation"
        assert lifecycle.move(facts, trigger).dest == dest
    assert lifecycle.move(facts, "back").refusal == "not_allowed"
