"""Step 3: a candidate partner's score out of 100, its red flags, and the ranking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge import QuestionKind, Questionnaire

# A criterion at 1 or 2 out of 5 is a red flag: our threshold, as the score out of 100 is our
# scale; the guide lists the criteria without scoring them, and the screens say so.
RED_FLAG_AT_MOST = 2


@dataclass(frozen=True)
class CandidateScore:
    name: str
    profile: str
    score: int
    red_flags: tuple[str, ...]  # question ids scored 1 or 2, and "power_without_guard_rails"


def score_candidate(questionnaire: Questionnaire, answers: dict[str, Any]) -> CandidateScore:
    """The mean of the 1-5 criteria that apply, as 0-100, with the red flags."""
    scales = [
        q
        for q in questionnaire.questions
        if q.kind == QuestionKind.SCALE and isinstance(answers.get(q.id), int)
    ]
    values = [answers[q.id] for q in scales]
    score = round(sum(v - 1 for v in values) / (4 * len(values)) * 100) if values else 0
    flags = [q.id for q in scales if answers[q.id] <= RED_FLAG_AT_MOST]
    if answers.get("power_balance", 5) <= RED_FLAG_AT_MOST and answers.get("guard_rails") != "yes":
        flags.append("power_without_guard_rails")
    return CandidateScore(
        name=str(answers.get("candidate_name", "")),
        profile=str(answers.get("candidate_profile", "")),
        score=score,
        red_flags=tuple(flags),
    )


def rank(candidates: list[CandidateScore]) -> list[CandidateScore]:
    """Best first; with equal scores, fewer red flags first."""
    return sorted(candidates, key=lambda c: (-c.score, len(c.red_flags)))


def candidate_entry(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """A scored candidate as the partnership keeps it, each red flag with its score."""
    score = score_candidate(questionnaire, answers)
    return {
        "name": score.name,
        "profile": score.profile,
        "score": score.score,
        "red_flags": list(score.red_flags),
        "flag_scores": {flag: answers[flag] for flag in score.red_flags if flag in answers},
        "chosen": False,
    }


def ranked_entries(candidates: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(position in the list, candidate), best score first; ties keep the order of scoring."""
    return sorted(enumerate(candidates), key=lambda pair: (-pair[1]["score"], pair[0]))


def choose(candidates: list[dict[str, Any]], index: int) -> list[dict[str, Any]] | None:
    """The candidates with the one at `index` chosen (and only it), or None if there is none."""
    if not 0 <= index < len(candidates):
        return None
    return [{**c, "chosen": position == index} for position, c in enumerate(candidates)]


def chosen_name(candidates: list[dict[str, Any]]) -> str | None:
    return next((c["name"] for c in candidates if c.get("chosen")), None)
