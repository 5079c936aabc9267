"""Step 7's questionnaires: the pulse check-in and the full review, as the report reads them."""

import pytest

from flows.answers import Invalid, parse_answer
from flows.evaluation import DECISION_QUESTION, DECISIONS, build_report
from knowledge import QuestionKind, load_questionnaire

PULSE_DIMENSIONS = (
    "performance",
    "coherence",
    "efficiency",
    "relevance",
    "societal_contribution",
    "value_exchange",
    "steering",
    "clarity",
    "meaning",
)
REVIEW_PARTS = ("Cadre", "Contenu", "Résultats", "Perspectives")
SCORED = (QuestionKind.RATING, QuestionKind.SCALE)


@pytest.fixture(scope="module")
def pulse():
    return load_questionnaire("pulse")


@pytest.fixture(scope="module")
def review():
    return load_questionnaire("review")


def sample_answers(questionnaire, score: int, decision: str) -> dict:
    """One respondent's answers, each given as typed, through the real parser."""
    answers = {}
    for question in questionnaire.questions:
        if question.kind in SCORED:
            raw = f"{score} à revoir" if question.kind == QuestionKind.RATING else str(score)
        elif question.kind == QuestionKind.TEXT:
            raw = f"Notre avis sur {question.id}"
        else:
            raw = decision
        value = parse_answer(question, raw)
        assert not isinstance(value, Invalid), (question.id, value)
        answers[question.id] = value
    return answers


def test_both_load_and_every_question_cites_a_seed(pulse, review):
    for questionnaire in (pulse, review):
        for question in questionnaire.questions:
            assert question.source.seed and question.source.section, question.id
            assert question.prompt.fr and question.prompt.en


def test_french_texts_use_the_typographic_apostrophe(pulse, review):
    for questionnaire in (pulse, review):
        for question in questionnaire.questions:
            texts = [question.prompt, question.help, question.label, question.part]
            for text in (t for t in texts if t is not None):
                assert "'" not in text.fr, (question.id, text.fr)


def test_the_pulse_rates_the_nine_dimensions_then_asks_for_a_difficulty(pulse):
    rated = [q for q in pulse.questions if q.kind == QuestionKind.RATING]
    assert tuple(q.id for q in rated) == PULSE_DIMENSIONS
    for question in rated:
        assert (question.minimum, question.maximum) == (1, 5)
        assert question.label is not None and question.help is not None, question.id
        assert question.part is None
    last = pulse.questions[-1]
    assert last.id == "difficulty"
    assert last.kind == QuestionKind.TEXT and not last.required
    assert len(pulse.questions) == len(rated) + 1


def test_the_pulse_asks_each_of_the_guides_five_evaluation_words(pulse):
    """001, Étape 7, "les mots pour le dire": five notions, each a dimension of the pulse, in
    the guide's order and under its own name."""
    words = ("Performance", "Cohérence", "Efficacité", "Pertinence", "Contribution sociétale")
    labels = [q.label.fr for q in pulse.questions if q.label]
    assert labels[: len(words)] == list(words)
    societal = pulse.questions[len(words) - 1]
    assert societal.label.en == "Societal contribution"
    assert societal.source.seed == "001" and "contribution sociétale" in societal.source.section
    assert "écosystème" in societal.help.fr and "ecosystem" in societal.help.en


def test_the_review_follows_the_four_analyses_and_ends_on_the_decision(review):
    assert 12 <= len(review.questions) <= 16
    parts = []
    for question in review.questions:
        assert question.part is not None, question.id
        assert len(question.id) <= 24
        if not parts or parts[-1] != question.part.fr:
            parts.append(question.part.fr)
    assert tuple(parts) == REVIEW_PARTS
    decision = review.questions[-1]
    assert decision.id == DECISION_QUESTION and decision.kind == QuestionKind.SINGLE
    assert tuple(option.id for option in decision.options) == DECISIONS
    assert [o.label.fr for o in decision.options] == ["Renouveler", "Modifier", "Arrêter"]
    assert [o.label.en for o in decision.options] == ["Renew", "Modify", "End"]


def test_the_review_mixes_scores_and_mostly_optional_texts(review):
    kinds = [q.kind for q in review.questions]
    assert kinds.count(QuestionKind.RATING) >= 6
    texts = [q for q in review.questions if q.kind == QuestionKind.TEXT]
    assert texts and all(not q.required for q in texts)
    assert all(q.label is not None for q in review.questions)
    for part in REVIEW_PARTS[1:]:
        # Every part but the framework has something the two organisations can compare.
        assert any(q.part.fr == part and q.kind in SCORED for q in review.questions), part


def test_a_pulse_round_gives_one_section_of_nine_dimensions(pulse):
    report = build_report(
        pulse,
        {
            "ours": [sample_answers(pulse, 4, "")],
            "partner": [sample_answers(pulse, 2, ""), sample_answers(pulse, 3, "")],
        },
        invited={"ours": 1, "partner": 2},
    )
    assert report.kind == "pulse"
    assert len(report.sections) == 1 and report.sections[0].title == pulse.title
    assert tuple(d.question.id for d in report.dimensions) == PULSE_DIMENSIONS
    performance = report.dimensions[0]
    assert (performance.ours, performance.partner, performance.overall) == (4, 2.5, 3)
    assert performance.light == "amber" and performance.diverging
    assert ("ours", "à revoir") in performance.comments
    assert [t.question.id for t in report.sections[0].texts] == ["difficulty"]
    assert report.answered == {"ours": (1, 1), "partner": (2, 2)}
    assert report.votes == {} and report.decision is None


def test_a_review_round_gives_the_four_parts_and_the_decision(review):
    report = build_report(
        review,
        {
            "ours": [sample_answers(review, 5, "renew")],
            "partner": [sample_answers(review, 4, "Renouveler")],
        },
        invited={"ours": 1, "partner": 1},
    )
    assert report.kind == "review"
    assert tuple(section.title.fr for section in report.sections) == REVIEW_PARTS
    rated = [q.id for q in review.questions if q.kind in SCORED]
    assert [d.question.id for d in report.dimensions] == rated
    assert all(d.light == "green" and not d.diverging for d in report.dimensions)
    texts = [t.question.id for s in report.sections for t in s.texts]
    assert texts == [q.id for q in review.questions if q.kind == QuestionKind.TEXT]
    assert report.votes == {"ours": {"renew": 1}, "partner": {"renew": 1}}
    assert report.decision == "renew"
