"""Step 7: what a closed check-in round says, computed from both organisations' answers.

Pure: the questionnaire and the answers come in, an `EvaluationReport` value comes out, for
the screen, the chart and the documents to show. Each rated dimension gets each
organisation's average, a traffic light, a flag when the two organisations see it
differently, and its trend over the previous rounds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from knowledge import Question, QuestionKind, Questionnaire, Text

OURS, PARTNER = "ours", "partner"
SIDES = (OURS, PARTNER)
# Traffic lights on the 1-5 scale (our thresholds, stated on the report): at or above GREEN
# all is well, at or above AMBER it deserves attention, below AMBER it needs action.
GREEN = 4.0
AMBER = 3.0
# Two organisations whose averages differ this much see the dimension differently.
DIVERGENCE = 1.5
# A dimension whose average moved this much since the previous round rose or fell (our
# threshold); less is steady.
TREND_STEP = 0.25
# The stages in which a partnership is evaluated: check-ins run, reports are shown.
EVALUATED_STAGES = ("implementation", "evaluation")
# The stage whose start the first check-in counts from when /suivi gave no date.
FOLLOWED_FROM = "implementation"
DECISIONS = ("renew", "modify", "end")
DECISION_QUESTION = "decision"
# The kinds of question answered with a score: each is a dimension the report compares.
SCORED = (QuestionKind.RATING, QuestionKind.SCALE)

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class DimensionResult:
    """One rated dimension of the round."""

    question: Question
    ours: float | None
    partner: float | None
    overall: float | None
    light: str | None  # "green", "amber", "red"
    # Averages of the earlier rounds of the same kind, oldest first, then this round's.
    trend: tuple[float | None, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (side, comment)

    @property
    def diverging(self) -> bool:
        """The two organisations' averages are DIVERGENCE or more apart."""
        if self.ours is None or self.partner is None:
            return False
        return abs(self.ours - self.partner) >= DIVERGENCE


def trend_direction(values: tuple[float | None, ...]) -> str | None:
    """ "up", "down" or "steady" against the previous round, when there is one; None
    otherwise (this round unanswered, or no earlier round answered)."""
    known = [v for v in values if v is not None]
    if len(values) < 2 or values[-1] is None or len(known) < 2:
        return None
    delta = known[-1] - known[-2]
    return "up" if delta >= TREND_STEP else "down" if delta <= -TREND_STEP else "steady"


@dataclass(frozen=True)
class TextAnswers:
    """A question answered in words: what each organisation said."""

    question: Question
    answers: tuple[tuple[str, str], ...]  # (side, text)


@dataclass(frozen=True)
class Section:
    """A part of the full review (cadre, contenu, résultats, perspectives)."""

    title: Text
    dimensions: tuple[DimensionResult, ...]
    texts: tuple[TextAnswers, ...]


@dataclass(frozen=True)
class EvaluationReport:
    kind: str  # "pulse" or "review"
    title: Text
    # How many answered, of how many asked, per side.
    answered: dict[str, tuple[int, int]]
    sections: tuple[Section, ...]
    # Votes for renew, modify, end per side, and the decision both sides agree on.
    votes: dict[str, dict[str, int]] = field(default_factory=dict)
    decision: str | None = None

    @property
    def dimensions(self) -> tuple[DimensionResult, ...]:
        return tuple(d for section in self.sections for d in section.dimensions)

    @property
    def diverging(self) -> tuple[DimensionResult, ...]:
        return tuple(d for d in self.dimensions if d.diverging)


def light_of(score: float | None) -> str | None:
    if score is None:
        return None
    return "green" if score >= GREEN else "amber" if score >= AMBER else "red"


def build_report(
    questionnaire: Questionnaire,
    answers: Mapping[str, Iterable[Answers]],
    *,
    invited: Mapping[str, int],
    previous: Iterable[Mapping[str, float]] = (),
) -> EvaluationReport:
    """The report of a round: `answers` per side (one dict per respondent, finished or not),
    `invited` per side, `previous` the overall averages per dimension of earlier rounds."""
    answers = {side: [a for a in answers.get(side, ()) if a] for side in SIDES}
    earlier = list(previous)
    sections = tuple(
        _section(title, questions, answers, earlier)
        for title, questions in _sections(questionnaire)
    )
    votes = {side: _votes(answers[side]) for side in SIDES}
    return EvaluationReport(
        kind=questionnaire.id,
        title=questionnaire.title,
        answered={side: (len(answers[side]), invited.get(side, 0)) for side in SIDES},
        sections=sections,
        votes=votes if any(votes.values()) else {},
        decision=agreed_decision(votes),
    )


def scored_questions(questionnaire: Questionnaire) -> tuple[Question, ...]:
    """The questions answered with a score, in order: the dimensions a round compares."""
    return tuple(q for q in questionnaire.questions if q.kind in SCORED)


def overall_scores(report: EvaluationReport) -> dict[str, float]:
    """This round's average per dimension, as a later round's trend reads it."""
    return {d.question.id: d.overall for d in report.dimensions if d.overall is not None}


def agreed_decision(votes: Mapping[str, Mapping[str, int]]) -> str | None:
    """The decision each organisation's respondents mostly chose, when both chose the same;
    None when they differ, tie or did not vote: then the members decide."""
    chosen = {side: majority(votes.get(side) or {}) for side in SIDES}
    if chosen[OURS] is not None and chosen[OURS] == chosen[PARTNER]:
        return chosen[OURS]
    return None


def majority(counts: Mapping[str, int]) -> str | None:
    """The choice most made; None on a tie or without any."""
    ranked = Counter(counts).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _votes(answers: list[Answers]) -> dict[str, int]:
    counts = Counter(a.get(DECISION_QUESTION) for a in answers)
    return {decision: counts[decision] for decision in DECISIONS if counts[decision]}


def _sections(questionnaire: Questionnaire) -> list[tuple[Text, list[Question]]]:
    """The questionnaire's parts, in order; a questionnaire without parts is one part."""
    parts: list[tuple[Text, list[Question]]] = []
    for question in questionnaire.questions:
        title = question.part or questionnaire.title
        if not parts or parts[-1][0] != title:
            parts.append((title, []))
        parts[-1][1].append(question)
    return parts


def _section(
    title: Text, questions: list[Question], answers: dict[str, list[Answers]], earlier
) -> Section:
    dimensions, texts = [], []
    for question in questions:
        if question.kind in SCORED:
            dimensions.append(_dimension(question, answers, earlier))
        elif question.kind == QuestionKind.TEXT:
            said = tuple(
                (side, a[question.id])
                for side in SIDES
                for a in answers[side]
                if isinstance(a.get(question.id), str) and a[question.id].strip()
            )
            if said:
                texts.append(TextAnswers(question, said))
    return Section(title, tuple(dimensions), tuple(texts))


def _dimension(question: Question, answers: dict[str, list[Answers]], earlier) -> DimensionResult:
    scores = {side: [_score(a.get(question.id)) for a in answers[side]] for side in SIDES}
    scores = {side: [s for s in values if s is not None] for side, values in scores.items()}
    every = scores[OURS] + scores[PARTNER]
    overall = _average(every)
    comments = tuple(
        (side, a[question.id]["comment"])
        for side in SIDES
        for a in answers[side]
        if isinstance(a.get(question.id), dict) and a[question.id].get("comment")
    )
    trend = tuple(round_.get(question.id) for round_ in earlier) + (overall,)
    return DimensionResult(
        question=question,
        ours=_average(scores[OURS]),
        partner=_average(scores[PARTNER]),
        overall=overall,
        light=light_of(overall),
        trend=trend,
        comments=comments,
    )


def _score(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("score")
    return value if isinstance(value, int) else None


def _average(values: list[int]) -> float | None:
    """The mean, as statistics.mean gives it for integers (an int when exact, else the float
    nearest), at a tenth of its cost: an export or a health run averages millions."""
    if not values:
        return None
    total, count = sum(values), len(values)
    return total // count if total % count == 0 else round(total / count, 2)
