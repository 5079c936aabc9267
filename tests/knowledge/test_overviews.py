"""A topic's overview names everything its checklist holds, not only the titles of its cards.

Someone in a meeting opens "/checklist convention" to see what a convention holds: early
termination and mediation must be on that screen, not one tap further.
"""

import pytest

from knowledge.loader import load_convention_checklist, load_knowledge_base
from knowledge.models import Card
from knowledge.text import terms


def overview_terms(card: Card, language: str) -> set[str]:
    """The words the overview shows: its title, each card's title and the line beside it."""
    texts = [card.title.in_(language)]
    for item in card.items:
        texts.append(item.title.in_(language))
        if item.gist is not None:
            texts.append(item.gist.in_(language))
    return set(terms(" ".join(texts)))


@pytest.fixture(scope="module")
def base():
    return load_knowledge_base()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_convention_overview_names_every_required_item_of_its_checklist(base, language):
    checklist = load_convention_checklist()
    shown = overview_terms(base.topic("convention").overview, language)
    missing = [
        item.title.in_(language)
        for item in checklist.items
        if item.required and not set(terms(item.title.in_(language))) <= shown
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["résiliation", "médiation"]),
        ("en", ["termination", "mediation"]),
    ],
)
def test_the_convention_overview_names_termination_and_mediation(base, language, words):
    shown = overview_terms(base.topic("convention").overview, language)
    assert {term for word in words for term in terms(word)} <= shown


@pytest.mark.parametrize(
    ("language", "analyses"),
    [
        ("fr", ["cadre", "contenu", "résultats", "perspectives"]),
        ("en", ["framework", "content", "results", "outlook"]),
    ],
)
def test_the_evaluation_overview_names_the_four_analyses(base, language, analyses):
    shown = overview_terms(base.topic("evaluation").overview, language)
    assert [word for word in analyses if terms(word)[0] not in shown] == []
