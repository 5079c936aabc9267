"""The method's checklists: the topic menu, a lookup by words, a card, inline mode.

A topic opens on its overview (every card of the topic in one screen); words naming the
topic ("/checklist convention") land there too, words naming a detail on its card.
"""

from __future__ import annotations

from bot.services.access import in_place, notice
from bot.services.results import (
    CardShown,
    InlineCards,
    LanguageMenu,
    NoCardFound,
    Result,
    Say,
    ScreenRef,
    TopicShown,
    TopicsShown,
)
from bot.services.work import Work
from flows.answers import language_named
from knowledge import LANGUAGES
from storage import repository

QUERY_LIMIT = 200
INLINE_RESULTS = 10
# What inline mode offers before anything is typed: whole checklists, to share in a meeting.
DEFAULT_INLINE_CARDS = (
    "overview_convention",
    "overview_steps",
    "overview_criteria",
    "overview_risks",
    "overview_evaluation",
)


def lookup(work: Work, query: str = "") -> Result:
    """/checklist [words]: the topic menu, or the card (or overview) the words best match."""
    base = work.core.cards.base
    query = _clean(query)
    if not query:
        return Result(work.language, [TopicsShown(base)])
    hits = work.core.cards.search(query, limit=1)
    if not hits:
        return Result(work.language, [NoCardFound(query, base)])
    return Result(work.language, [CardShown(hits[0].card, base)])


def browse(work: Work, chosen: tuple[str, str] | None, acted: ScreenRef | None) -> Result:
    """A card, topic or language button, as (kind, id); the message shows what was chosen."""
    kind, value = chosen or ("", "")
    base = work.core.cards.base
    if kind == "l" and value in LANGUAGES:
        repository.set_language(work.db, user=work.user, language=value)
        return in_place(work, acted, Say("language_set"))
    view = None
    if kind == "c" and base.card(value) is not None:
        view = CardShown(base.card(value), base)
    elif kind == "m" and value == "all":
        view = TopicsShown(base)
    elif kind == "m" and base.topic(value) is not None:
        view = TopicShown(base.topic(value))
    if view is None:
        return notice(work)
    return in_place(work, acted, view)


def inline(work: Work, query: str) -> InlineCards:
    """Inline mode: the cards matching the query (a few defaults when nothing is typed)."""
    query = _clean(query)
    if query:
        cards = [hit.card for hit in work.core.cards.search(query, limit=INLINE_RESULTS)]
    else:
        base = work.core.cards.base
        cards = [card for card in map(base.card, DEFAULT_INLINE_CARDS) if card is not None]
    return InlineCards(work.language, tuple(cards))


def language_menu(work: Work, words: str = "") -> Result:
    """/langue: the two languages as buttons; /langue English chooses at once."""
    language = language_named(words)
    if language is not None:
        return choose_language(work, language)
    return Result(work.language, [LanguageMenu()])


def choose_language(work: Work, language: str) -> Result:
    """A language named in words ("English", "français"): the bot speaks it from now on."""
    repository.set_language(work.db, user=work.user, language=language)
    return Result(work.language, [Say("language_set")])


def _clean(query: str) -> str:
    return " ".join(query.split())[:QUERY_LIMIT]
