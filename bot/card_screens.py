"""Screens of the checklist cards: a card, the topic menu, a topic's cards, no result."""

from __future__ import annotations

from dataclasses import dataclass

from bot import callback_data
from bot.i18n import gettext_for, render
from bot.screens import Button, Screen, plain
from knowledge.models import Card, KnowledgeBase, Topic


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


def card_screen(card: Card, base: KnowledgeBase, language: str) -> Screen:
    """The card, with buttons to its related cards and back to the topics."""
    _ = gettext_for(language)
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


def topics_screen(base: KnowledgeBase, language: str) -> Screen:
    topics = sorted(base.topics, key=lambda t: t.order)
    rows = tuple(
        (Button(topic.title.in_(language), callback_data.simple("m", topic.id)),)
        for topic in topics
    )
    return Screen(render("topics.j2", language), rows)


def topic_screen(topic: Topic, language: str) -> Screen:
    _ = gettext_for(language)
    rows = [
        (Button(card.title.in_(language), callback_data.simple("c", card.id)),)
        for card in topic.cards
    ]
    rows.append((Button(_("All topics"), callback_data.simple("m", "all")),))
    return Screen(render("topic.j2", language, title=topic.title.in_(language)), tuple(rows))


def no_result_screen(query: str, base: KnowledgeBase, language: str) -> Screen:
    menu = topics_screen(base, language)
    return Screen(render("no_card.j2", language, query=query), menu.buttons)


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
