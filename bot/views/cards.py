"""Screens of the checklist cards: a card, a topic's overview, the topic menu, no result."""

from __future__ import annotations

from dataclasses import dataclass

from bot import callback_data
from bot.i18n import gettext_for, render
from bot.services.results import CardShown, NoCardFound, TopicShown, TopicsShown
from bot.views.screens import Button, Screen, plain
from knowledge.models import Card, KnowledgeBase, Source

INLINE_DESCRIPTION = 120


@dataclass(frozen=True)
class InlineCard:
    """A card as an inline-mode result: shown in a list, then posted in the chat."""

    card_id: str
    title: str
    description: str
    text: str


def card_text(card: Card, language: str, *, with_buttons: bool = False) -> str:
    """A card as message text; an overview says its buttons open the cards when it has them."""
    if card.is_overview:
        return _overview_text(card, language, with_buttons)
    return render(
        "card.j2",
        language,
        title=card.title.in_(language),
        intro=card.intro.in_(language) if card.intro else "",
        points=[point.in_(language) for point in card.points],
        advice=[point.in_(language) for point in card.our_advice],
        sources=source_lines(card.sources),
    )


def _overview_text(card: Card, language: str, with_buttons: bool) -> str:
    items = [
        (item.title.in_(language), item.gist.in_(language) if item.gist else "")
        for item in card.items
    ]
    return render(
        "topic.j2",
        language,
        title=card.title.in_(language),
        items=items,
        with_buttons=with_buttons,
        sources=source_lines(card.sources),
    )


def source_lines(sources: tuple[Source, ...]) -> list[str]:
    """One line per seed, its sections after it: an overview cites many sections of a few."""
    sections: dict[str, list[str]] = {}
    for source in sources:
        sections.setdefault(source.title, []).append(source.section)
    return [f"{title}, {' · '.join(parts)}" for title, parts in sections.items()]


def card_screen(shown: CardShown, language: str) -> Screen:
    """The card, with buttons to its related cards and back to its topic's overview."""
    _ = gettext_for(language)
    card, base = shown.card, shown.base
    if card.is_overview:
        return overview_screen(card, language)
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


def overview_screen(card: Card, language: str) -> Screen:
    """A topic's overview: every card of the topic listed, then one button to each."""
    _ = gettext_for(language)
    rows = [
        (Button("→ " + item.title.in_(language), callback_data.simple("c", item.card_id)),)
        for item in card.items
    ]
    rows.append((Button(_("All topics"), callback_data.simple("m", "all")),))
    return Screen(card_text(card, language, with_buttons=True), tuple(rows))


def topics_screen(shown: TopicsShown, language: str) -> Screen:
    return Screen(render("topics.j2", language), _topic_rows(shown.base, language))


def _topic_rows(base: KnowledgeBase, language: str) -> tuple[tuple[Button, ...], ...]:
    topics = sorted(base.topics, key=lambda t: t.order)
    return tuple(
        (Button(topic.title.in_(language), callback_data.simple("m", topic.id)),)
        for topic in topics
    )


def topic_screen(shown: TopicShown, language: str) -> Screen:
    """Opening a topic shows its overview."""
    return overview_screen(shown.topic.overview, language)


def no_result_screen(shown: NoCardFound, language: str) -> Screen:
    text = render("no_card.j2", language, query=shown.query)
    return Screen(text, _topic_rows(shown.base, language))


def inline_card(card: Card, language: str) -> InlineCard:
    """The card as posted in any chat; an overview is described by the cards it lists."""
    if card.is_overview:
        description = " · ".join(item.title.in_(language) for item in card.items)
    else:
        description = (card.intro or card.points[0]).in_(language)
    return InlineCard(
        card.id,
        card.title.in_(language),
        plain(description)[:INLINE_DESCRIPTION],
        card_text(card, language),
    )


def language_screen(language: str) -> Screen:
    buttons = (
        Button("🇫🇷 Français", callback_data.simple("l", "fr")),
        Button("🇬🇧 English", callback_data.simple("l", "en")),
    )
    return Screen(render("language.j2", language), (buttons,))
