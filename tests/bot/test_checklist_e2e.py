"""End to end: checklists by menu and by words, inline mode, and the language choice."""

from bot.services import checklists
from knowledge.loader import load_knowledge_base
from tests.bot.driver import last_text, type_text

CONVENTION = load_knowledge_base().topic("convention")


def buttons(api, chat):
    return [(label, data) for row in api.last_keyboard(chat) for label, data in row]


async def test_checklist_menu_then_a_topic_then_a_card(api, bot):
    chat = 4001
    await type_text(api, chat, "/checklist")
    assert "Fiches pratiques" in last_text(api, chat)
    topics = dict(buttons(api, chat))
    assert "La convention de partenariat" in topics or any("onvention" in t for t in topics)
    convention = next(data for label, data in buttons(api, chat) if "onvention" in label)
    before = len(api.sent(chat_id=chat, method="editMessageText"))
    api.press(chat, convention)
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method="editMessageText")) > before)
    overview = api.sent(chat_id=chat, method="editMessageText")[-1].params["text"]
    assert "La convention de partenariat" in overview
    assert "Convention : règlement des litiges" in overview, "a topic opens on its overview"
    card_button = next(data for _, data in buttons(api, chat) if data == "v1:c:convention_duration")
    api.press(chat, card_button)
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method="editMessageText")) > before + 1)
    text = api.sent(chat_id=chat, method="editMessageText")[-1].params["text"]
    assert "Source" in text and "•" in text


async def test_checklist_convention_shows_the_whole_checklist_then_a_card_in_full(api, bot):
    chat = 4008
    await type_text(api, chat, "/checklist convention")
    overview = last_text(api, chat)
    assert overview.startswith("<b>La convention de partenariat</b>")
    assert overview.count("•") == len(CONVENTION.cards)
    data = [data for _, data in buttons(api, chat)]
    assert data == [f"v1:c:{card.id}" for card in CONVENTION.cards] + ["v1:m:all"]
    before = len(api.sent(chat_id=chat, method="editMessageText"))
    api.press(chat, "v1:c:convention_disputes")
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method="editMessageText")) > before)
    card = api.sent(chat_id=chat, method="editMessageText")[-1].params["text"]
    assert "Convention : règlement des litiges" in card and "médiation" in card
    back = [data for _, data in buttons(api, chat)]
    assert "v1:m:convention" in back, "a card leads back to its topic's overview"


async def test_checklist_with_words_finds_the_card_despite_typos(api, bot):
    chat = 4002
    await type_text(api, chat, "/checklist resiliasion")
    card = last_text(api, chat)
    assert "résiliation" in card.lower() or "Résiliation" in card
    related = [data for _, data in buttons(api, chat) if data.startswith("v1:c:")]
    assert related, "a card offers its related cards"


async def test_checklist_works_in_a_group_chat(api, bot):
    api.send_text(4003, "/checklist risques entreprise", chat_id=-4003, chat_type="group")
    await api.wait_for(lambda a: a.messages(-4003))
    assert "Risques pour une entreprise" in last_text(api, -4003)


async def test_help_works_in_a_group_chat_as_its_menu_says(api, bot):
    api.send_text(4006, "/aide", chat_id=-4006, chat_type="group")
    await api.wait_for(lambda a: a.messages(-4006))
    assert "/checklist" in last_text(api, -4006)
    assert "conversation privée" not in last_text(api, -4006)


async def test_unknown_words_get_the_menu(api, bot):
    chat = 4004
    await type_text(api, chat, "/checklist zzqxw")
    assert "Rien trouvé pour « zzqxw »" in last_text(api, chat)
    assert buttons(api, chat)


async def test_inline_query_lists_matching_cards_ready_to_post(api, bot):
    api.inline_query(4005, "convention")
    await api.wait_for(lambda a: a.sent(method="answerInlineQuery"))
    results = api.sent(method="answerInlineQuery")[-1].params["results"]
    assert 1 <= len(results) <= 10
    assert all(r["type"] == "article" for r in results)
    assert results[0]["id"] == "overview_convention", "the whole checklist first"
    posted = results[0]["input_message_content"]
    assert posted["parse_mode"] == "HTML"
    assert posted["message_text"].count("•") == len(CONVENTION.cards)


async def test_english_speaking_user_gets_english_cards(api, bot):
    chat = 4006
    await type_text(api, chat, "/checklist termination", language_code="en")
    card = last_text(api, chat)
    assert "Sources:" in card or "Source:" in card
    api.inline_query(chat, "risks", language_code="en")
    await api.wait_for(lambda a: a.sent(method="answerInlineQuery"))
    results = api.sent(method="answerInlineQuery")[-1].params["results"]
    assert any("isk" in r["title"] for r in results)


async def test_language_choice_is_stored_and_used(api, bot):
    chat = 4007
    await type_text(api, chat, "/langue")
    english = next(data for _, data in buttons(api, chat) if data == "v1:l:en")
    before = len(api.sent(chat_id=chat, method="editMessageText"))
    api.press(chat, english)
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method="editMessageText")) > before)
    assert "English" in api.sent(chat_id=chat, method="editMessageText")[-1].params["text"]
    # The Telegram client still says French; the stored choice wins.
    await type_text(api, chat, "/aide", language_code="fr")
    assert "What I can do" in last_text(api, chat)


async def test_inline_mode_offers_whole_checklists_before_anything_is_typed(api, bot):
    api.inline_query(4009, "")
    await api.wait_for(lambda a: a.sent(method="answerInlineQuery"))
    results = api.sent(method="answerInlineQuery")[-1].params["results"]
    assert [r["id"] for r in results] == list(checklists.DEFAULT_INLINE_CARDS)
    assert all(r["id"].startswith("overview_") for r in results)


async def test_checklist_finds_a_list_of_the_guide_by_the_words_people_use(api, bot):
    """Issue 18: the seven ISO 26000 themes had no card; "/checklist iso 26000" shows them,
    cited, in French, and "/checklist ingénierie territoriale" the three engineerings."""
    chat = 4010
    await type_text(api, chat, "/checklist iso 26000")
    card = last_text(api, chat)
    assert "RSE : les 7 thématiques de l’ISO 26000" in card
    for theme in ("Gouvernance", "Droits de l’Homme", "Loyauté des pratiques", "Environnement"):
        assert theme in card
    assert "Source" in card and "2012" in card and "2023" in card
    await type_text(api, chat, "/checklist ingénierie territoriale")
    card = last_text(api, chat)
    assert "Les 3 ingénieries territoriales" in card
    assert all(word in card for word in ("Gestion publique", "Projet transverse", "Catalyse"))
