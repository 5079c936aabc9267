"""Cards as messages: every card fits Telegram's limit, long texts split between lines."""

import pytest

from bot.services.results import CardShown, TopicShown
from bot.views.cards import card_screen, card_text, inline_card, topic_screen
from bot.views.screens import plain
from bot.views.splitting import split_html, visible_length
from knowledge.loader import load_knowledge_base
from knowledge.models import Card


def test_every_card_fits_one_telegram_message_in_both_languages():
    for card in load_knowledge_base().cards():
        for language in ("fr", "en"):
            assert visible_length(card_text(card, language)) <= 4096, card.id


def test_a_card_offers_its_related_cards_and_the_way_back():
    base = load_knowledge_base()
    card = base.card("convention_duration")
    screen = card_screen(CardShown(card, base), "fr")
    data = [button.data for row in screen.buttons for button in row]
    assert [f"v1:c:{ref}" for ref in card.related] == data[: len(card.related)]
    assert "v1:m:all" in data


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_overview_fits_one_message_with_one_button_per_card(language):
    base = load_knowledge_base()
    for topic in base.topics:
        screen = card_screen(CardShown(topic.overview, base), language)
        assert visible_length(screen.text) <= 4096, topic.id
        data = [button.data for row in screen.buttons for button in row]
        assert data == [f"v1:c:{card.id}" for card in topic.cards] + ["v1:m:all"], topic.id
        for card in topic.cards:
            assert card.title.in_(language) in plain(screen.text), card.id


def test_opening_a_topic_shows_its_overview():
    topic = load_knowledge_base().topic("convention")
    assert topic_screen(TopicShown(topic), "fr") == card_screen(
        CardShown(topic.overview, load_knowledge_base()), "fr"
    )


def test_an_overview_posted_inline_lists_every_card_without_promising_buttons():
    topic = load_knowledge_base().topic("risks")
    posted = inline_card(topic.overview, "en")
    assert posted.card_id == "overview_risks"
    assert posted.text.count("•") == len(topic.cards)
    assert "button" not in posted.text
    assert posted.description.startswith(topic.cards[0].title.en[:20])


def test_our_own_advice_is_shown_apart_from_the_guide_after_its_sources():
    card = load_knowledge_base().card("convention_disputes")
    text, advice = plain(card_text(card, "en")), card.our_advice[0].en
    assert text.index("Sources:") < text.index("Alliance's advice") < text.index(advice)
    without = Card.model_validate(card.model_dump() | {"our_advice": ()})
    assert "advice" not in card_text(without, "en")


def test_sources_of_one_seed_are_grouped_on_one_line():
    card = load_knowledge_base().card("convention_formalise")
    last = card_text(card, "en").splitlines()[-1]
    assert last.count("Coopérer efficacement") == 1
    assert "Étape 5" in last and "Étape 6" in last


def test_long_text_is_split_at_line_boundaries_within_the_limit():
    text = "\n".join(f"• point {n} " + "x" * 50 for n in range(200))
    chunks = split_html(text)
    assert len(chunks) > 1
    assert all(visible_length(chunk) <= 4096 for chunk in chunks)
    assert "\n".join(chunks) == text
    assert all(chunk.startswith("• point") for chunk in chunks)
