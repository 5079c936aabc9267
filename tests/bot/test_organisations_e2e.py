"""End to end through Telegram: a party's details typed once in partnership A's convention are
offered, not asked, in partnership B of the same organisation and appear in B's draft;
corrected once in B, both drafts' next versions have them; another user naming the same
organisation reaches none of it."""

from __future__ import annotations

from io import BytesIO

import docx

from tests.bot.driver import follow_plan, last_text, press, type_text
from tests.bot.test_partnerships_e2e import CHOSEN, current_question, press_data

OWNER, STRANGER = 7001, 7002
OURS = (
    "association loi 1901 ; 12 rue de la Paix, 69008 Lyon ; W691234567 ; Claire Durand, présidente"
)
THEIRS = "SAS ; 3 place Bellecour, 69002 Lyon ; SIREN 812 345 678 ; Marc Martin, gérant"
CORRECTED = (
    "association loi 1901 ; 40 quai Perrache, 69002 Lyon ; W691234567 ; Inès Roche, présidente"
)
DONE = "Points de la convention"


async def new_partnership(api, chat, name, ours, partner):
    await type_text(api, chat, "/nouveau", replies=2)
    for text in (name, ours, partner, "Insertion professionnelle"):
        await type_text(api, chat, text, edits=1)
    await type_text(api, chat, "Métropole de Lyon", replies=2)


def keyboard(api, chat) -> list[tuple[str, str]]:
    return [button for row in api.last_keyboard(chat) for button in row]


def can_keep(api, chat) -> bool:
    return any(data.startswith("v1:k:") for _label, data in keyboard(api, chat))


async def answer_convention(api, chat, typed: dict[str, str]) -> list[str]:
    """Answers the convention: `typed` texts are typed; any other question with an answer to
    keep is kept in one tap; else every point ticked, yes, the choice, a text. Returns the
    questions answered by typing."""
    typed_at = []
    while DONE not in last_text(api, chat):
        question = current_question(api, chat)
        if question in typed:
            await type_text(api, chat, typed[question], edits=1)
            typed_at.append(question)
        elif can_keep(api, chat):
            await press(api, chat, "k", question)
        elif question.startswith("c_"):
            unticked = [
                data.split(":")[4]
                for label, data in keyboard(api, chat)
                if data.startswith("v1:t:") and label.startswith("☐")
            ]
            await follow_plan(api, chat, [("m", question, unticked)])
        elif question.startswith("y_"):
            await follow_plan(api, chat, [("a", question, "yes")])
        elif question.startswith("s_"):
            await follow_plan(api, chat, [("a", question, CHOSEN[question])])
        else:
            await type_text(api, chat, f"Texte pour {question}", edits=1)
            typed_at.append(question)
    return typed_at


async def convention_draft(api, chat) -> str:
    """Builds the drafts from the convention's summary; the convention's text."""
    generate = next(d for _label, d in keyboard(api, chat) if d.endswith("generate"))
    before = len(api.sent(chat_id=chat, method="sendDocument"))
    api.press(chat, generate)
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method="sendDocument")) == before + 2)
    sent = api.sent(chat_id=chat, method="sendDocument")[before:]
    name, content = next(
        call.files["document"] for call in sent if "convention" in call.files["document"][0]
    )
    return "\n".join(p.text for p in docx.Document(BytesIO(content)).paragraphs)


def question_text(api, chat) -> str:
    return last_text(api, chat)


async def test_details_typed_once_serve_every_convention_of_the_organisation(api, bot):
    # A: the details typed in its convention.
    await new_partnership(
        api, OWNER, "Alliance Emploi", "Association Rebond", "Boulangeries Martin"
    )
    await type_text(api, OWNER, "/convention", replies=2)
    typed = await answer_convention(api, OWNER, {"p_ours": OURS, "p_partner": THEIRS})
    assert typed[:2] == ["p_ours", "p_partner"]
    first = await convention_draft(api, OWNER)
    assert "W691234567" in first and "Marc Martin, gérant" in first

    # B: the same organisations, spelt otherwise; their details are offered, not asked.
    await new_partnership(
        api, OWNER, "Alliance Numérique", "association  REBOND", "boulangeries martin"
    )
    card = last_text(api, OWNER)
    assert "Association Rebond" in card and "Boulangeries Martin" in card
    await type_text(api, OWNER, "/convention", replies=2)
    assert current_question(api, OWNER) == "p_ours" and can_keep(api, OWNER)
    assert "W691234567" in question_text(api, OWNER)
    typed = await answer_convention(api, OWNER, {})
    assert "p_ours" not in typed and "p_partner" not in typed
    second = await convention_draft(api, OWNER)
    for words in ("W691234567", "Claire Durand, présidente", "SIREN 812 345 678"):
        assert words in second, words

    # Corrected once, in B's review: B's next draft and A's next draft both have it.
    review = next(d for _label, d in keyboard(api, OWNER) if d.endswith("review"))
    # Its introduction, then the first question.
    sends = len(api.sent(chat_id=OWNER, method="sendMessage"))
    api.press(OWNER, review)
    await api.wait_for(lambda a: len(a.sent(chat_id=OWNER, method="sendMessage")) >= sends + 2)
    await answer_convention(api, OWNER, {"p_ours": CORRECTED})
    assert "Inès Roche, présidente" in await convention_draft(api, OWNER)
    await type_text(api, OWNER, "/partenariats")
    open_a = next(
        d for label, d in keyboard(api, OWNER) if "Alliance Emploi" in label and d.endswith("open")
    )
    await press_data(api, OWNER, open_a, method="editMessageText")
    await type_text(api, OWNER, "/convention")
    again = await convention_draft(api, OWNER)
    assert "Inès Roche, présidente" in again and "40 quai Perrache" in again

    # Someone else naming the same organisations reaches none of their details.
    await new_partnership(
        api, STRANGER, "Autre alliance", "Association Rebond", "Boulangeries Martin"
    )
    await type_text(api, STRANGER, "/convention", replies=2)
    assert current_question(api, STRANGER) == "p_ours" and not can_keep(api, STRANGER)
    assert "W691234567" not in question_text(api, STRANGER)
    await answer_convention(api, STRANGER, {"p_ours": "SARL ; Villeurbanne", "p_partner": "SAS"})
    theirs = await convention_draft(api, STRANGER)
    assert "W691234567" not in theirs and "Inès Roche" not in theirs
    assert "Villeurbanne" in theirs
    assert bot == []
