"""End to end: the real Application and HTTP client against a fake Bot API on loopback."""

from __future__ import annotations

from tests.bot.driver import (
    ASSOCIATION_PLAN,
    COMPANY_PLAN,
    follow_plan,
    last_text,
    start_diagnostic,
    type_text,
)


async def test_command_menus_are_set_in_french_and_english(api, bot):
    menus = {
        (call.params.get("scope", {}).get("type"), call.params.get("language_code")): {
            c["command"] for c in call.params["commands"]
        }
        for call in api.sent(method="setMyCommands")
    }
    for scope in ("default", "all_private_chats"):
        assert menus[scope, None] >= {"diagnostic", "aide", "annuler"}
        assert menus[scope, "en"] >= {"diagnostic", "help", "cancel"}
    # In groups, only what works there: questionnaires are personal.
    assert menus["all_group_chats", None] == {"checklist", "aide"}
    assert menus["all_group_chats", "en"] == {"checklist", "help"}


async def test_a_new_user_reads_a_description_before_pressing_start(api, bot):
    for method, field, limit in (
        ("setMyDescription", "description", 512),
        ("setMyShortDescription", "short_description", 120),
    ):
        said = {c.params.get("language_code"): c.params[field] for c in api.sent(method=method)}
        assert "faire alliance" in said[None] and "faire alliance" in said["en"]
        assert said[None] != said["en"]  # French by default, English for English clients
        assert all(0 < len(text) <= limit for text in said.values())


async def test_two_complete_diagnoses_give_two_recommendations(api, bot):
    company, association = 1001, 1002
    await start_diagnostic(api, company)
    assert "Question 1/" in last_text(api, company)
    await follow_plan(api, company, COMPANY_PLAN)
    await start_diagnostic(api, association)
    await follow_plan(api, association, ASSOCIATION_PLAN)

    company_result = last_text(api, company)
    association_result = last_text(api, association)
    assert "Votre auto-diagnostic" in company_result
    assert "Coopération économique" in company_result.split("Maturité")[0]
    # Funding and skills received as a gift are two of mécénat's forms (guide 001, typology):
    # mécénat, not the economic cooperation a joint offer would be.
    association_types = association_result.split("Maturité")[0]
    assert "Mécénat" in association_types
    assert "Un soutien sans contrepartie" in association_types
    assert "Coopération économique" not in association_types
    assert "Pratiques responsables" not in association_types
    assert "prêt à chercher un partenaire" in company_result
    assert "quelques points à clarifier" in association_result
    assert bot == []


async def test_english_speaking_user_is_answered_in_english(api, bot):
    chat = 1004
    api.send_text(chat, "/start", language_code="en")
    await api.wait_for(lambda a: a.messages(chat))
    assert "Hello, I am Alliance" in last_text(api, chat)
    await start_diagnostic(api, chat, language_code="en")
    assert "Question 1/" in last_text(api, chat)
    labels = [label for row in api.last_keyboard(chat) for label, _ in row]
    assert "Company" in labels


async def test_user_text_comes_back_escaped(api, bot):
    chat = 1005
    await start_diagnostic(api, chat)
    await follow_plan(api, chat, ASSOCIATION_PLAN[:8])
    echoed = [c.params["text"] for c in api.sent(chat_id=chat, method="editMessageText")]
    assert any("&lt;b&gt;urgentes&lt;/b&gt;" in text for text in echoed)


async def test_a_typed_choice_ticks_the_question_in_place_and_waits(api, bot):
    chat = 1006
    await start_diagnostic(api, chat)
    await follow_plan(api, chat, COMPANY_PLAN[:2])
    edits = len(api.calls_of("editMessageText", chat))
    api.send_text(chat, "3")
    await api.wait_for(lambda a: len(a.calls_of("editMessageText", chat)) > edits)
    # The question itself shows the tick; no new question yet.
    assert "☑ Gagner en performance" in str(api.last_keyboard(chat))
    assert "Question 3/" in last_text(api, chat)
    await type_text(api, chat, "valider", edits=1)
    assert "Question 4/" in last_text(api, chat)
