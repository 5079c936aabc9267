"""Who evaluates, in the draft convention: the clause of the answer given, in French and in
English, under the steering and evaluation article; our proposal while nothing is agreed."""

import pytest
from docx.enum.text import WD_COLOR_INDEX

from bot.documents import build_convention
from tests.bot.documents.test_render import _answers, _draft, _highlighted, _open, _styled, _text

CLAUSES = {
    "fr": {
        "partners": "Les parties conduisent elles-mêmes, ensemble, l’évaluation du partenariat.",
        "third_party": "L’évaluation du partenariat est confiée à un tiers extérieur, choisi",
        "both": "Les parties conduisent ensemble l’évaluation du partenariat, avec le concours "
        "d’un tiers extérieur",
    },
    "en": {
        "partners": "The parties carry out the evaluation of the partnership themselves, together.",
        "third_party": "The evaluation of the partnership is entrusted to an outside third party",
        "both": "The parties carry out the evaluation of the partnership together, with the help "
        "of an outside third party",
    },
}
TITLES = {"fr": "Conduite de l’évaluation", "en": "Who carries out the evaluation"}


def _with(choice: str) -> dict:
    return _answers(complete=True) | {"evaluator": {"status": "in_place", "choice": choice}}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("choice", ["partners", "third_party", "both"])
def test_the_answer_to_who_evaluates_is_a_clause_of_the_steering_article(language, choice):
    document = _open(build_convention(_draft(language=language, answers=_with(choice))))
    text = _text(document)
    assert CLAUSES[language][choice] in text
    for other in set(CLAUSES[language]) - {choice}:
        assert CLAUSES[language][other] not in text
    # Its own clause, numbered in the article on steering, implementation and evaluation.
    article = next(h for h in _styled(document, "Heading 2") if "valuation" in h)
    number = article.split(" ")[1]
    clauses = [c for c in _styled(document, "Heading 3") if c.startswith(f"{number}.")]
    assert clauses[-1].endswith(TITLES[language])
    assert clauses[-2].endswith(("Modalités d’évaluation", "Evaluation arrangements"))
    # Agreed: no proposal mark.
    assert _highlighted(document, WD_COLOR_INDEX.TURQUOISE) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_while_nobody_answered_our_wording_stands_as_a_proposal(language):
    answers = _answers(complete=True) | {"evaluator": {"status": "missing"}}
    document = _open(build_convention(_draft(language=language, answers=answers)))
    text = _text(document)
    proposal = {
        "fr": "Les parties conduisent elles-mêmes l’évaluation du partenariat. Elles peuvent "
        "convenir par écrit d’en confier tout ou partie à un tiers extérieur",
        "en": "The parties carry out the evaluation of the partnership themselves. They may "
        "agree in writing to entrust all or part of it to an outside third party",
    }[language]
    assert proposal in text
    assert len(_highlighted(document, WD_COLOR_INDEX.TURQUOISE)) == 1
