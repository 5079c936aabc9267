"""Dates are shown in the configured time zone (ALLIANCE_TIMEZONE)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services.results import DialogueShown, PartnershipSummary
from bot.views import Presenter

LATE_EVENING = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def dialogue_note_date(zone: str) -> str:
    partnership = PartnershipSummary(1, "P", "Ours", None, None, None, "dialogue", 0, "member")
    shown = DialogueShown(partnership, points=(), notes=((LATE_EVENING, "Réunion"),))
    text = Presenter(ZoneInfo(zone), invitation_link=str).screen(shown, "fr").text
    return text.split(" — Réunion")[0].rsplit("\n", 1)[-1]


def test_a_note_written_late_in_utc_is_dated_in_the_configured_zone():
    assert dialogue_note_date("Europe/Paris") == "01/01/2027"
    assert dialogue_note_date("America/Cayenne") == "31/12/2026"


def test_a_date_answer_reads_back_in_the_users_language():
    from bot.services.results import QuestionShown
    from bot.views.questions import answer_label, question_screen
    from knowledge import load_questionnaire

    questionnaire = load_questionnaire("diagnostic")
    question = questionnaire.question("start_date")
    assert answer_label(question, "2027-01-15", "fr") == "15 janvier 2027"
    assert answer_label(question, "2027-01-15", "en") == "January 15, 2027"
    # The date question itself shows with nothing selected yet.
    shown = QuestionShown(1, questionnaire.title, question, 16, 16)
    assert "Question 16/16" in question_screen(shown, "fr").text
