"""Screens of the checklist cards: a card, the topic menu, a topic's cards, no result."""

from __future__ import annotations

from dataclasses import dataclass

from bot import callback_data
from bot.i18n import gettext_for, render
from bot.services.results import CardShown, NoCardFound, TopicShown, TopicsShown
from bot.views.screens import Button, Screen, plain
from knowledge.models import Card, KnowledgeBase


@dataclass(frozen=True)
class InlineCard:
    """A card as an inline-mode result: shown in a list, then posted in the chat."""

    card_id: str
    title: str
    description: str
    text: str


def card_text(card: Card, language: str) -> str:
    return render(
        "card.j2",
        language,
        title=card.title.in_(language),
        intro=card.intro.in_(language) if card.intro else "",
        points=[point.in_(language) for point in card.points],
        sources=[f"{source.title}, {source.section}" for source in card.sources],
    )


def card_screen(shown: CardShown, language: str) -> Screen:
    """The card, with buttons to its related cards and back to the topics."""
    _ = gettext_for(language)
    card, base = shown.card, shown.base
    rows = [
        (Button("→ " + related.title.in_(language), callback_data.simple("c", related.id)),)
        for related in (base.card(card_id) for card_id in card.related)
        if related is not None
    ]
    topic = base.topic_of(card.id)
    if topic is not None:
        rows.append(
            (
                Button("↩ " + topic.title.in_(language), callback_data.simple("m", topic.id)),
                Button(_("All topics"), callback_data.simple("m", "all")),
            )
        )
    return Screen(card_text(card, language), tuple(rows))


def topics_screen(shown: TopicsShown, language: str) -> Screen:
    return Screen(render("topics.j2", language), _topic_rows(shown.base, language))


def _topic_rows(base: KnowledgeBase, language: str) -> tuple[tuple[Button, ...], ...]:
    topics = sorted(base.topics, key=lambda t: t.order)
    return tuple(
        (Button(topic.title.in_(language), callback_data.simple("m", topic.id)),)
        for topic in topics
    )


def topic_screen(shown: TopicShown, language: str) -> Screen:
    _ = gettext_for(language)
    topic = shown.topic
    rows = [
        (Button(card.title.in_(language), callback_data.simple("c", card.id)),)
        for card in topic.cards
    ]
    rows.append((Button(_("All topics"), callback_data.simple("m", "all")),))
    return Screen(render("topic.j2", language, title=topic.title.in_(language)), tuple(rows))


def no_result_screen(shown: NoCardFound, language: str) -> Screen:
    text = render("no_card.j2", language, query=shown.query)
    return Screen(text, _topic_rows(shown.base, language))


def inline_card(card: Card, language: str) -> InlineCard:
    intro = card.intro.in_(language) if card.intro else card.points[0].in_(language)
    return InlineCard(
        card.id, card.title.in_(language), plain(intro)[:120], card_text(card, language)
    )


def language_screen(language: str) -> Screen:
    buttons = (
        Button("🇫🇷 Français", callback_data.simple("l", "fr")),
        Button("🇬🇧 English", callback_data.simple("l", "en")),
    )
    return Screen(render("language.j2", language), (buttons,))
