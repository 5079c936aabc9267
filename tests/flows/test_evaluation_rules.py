"""Rules of the evaluation that the bot and the storage read from flows/."""

from flows.evaluation import EVALUATED_STAGES, TREND_STEP, trend_direction
from flows.lifecycle import STAGES


def test_trend_direction_moves_by_the_step_or_more():
    assert trend_direction((3.0, 3.0 + TREND_STEP)) == "up"
    assert trend_direction((3.0, 3.0 - TREND_STEP)) == "down"
    assert trend_direction((3.0, 3.0 + TREND_STEP / 2)) == "steady"


def test_trend_direction_needs_this_round_and_an_earlier_one():
    assert trend_direction((4.0,)) is None
    assert trend_direction((4.0, None)) is None
    assert trend_direction((None, 4.0)) is None
    # An unanswered round in between: compared with the last one answered.
    assert trend_direction((2.0, None, 4.0)) == "up"


def test_evaluated_stages_are_stages_of_the_method():
    assert set(EVALUATED_STAGES) <= set(STAGES)
    assert "implementation" in EVALUATED_STAGES and "ended" not in EVALUATED_STAGES
