"""A partnership's health: each signal raised at its moment and not a second before, gone with
its cause, the next moment to look again, and the lights combined."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.evaluation import DIVERGENCE, OURS, PARTNER, TREND_STEP
from flows.health import (
    AMBER,
    GREEN,
    RED,
    SIGNALS,
    Health,
    HealthInputs,
    Reason,
    RoundFacts,
    add_months,
    advice,
    assess,
    light_of_reasons,
    rounds_read,
    rules,
    start_of_day,
)
from knowledge.figures import SEEDS_DIR, unsourced
from knowledge.loader import load_knowledge_base

SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
SIGNED = datetime(2026, 1, 15, tzinfo=UTC)
BOTH = {OURS: (1, 1), PARTNER: (1, 1)}


def closed(
    rid: int,
    scores: dict[str, float] | None = None,
    *,
    sides: dict[str, dict[str, float]] | None = None,
    answered=None,
    kind: str = "pulse",
) -> RoundFacts:
    """A round closed `rid` quarters after signature."""
    due = add_months(SIGNED, 3 * rid)
    scores = scores or {"trust": 4.5}
    if sides is None:
        sides = {OURS: scores, PARTNER: scores}
    answered = BOTH if answered is None else answered
    return RoundFacts(rid, kind, due, due + 10 * DAY, answered, scores, sides)


def implementation(**facts) -> HealthInputs:
    return HealthInputs(1, "implementation", signed_at=SIGNED, **facts)


def signals(health: Health) -> set[tuple[str, str]]:
    return {reason.key for reason in health.reasons}


def at(inputs: HealthInputs, moment: datetime) -> Health:
    return assess(inputs, moment)


def threshold(name: str) -> float:
    return rules().value(name)


# Rules as knowledge


def test_every_signal_has_its_text_card_and_level():
    cards = {card.id for topic in load_knowledge_base().topics for card in topic.every_card}
    for signal in SIGNALS:
        defined = advice(signal)
        assert defined.card in cards, signal
        assert defined.next.fr and defined.next.en
        assert defined.level in (AMBER, RED)


def test_thresholds_are_sourced_or_ours():
    for entry in rules().thresholds:
        assert entry.ours or entry.source is not None, entry.id
    # The guide's: its six to nine months to sign and the steering rhythm.
    guide = {t.id for t in rules().thresholds if not t.ours}
    assert guide == {"signing_amber", "steering_quarterly", "steering_half_yearly"}


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the seeds live beside the project")
def test_a_threshold_of_the_guide_is_held_to_its_source():
    """The figures check reads a threshold not marked ours against the seed it cites."""
    assert unsourced("health.yaml", rules(), SEEDS_DIR) == []
    signing = next(t for t in rules().thresholds if t.id == "signing_amber")
    wrong = signing.model_copy(
        update={"text": signing.text.model_copy(update={"fr": "17 mois sans signature"})}
    )
    problems = unsourced("health.yaml", rules().model_copy(update={"thresholds": (wrong,)}))
    assert problems and "17 mois" in problems[0]
    ours = wrong.model_copy(update={"ours": True})
    assert unsourced("health.yaml", rules().model_copy(update={"thresholds": (ours,)})) == []


# Check-ins late or answered by one side


def test_round_late_raised_at_its_moment_and_gone_once_closed():
    due = SIGNED + 60 * DAY
    open_round = RoundFacts(7, "pulse", due, None, {OURS: (1, 1), PARTNER: (0, 2)})
    inputs = implementation(rounds=(open_round,))
    late = due + threshold("round_late_after") * DAY
    before = at(inputs, late - SECOND)
    assert ("round_late", "7") not in signals(before)
    assert before.recheck_at == late
    health = at(inputs, late)
    reason = next(r for r in health.reasons if r.signal == "round_late")
    assert reason.subject == "7" and reason.level == AMBER
    assert reason.details["waiting"] == {PARTNER: 2}
    assert reason.card == "follow_up"
    answered = open_round._replace(closed_at=late, answered={OURS: (1, 1), PARTNER: (2, 2)})
    assert signals(at(implementation(rounds=(answered,)), late + DAY)) == set()


def test_round_opened_after_its_due_date_is_late_only_from_its_opening():
    # No dispatcher ran on the due date: respondents are asked weeks later, and the round
    # is not late the moment they receive it.
    due = SIGNED + 60 * DAY
    opened = due + 30 * DAY
    open_round = RoundFacts(7, "pulse", due, None, {OURS: (0, 1), PARTNER: (0, 2)})
    inputs = implementation(rounds=(open_round._replace(opened_at=opened),))
    late = opened + threshold("round_late_after") * DAY
    assert ("round_late", "7") not in signals(at(inputs, opened))
    assert at(inputs, late - SECOND).recheck_at == late
    assert ("round_late", "7") in signals(at(inputs, late))


def test_round_answered_by_one_side_then_both():
    one_side = closed(1, answered={OURS: (2, 2), PARTNER: (0, 1)})
    health = at(implementation(rounds=(one_side,)), one_side.closed_at)
    assert signals(health) == {("round_one_side", "1")}
    assert health.reasons[0].details == {"missing": PARTNER}
    # The next round answered by both: the signal is gone.
    both = closed(2)
    assert signals(at(implementation(rounds=(one_side, both)), both.closed_at)) == set()


def test_round_answered_by_nobody_is_red():
    nobody = closed(1, answered={OURS: (0, 2), PARTNER: (0, 1)})
    health = at(implementation(rounds=(nobody,)), nobody.closed_at)
    assert signals(health) == {("round_unanswered", "1")}
    assert health.light == RED


# Dimensions


def test_dimension_turning_red_and_back():
    amber = 3.0  # flows/evaluation.py's AMBER: below it a dimension is red
    red = closed(1, {"trust": round(amber - 0.01, 2)})
    health = at(implementation(rounds=(red,)), red.closed_at)
    assert signals(health) == {("dimension_red", "trust")}
    assert health.light == RED
    not_red = closed(1, {"trust": amber})
    assert signals(at(implementation(rounds=(not_red,)), red.closed_at)) == set()
    recovered = closed(2, {"trust": 3.5})
    assert signals(at(implementation(rounds=(red, recovered)), recovered.closed_at)) == set()


def test_dimension_dropping_by_a_point():
    drop = threshold("dimension_drop")
    first = closed(1, {"trust": 4.8})
    fell = closed(2, {"trust": round(4.8 - drop, 2)})
    almost = closed(2, {"trust": round(4.8 - drop + 0.01, 2)})
    health = at(implementation(rounds=(first, fell)), fell.closed_at)
    assert ("dimension_drop", "trust") in signals(health)
    assert next(r for r in health.reasons if r.signal == "dimension_drop").details == {
        "before": 4.8,
        "score": 3.8,
    }
    assert ("dimension_drop", "trust") not in signals(
        at(implementation(rounds=(first, almost)), fell.closed_at)
    )
    steady = closed(3, {"trust": 3.9})
    assert ("dimension_drop", "trust") not in signals(
        at(implementation(rounds=(first, fell, steady)), steady.closed_at)
    )


def test_dimension_declining_over_two_rounds_uses_the_trend_step():
    step = TREND_STEP
    rounds = (closed(1, {"trust": 4.8}), closed(2, {"trust": 4.8 - step}))
    third = closed(3, {"trust": round(4.8 - 2 * step, 2)})
    health = at(implementation(rounds=(*rounds, third)), third.closed_at)
    assert ("dimension_declining", "trust") in signals(health)
    # Once only, or two rounds apart by less than the step: no signal.
    assert ("dimension_declining", "trust") not in signals(
        at(implementation(rounds=rounds), third.closed_at)
    )
    flat = closed(3, {"trust": round(4.8 - 2 * step + 0.01 + step, 2)})
    assert ("dimension_declining", "trust") not in signals(
        at(implementation(rounds=(*rounds, flat)), flat.closed_at)
    )


def test_dimensions_compare_rounds_both_organisations_answered():
    """A round answered by one side does not enter the comparison (as the report's trend)."""
    first = closed(1, {"trust": 4.8})
    one_side = closed(2, {"trust": 2.0}, answered={OURS: (1, 1), PARTNER: (0, 1)})
    health = at(implementation(rounds=(first, one_side)), one_side.closed_at)
    assert signals(health) == {("round_one_side", "2")}


def test_perceptions_diverging_two_rounds_running():
    gap = DIVERGENCE
    apart = {OURS: {"trust": 4.5}, PARTNER: {"trust": 4.5 - gap}}
    near = {OURS: {"trust": 4.5}, PARTNER: {"trust": round(4.5 - gap + 0.01, 2)}}
    scores = {"trust": 3.75}
    once = (closed(1, scores, sides=near), closed(2, scores, sides=apart))
    assert signals(at(implementation(rounds=once), once[-1].closed_at)) == set()
    twice = (closed(1, scores, sides=apart), closed(2, scores, sides=apart))
    health = at(implementation(rounds=twice), twice[-1].closed_at)
    assert signals(health) == {("perceptions_diverging", "trust")}
    assert health.reasons[0].details == {"gaps": [gap, gap]}
    healed = (*twice, closed(3, scores, sides=near))
    assert signals(at(implementation(rounds=healed), healed[-1].closed_at)) == set()


def test_rounds_read_covers_what_the_signals_compare():
    assert rounds_read() >= threshold("declining_rounds") + 1
    assert rounds_read() >= threshold("diverging_rounds")


# The agreement's end, steering, signing, reach


def test_convention_ending_within_ninety_days_without_decision():
    end = datetime(2027, 6, 1, tzinfo=UTC)
    inputs = implementation(convention_end=end)
    warn = end - threshold("convention_ending_within") * DAY
    before = at(inputs, warn - SECOND)
    assert signals(before) == set()
    assert before.recheck_at == warn
    health = at(inputs, warn)
    assert signals(health) == {("convention_ending", "")}
    assert health.light == AMBER and health.recheck_at == end
    ended = at(inputs, end)
    assert ended.light == RED and ended.recheck_at is None
    decided = replace(inputs, decided_at=warn + DAY)
    assert signals(at(decided, warn + 2 * DAY)) == set()
    # A decision long before this end was about an earlier one.
    window = add_months(end, -threshold("decision_window"))
    assert signals(at(replace(inputs, decided_at=window - SECOND), warn)) != set()
    assert signals(at(replace(inputs, decided_at=window), warn)) == set()


def test_convention_ending_only_once_signed_and_not_ended():
    end = datetime(2027, 6, 1, tzinfo=UTC)
    for stage in ("formalisation", "ended"):
        inputs = HealthInputs(1, stage, convention_end=end, first_contact_at=end)
        assert not any(r.signal == "convention_ending" for r in at(inputs, end).reasons)


def test_steering_missing_for_twice_the_quarterly_rhythm_at_first():
    inputs = implementation(steering_rhythm="quarterly")
    due = add_months(SIGNED, 2 * threshold("steering_quarterly"))
    before = at(inputs, due - SECOND)
    assert signals(before) == set() and before.recheck_at == due
    assert signals(at(inputs, due)) == {("steering_missing", "")}
    # A meeting noted: the count starts again from it.
    met = replace(inputs, last_steering_at=due - DAY)
    health = at(met, due)
    assert signals(health) == set()
    assert health.recheck_at == add_months(due - DAY, 2 * threshold("steering_quarterly"))


def test_steering_half_yearly_once_the_start_is_over():
    start_over = add_months(SIGNED, threshold("steering_start"))
    inputs = implementation(steering_rhythm="quarterly", last_steering_at=start_over)
    due = add_months(start_over, 2 * threshold("steering_half_yearly"))
    assert signals(at(inputs, due - SECOND)) == set()
    assert signals(at(inputs, due)) == {("steering_missing", "")}
    chosen = implementation(steering_rhythm="half_yearly")
    due = add_months(SIGNED, 2 * threshold("steering_half_yearly"))
    assert signals(at(chosen, due - SECOND)) == set()
    assert signals(at(chosen, due)) == {("steering_missing", "")}


def test_no_steering_signal_without_an_agreed_rhythm():
    assert signals(at(implementation(), add_months(SIGNED, 36))) == set()


def test_signing_much_longer_than_the_guide_says():
    contact = datetime(2026, 2, 10, 8, tzinfo=UTC)
    inputs = HealthInputs(1, "content", first_contact_at=contact)
    amber = add_months(contact, threshold("signing_amber"))
    red = add_months(contact, threshold("signing_red"))
    before = at(inputs, amber - SECOND)
    assert signals(before) == set() and before.recheck_at == amber
    health = at(inputs, amber)
    assert signals(health) == {("stage_long", "signing")}
    assert health.light == AMBER and health.recheck_at == red
    assert health.reasons[0].card == "figures_timing"
    assert at(inputs, red - SECOND).light == AMBER
    assert at(inputs, red).light == RED
    # Signed: the signal is gone.
    assert signals(at(replace(inputs, stage="implementation"), red)) == set()


def test_respondents_of_one_organisation_out_of_reach():
    some = implementation(respondents={OURS: (0, 2), PARTNER: (1, 2)})
    health = at(some, SIGNED + DAY)
    assert signals(health) == {("side_unreachable", PARTNER)}
    assert health.light == AMBER
    every = implementation(respondents={OURS: (0, 2), PARTNER: (2, 2)})
    assert at(every, SIGNED + DAY).light == RED
    reachable = implementation(respondents={OURS: (0, 2), PARTNER: (0, 2)})
    assert at(reachable, SIGNED + DAY).light == GREEN


# Lights and the next look


def test_lights_combine_any_red_is_red():
    def reason(level):
        return Reason("x", "", level, {}, "card")

    assert light_of_reasons(()) == GREEN
    assert light_of_reasons((reason(AMBER),)) == AMBER
    assert light_of_reasons((reason(AMBER), reason(RED), reason(AMBER))) == RED


def test_recheck_at_is_the_earliest_moment_to_come():
    end = datetime(2027, 6, 1, tzinfo=UTC)
    inputs = implementation(steering_rhythm="quarterly", convention_end=end)
    steering = add_months(SIGNED, 2 * threshold("steering_quarterly"))
    warn = end - threshold("convention_ending_within") * DAY
    assert at(inputs, SIGNED).recheck_at == min(steering, warn)
    assert at(inputs, steering).recheck_at == warn
    healthy = assess(implementation(), SIGNED)
    assert healthy == Health(GREEN, (), None)


def test_a_reason_survives_its_json_round_trip():
    reason = Reason("dimension_drop", "trust", AMBER, {"before": 4.8, "score": 3.8}, "card")
    assert Reason.from_dict(reason.as_dict()) == reason


def test_local_day_starts_in_its_zone():
    paris = ZoneInfo("Europe/Paris")
    assert start_of_day(date(2027, 6, 1), paris) == datetime(2027, 5, 31, 22, tzinfo=UTC)
