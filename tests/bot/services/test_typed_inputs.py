"""What users type instead of pressing (issue 16, defects 3 and 8): button labels, language
names, close labels, empty messages, a text longer than a question keeps."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.services import Actor, Services, checklists
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import FlowSession, MeetingNote, Partnership
from tests.bot.client import Client

ALICE = Actor("tg:100", "fr")
# A fixed day, so that dates "to come" stay to come whenever the tests run.
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine, clock=lambda: NOW))
    engine.dispose()


def create(service, who=ALICE) -> int:
    """A partnership, typed as a user would, "Passer" included."""
    service.new_partnership(who)
    for typed in (
        "Rénovation 93",
        "Association Rebond",
        "⏭ Passer",
        "Énergie",
        "Seine-Saint-Denis",
    ):
        service.text(who, typed)
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        return user.active_partnership_id


def answers_of_the_run(service, flow: str) -> dict:
    with session_scope(service.engine) as db:
        run = db.exec(select(FlowSession).where(FlowSession.flow == flow)).one()
        return dict(run.state["answers"])


def test_an_empty_message_gets_a_kind_word_and_the_question_again(service):
    service.diagnostic(ALICE)
    for empty in ("", "   ", "\u200b"):
        reply = service.text(ALICE, empty)
        assert len(reply.messages) == 2
        assert "vide" in reply.messages[0].text
        assert "Question 1/" in reply.messages[1].text


def test_typed_button_labels_act_as_the_buttons_and_are_never_saved_as_answers(service):
    service.new_partnership(ALICE)
    # "Garder" with nothing to keep yet: refused, not saved as the partnership's name.
    refused = service.text(ALICE, "✓ Garder")
    assert "pas encore de réponse à garder" in refused.messages[0].text
    assert "Question 1/" in refused.messages[-1].text
    service.text(ALICE, "Rénovation 93")
    back = service.text(ALICE, "← Retour")
    assert "Question 1/" in back.messages[-1].text
    assert "Rénovation 93" in back.messages[-1].text
    kept = service.text(ALICE, "✓ Garder")
    assert "Question 2/" in kept.messages[-1].text
    assert "Rénovation 93" in kept.edit.text
    service.text(ALICE, "Association Rebond")
    # The partner's name is optional: "Passer" skips it.
    service.text(ALICE, "⏭ Passer")
    # The theme is required: "skip" cannot skip it, and says so.
    required = service.text(ALICE, "skip")
    assert required.messages[0].text == "Cette question demande une réponse."
    assert "Question 4/" in required.messages[-1].text
    answers = answers_of_the_run(service, "new_partnership")
    assert answers == {
        "name": "Rénovation 93",
        "our_organisation": "Association Rebond",
        "partner": None,
    }


def test_pourquoi_typed_gives_the_help_and_the_question_stays(service):
    service.diagnostic(ALICE)
    why = service.text(ALICE, "Pourquoi ?")
    assert len(why.messages) == 1 and "Pourquoi cette question" in why.messages[0].text
    assert "Entreprise" in service.text(ALICE, "entreprise").edit.text


def test_the_referents_current_answer_is_kept_by_typing_garder(service):
    pid = create(service)
    with session_scope(service.engine) as db:
        db.get(Partnership, pid).followup = {"referent_ours": "Mme Diallo"}
    asked = service.followup(ALICE)
    assert "Mme Diallo" in asked.messages[-1].text
    reply = service.text(ALICE, "✓ Garder")
    assert "Mme Diallo" in reply.edit.text and "Garder" not in reply.edit.text
    assert answers_of_the_run(service, "followup")["referent_ours"] == "Mme Diallo"


def test_a_close_label_is_accepted_and_an_ambiguous_one_refused_naming_the_choices(service):
    create(service)
    service.followup(ALICE)
    for typed in ("Mme Diallo", "M. Martin", "non"):
        service.text(ALICE, typed)
    service.text(ALICE, "1/9/2026")
    service.text(ALICE, "1/9/2029")
    ambiguous = service.text(ALICE, "chaque")
    assert "Chaque trimestre · Chaque semestre" in ambiguous.messages[0].text
    chosen = service.text(ALICE, "semestriel")
    assert "Chaque semestre" in chosen.edit.text


def test_a_long_meeting_note_is_kept_whole_as_notes_that_follow_each_other(service):
    pid = create(service)
    service.partnership_button(ALICE, service.button(pid, "note"), 4)
    paragraphs = [
        f"Point {n} : le bailleur confirme les visites à domicile, l’entreprise fournit les "
        "diagnostics thermiques et l’association accompagne les familles. " * 3
        for n in range(1, 8)
    ]
    note = "\n\n".join(p.strip() for p in paragraphs)
    assert len(note) > 2000
    reply = service.text(ALICE, note)
    said = " ".join(m.text for m in reply.messages)
    assert "2 notes qui se suivent" in said
    with session_scope(service.engine) as db:
        kept = [n.text for n in db.exec(select(MeetingNote).order_by(MeetingNote.id))]
    assert len(kept) == 2 and all(len(text) <= 2000 for text in kept)
    assert "\n\n".join(kept) == note


def test_a_too_long_answer_keeps_its_beginning_and_gives_the_rest_back(service):
    create(service)
    service.followup(ALICE)
    referent = "Mme Diallo, chargée de mission rénovation énergétique au siège. " * 5
    reply = service.text(ALICE, referent)
    texts = [m.text for m in reply.messages]
    assert "j’en ai gardé le début" in texts[0]
    rest = texts[1]
    kept = answers_of_the_run(service, "followup")["referent_ours"]
    assert len(kept) <= 200
    # Nothing lost: what was kept and what came back make the whole text.
    assert f"{kept} {rest}" == referent.strip()
    assert "Question 2/" in texts[-1]


def test_english_typed_at_langue_sets_the_language(service):
    menu = service.run(ALICE, checklists.language_menu)
    assert "Choisissez votre langue" in menu.messages[0].text
    reply = service.text(ALICE, "English")
    assert reply.messages[0].text == "From now on I will answer in English."
    reply = service.run(ALICE, checklists.language_menu, "français")
    assert reply.messages[0].text == "Je vous répondrai désormais en français."


def test_a_language_named_during_a_questionnaire_changes_it_and_asks_again(service):
    service.diagnostic(ALICE)
    reply = service.text(ALICE, "English")
    assert reply.messages[0].text == "From now on I will answer in English."
    assert "Question 1/" in reply.messages[-1].text
    assert "Company" in [b.label for row in reply.messages[-1].buttons for b in row]


def test_hours_and_dates_typed_as_people_do(service):
    service.diagnostic(ALICE)
    with session_scope(service.engine) as db:
        run = db.exec(select(FlowSession)).one()
        run.state = {**run.state, "state": "hours_per_month"}
    reply = service.text(ALICE, "10h")
    assert "10" in reply.edit.text
    with session_scope(service.engine) as db:
        run = db.exec(select(FlowSession)).one()
        run.state = {**run.state, "state": "start_date"}
    past = service.text(ALICE, "1/9/2025")
    assert "déjà passée" in past.messages[0].text
    reply = service.text(ALICE, "septembre 2026")
    assert "1 septembre 2026" in reply.edit.text
