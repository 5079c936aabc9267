"""Cards as messages: every card fits Telegram's limit, long texts split between lines."""

from bot.services.results import CardShown
from bot.telegram.splitting import split_html, visible_length
from bot.views.cards import card_screen, card_text
from knowledge.loader import load_knowledge_base


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


def test_long_text_is_split_at_line_boundaries_within_the_limit():
    text = "\n".join(f"• point {n} " + "x" * 50 for n in range(200))
    chunks = split_html(text)
    assert len(chunks) > 1
    assert all(visible_length(chunk) <= 4096 for chunk in chunks)
    assert "\n".join(chunks) == text
    assert all(chunk.startswith("• point") for chunk in chunks)
