"""The conversation service on a real SQLite database: what a user sees, input after input."""

import pytest

from bot.callback_data import ButtonData
from bot.services import Actor, Services
from storage.db import make_engine
from tests.bot.client import Client

ALICE = Actor("tg:100", "fr")
BOB = Actor("tg:200", "en")


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine))
    engine.dispose()


def question(reply):
    """The screen showing the question a reply asks: its live message, edited in place, or
    a new message."""
    return reply.edit if reply.edit_session_id is not None else reply.messages[-1]


def question_buttons(reply):
    return [b for row in question(reply).buttons for b in row]


def press(service, who, reply, label_start):
    button = next(b for b in question_buttons(reply) if b.label.startswith(label_start))
    return service.press(who, button.data, 1)


def test_first_question_shows_progress_and_choices(service):
    reply = service.diagnostic(ALICE)
    text = reply.messages[-1].text
    assert "Question 1/" in text
    labels = [b.label for b in question_buttons(reply)]
    assert "Entreprise" in labels
    assert reply.question_session_id is not None


def test_english_user_is_answered_in_english(service):
    reply = service.diagnostic(BOB)
    assert "Self-diagnosis" in reply.messages[0].text
    assert "Company" in [b.label for b in question_buttons(reply)]


def test_a_press_turns_the_question_into_the_next_with_the_answers_above(service):
    reply = press(service, ALICE, service.diagnostic(ALICE), "Entreprise")
    # One message, edited: the answer recalled above the next question, no new message.
    assert not reply.messages and reply.edit_session_id is not None
    assert reply.edit.text.startswith("<i>✓ Entreprise</i>\n<b>Question 2/")
    reply = press(service, ALICE, reply, "Région")
    assert reply.edit.text.startswith("<i>✓ Entreprise · ✓ Région</i>\n<b>Question 3/")
    # Back: the question before, in the same message, the answers before it above.
    reply = press(service, ALICE, reply, "← Retour")
    assert not reply.messages
    assert reply.edit.text.startswith("<i>✓ Entreprise</i>\n<b>Question 2/")
    assert "Réponse actuelle : Région" in reply.edit.text


def test_why_shows_the_rationale_in_the_question(service):
    reply = press(service, ALICE, service.diagnostic(ALICE), "Pourquoi")
    assert not reply.messages and "Question 1/" in reply.edit.text
    assert "Pourquoi cette question ?" in reply.edit.text and "Source :" in reply.edit.text
    # Its button goes (the rationale is there); the answers stay.
    labels = [b.label for b in question_buttons(reply)]
    assert "Entreprise" in labels and not any(label.startswith("Pourquoi") for label in labels)
    assert "Question 2/" in question(press(service, ALICE, reply, "Entreprise")).text


def test_a_typed_answer_closes_the_question_and_asks_the_next_below(service):
    service.diagnostic(ALICE)
    reply = service.text(ALICE, "entreprise")
    # The answered question keeps the answer, without its buttons; the next comes below,
    # without the trail (the answer shows just above it).
    assert reply.edit.text.endswith("✓ Entreprise") and not reply.edit.buttons
    assert reply.question_session_id is not None and reply.edit_session_id is None
    assert reply.messages[-1].text.startswith("<b>Question 2/")


def test_the_last_answer_posts_the_summary_as_a_new_message(service):
    reply = service.diagnostic(ALICE)
    for _ in range(40):
        shown = question(reply)
        if "Question" not in shown.text:
            break
        labels = [b.label for b in question_buttons(reply)]
        if "Passer" in labels:
            reply = press(service, ALICE, reply, "Passer")
        elif any(label.startswith("☐") for label in labels):
            reply = press(service, ALICE, press(service, ALICE, reply, "☐"), "Valider")
        elif "Type" in shown.text or "Tapez" in shown.text:
            reply = service.text(ALICE, "2")
        else:
            reply = service.press(ALICE, question_buttons(reply)[0].data, 1)
    # The last press: its question keeps the answer, the summary comes as a new message.
    assert reply.edit is not None and not reply.edit.buttons
    assert reply.edit_session_id is None
    assert "Votre auto-diagnostic" in reply.messages[0].text


def test_typed_label_is_accepted_as_the_choice(service):
    service.diagnostic(ALICE)
    reply = service.text(ALICE, "entreprise")
    assert "Question 2/" in reply.messages[-1].text


def test_bad_text_gets_an_explanation_and_the_question_again(service):
    service.diagnostic(ALICE)
    reply = service.text(ALICE, "je ne sais pas")
    assert len(reply.messages) == 2
    assert "reconnu" in reply.messages[0].text
    assert "Question 1/" in reply.messages[1].text


def test_a_new_service_resumes_at_the_same_question(sqlite_url):
    first = Client(Services(make_engine(sqlite_url)))
    first.diagnostic(ALICE)
    first.text(ALICE, "Entreprise")
    # As after a restart: nothing kept in memory, all read from the database.
    second = Client(Services(make_engine(sqlite_url)))
    reply = second.diagnostic(ALICE)
    assert "Question 2/" in reply.messages[-1].text
    reply = second.text(ALICE, "3")
    assert "Question 3/" in reply.messages[-1].text


def test_buttons_of_someone_else_or_forged_change_nothing(service):
    alice_question = service.diagnostic(ALICE)
    alice_button = question_buttons(alice_question)[0].data
    service.diagnostic(BOB)
    stolen = service.press(BOB, alice_button, 1)
    assert stolen.notice and not stolen.messages and stolen.edit is None
    for forged in ("", "v1:a:99999:profile:company", "v2:a:1:profile:company", "x" * 80, None):
        reply = service.press(ALICE, forged, 1)
        assert reply.notice and not reply.messages
    # Alice is still at her first question.
    assert "Question 1/" in service.diagnostic(ALICE).messages[-1].text


def test_old_button_is_stale_once_answered(service):
    reply = service.diagnostic(ALICE)
    old = question_buttons(reply)[0].data
    service.press(ALICE, old, 1)
    again = service.press(ALICE, old, 1)
    assert again.notice == "Ce bouton n’est plus actif."


def test_option_unknown_to_the_question_is_refused(service):
    reply = service.diagnostic(ALICE)
    session_id = reply.question_session_id
    forged = ButtonData("answer", session_id, "profile", "astronaut").encode()
    assert service.press(ALICE, forged, 1).notice
    assert "Question 1/" in service.diagnostic(ALICE).messages[-1].text


def test_multiple_choice_toggles_then_validates(service):
    reply = press(service, ALICE, service.diagnostic(ALICE), "Entreprise")
    reply = press(service, ALICE, reply, "Région")
    toggled = press(service, ALICE, reply, "☐")
    assert toggled.edit is not None and "☑" in toggled.edit.buttons[0][0].label
    validated = service.press(ALICE, toggled.edit.buttons[-2][0].data, 1)
    assert "✓ Région · ✓ " in validated.edit.text and "Question 4/" in validated.edit.text


def test_cancel_then_nothing_to_cancel(service):
    service.diagnostic(ALICE)
    assert "arrêté" in service.cancel(ALICE).messages[0].text
    assert "Rien" in service.cancel(ALICE).messages[0].text
