"""Step 3 scoring: out of 100, red flags, ranking."""

from flows.criteria import rank, score_candidate
from knowledge import load_questionnaire

GOOD = {
    "candidate_name": "Les Jardins",
    "candidate_profile": "general_interest",
    **{q: 5 for q in ("gi_relevance", "gi_credibility", "gi_reliability", "gi_viability")},
    **{q: 4 for q in ("gi_effectiveness", "gi_potential", "values_alignment", "value_exchange")},
    "power_balance": 4,
    "guard_rails": "yes",
}


def test_scores_and_red_flags():
    questionnaire = load_questionnaire("criteria")
    good = score_candidate(questionnaire, GOOD)
    assert good.score == 86 and good.red_flags == ()
    weak = score_candidate(
        questionnaire,
        {
            **GOOD,
            "candidate_name": "Fragile",
            "gi_viability": 2,
            "power_balance": 1,
            "guard_rails": "no",
        },
    )
    assert set(weak.red_flags) == {"gi_viability", "power_balance", "power_without_guard_rails"}
    assert [c.name for c in rank([weak, good])] == ["Les Jardins", "Fragile"]
