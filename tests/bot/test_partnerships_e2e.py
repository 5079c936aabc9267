"""End to end: a partnership from creation to its two DOCX drafts, and invitations."""

from io import BytesIO

import docx

from tests.bot.driver import follow_plan, last_text, type_text

OWNER, GUEST, STRANGER = 6001, 6002, 6003


def current_question(api, chat) -> str:
    """The question id the last keyboard is about (from its buttons' data)."""
    for row in api.last_keyboard(chat):
        for _label, data in row:
            parts = data.split(":")
            if parts[1] in "atvbskw" and len(parts) >= 4:
                return parts[3]
    return ""


async def press_data(api, chat, data, method="sendMessage"):
    before = len(api.sent(chat_id=chat, method=method))
    api.press(chat, data)
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method=method)) > before)


async def create_partnership(api, chat):
    await type_text(api, chat, "/nouveau", replies=2)
    await follow_plan(
        api,
        chat,
        [
            ("x", "Alliance Emploi"),
            ("x", "Association Rebond"),
            ("s", "partner"),
            ("x", "Insertion professionnelle"),
        ],
    )
    await type_text(api, chat, "Métropole de Lyon", replies=2)
    assert "Étape 1/7" in last_text(api, chat)


async def score_candidate(api, chat, name, level):
    await type_text(api, chat, "/criteres", replies=2)
    await type_text(api, chat, name)
    await follow_plan(api, chat, [("a", "candidate_profile", "economic")])
    while (question := current_question(api, chat)) != "guard_rails":
        await follow_plan(api, chat, [("a", question, str(level))])
    await follow_plan(api, chat, [("a", "guard_rails", "yes")])


# The answer to each point asked as a choice.
CHOSEN = {"s_evaluator": "third_party"}


async def answer_convention(api, chat, typed: dict[str, str]) -> None:
    """Ticks every point of each section, says yes to yes-or-no points, picks the choices,
    types the texts."""
    while "Points de la convention" not in last_text(api, chat):
        question = current_question(api, chat)
        if question.startswith("c_"):
            unticked = [
                data.split(":")[4]
                for row in api.last_keyboard(chat)
                for label, data in row
                if data.startswith("v1:t:") and label.startswith("☐")
            ]
            await follow_plan(api, chat, [("m", question, unticked)])
        elif question.startswith("y_"):
            await follow_plan(api, chat, [("a", question, "yes")])
        elif question.startswith("s_"):
            await follow_plan(api, chat, [("a", question, CHOSEN[question])])
        else:
            await type_text(api, chat, typed.get(question, f"Texte pour {question}"), edits=1)


async def test_from_creation_to_two_docx_drafts(api, bot):
    await create_partnership(api, OWNER)
    await score_candidate(api, OWNER, "Fragile SA", 2)
    await score_candidate(api, OWNER, "Solide SA", 5)
    ranking = last_text(api, OWNER)
    assert ranking.index("Solide SA") < ranking.index("Fragile SA")
    choose = api.last_keyboard(OWNER)[0][0]
    assert "Solide SA" in choose[0]
    await press_data(api, OWNER, choose[1], method="editMessageText")

    await type_text(api, OWNER, "/convention", replies=2)
    typed = {
        "t_beneficiaries": "Jeunes des quartiers prioritaires",
        "t_termination": "Résiliation par lettre recommandée, préavis de trois mois",
    }
    await answer_convention(api, OWNER, typed)
    generate = next(d for row in api.last_keyboard(OWNER) for _, d in row if d.endswith("generate"))
    await press_data(api, OWNER, generate, method="sendDocument")
    await api.wait_for(lambda a: len(a.sent(chat_id=OWNER, method="sendDocument")) == 2)
    files = [call.files["document"] for call in api.sent(chat_id=OWNER, method="sendDocument")]
    names = [name for name, _ in files]
    assert names[0].endswith(".docx") and names[1].endswith(".docx")
    for _name, content in files:
        text = "\n".join(p.text for p in docx.Document(BytesIO(content)).paragraphs)
        for expected in ("Association Rebond", "Solide SA", *typed.values()):
            assert expected in text
    assert bot == []


async def test_invitation_then_used_and_guessed_tokens_and_forged_buttons(api, bot):
    await create_partnership(api, OWNER)
    invite = next(d for row in api.last_keyboard(OWNER) for _, d in row if d.endswith(":invite"))
    pid = invite.split(":")[2]
    await press_data(api, OWNER, invite)
    role = next(d for row in api.last_keyboard(OWNER) for _, d in row if d.endswith(":partner"))
    await press_data(api, OWNER, role)
    token = last_text(api, OWNER).split("start=")[1].strip()

    await type_text(api, GUEST, f"/start {token}", replies=2)
    assert "Alliance Emploi" in last_text(api, GUEST)
    await type_text(api, GUEST, "/partenariats")
    assert "Alliance Emploi" in last_text(api, GUEST)

    await type_text(api, STRANGER, f"/start {token}")
    assert "déjà été utilisée" in last_text(api, STRANGER)
    await type_text(api, STRANGER, "/start AAAAAAAAAAAAAAAAAAAAAAAA")
    assert "pas valide" in last_text(api, STRANGER)
    answers = len(api.sent(method="answerCallbackQuery"))
    revision = role.split(":")[3]
    forged_buttons = (
        f"v1:p:{pid}:{revision}:{action}" for action in ("open", "advance", "role:member")
    )
    for forged in forged_buttons:
        api.press(STRANGER, forged, message_id=1)
    await api.wait_for(lambda a: len(a.sent(method="answerCallbackQuery")) == answers + 3)
    await type_text(api, STRANGER, "/partenariats")
    assert "pas encore de partenariat" in last_text(api, STRANGER)
    assert bot == []
