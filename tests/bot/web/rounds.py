"""Closed check-in rounds as the real report leaves them: each respondent's scores go through
flows.evaluation.build_report, and the round keeps what bot.services.reports keeps (scores,
answered, votes, each organisation's averages), so health and the dashboard read summaries
no test wrote by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.services.core import Core
from bot.services.reports import Built
from flows.evaluation import OURS, PARTNER, build_report, scored_questions


@dataclass(frozen=True)
class Voice:
    """One respondent's scores: `base` for every dimension, but those named in `scores`."""

    base: int
    scores: Mapping[str, int] = field(default_factory=dict)

    def answers(self, dimensions: Iterable[str]) -> dict[str, int]:
        return {dimension: self.scores.get(dimension, self.base) for dimension in dimensions}


def voice(base: int, **scores: int) -> Voice:
    return Voice(base, scores)


def dimensions(core: Core, kind: str) -> tuple[str, ...]:
    """The scored questions of a round of that kind: the dimensions it compares."""
    return tuple(q.id for q in scored_questions(core.flows[kind].questionnaire))


def summary(
    core: Core,
    kind: str,
    ours: Iterable[Voice],
    partner: Iterable[Voice],
    earlier: Iterable[Mapping[str, float]] = (),
) -> dict[str, Any]:
    """What a closed round of `kind` stores, both organisations' respondents having answered
    with these scores (one Voice per respondent, all invited answered)."""
    asked = dimensions(core, kind)
    answers = {
        OURS: [v.answers(asked) for v in ours],
        PARTNER: [v.answers(asked) for v in partner],
    }
    report = build_report(
        core.flows[kind].questionnaire,
        answers,
        invited={side: len(given) for side, given in answers.items()},
        previous=list(earlier),
    )
    # The summary a closed round keeps is the report's, whatever the round and partnership.
    return Built(None, None, None, report, None).summary
