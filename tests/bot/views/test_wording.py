"""Wording a reader notices: sentences run together, a role with no name, a scale said twice."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import gettext_for
from bot.services.results import (
    PartnershipCard,
    PartnershipSummary,
    QuestionShown,
    StageChange,
)
from bot.views.cards import card_text
from bot.views.partnerships import card_screen
from bot.views.questions import question_screen
from bot.views.screens import plain
from flows.lifecycle import STAGES
from flows.questionnaires import QUESTIONNAIRES, load
from flows.roles import RIGHTS
from knowledge.loader import load_knowledge_base

LANGUAGES = ("fr", "en")
ZONE = ZoneInfo("Europe/Paris")
# A sentence's full stop glued to the next one: "…de chaque réunion.Le travail".
GLUED = re.compile(r"[a-zà-ÿ]\.[A-ZÀ-ÖØ-Þ]")


def partnership_card(stage: str, *, ready: bool, history: bool, role="member", members=1):
    summary = PartnershipSummary(
        id=1,
        name="Rénovation énergétique 93",
        our_organisation="Les Compagnons du 93",
        partner_name="ÉnerBat SAS",
        theme="Rénovation énergétique",
        territory="Seine-Saint-Denis",
        stage=stage,
        revision=1,
        role=role,
        rights=RIGHTS[role],
    )
    moved = (StageChange(stage, datetime(2027, 3, 12, 9, tzinfo=UTC)),) if history else ()
    return PartnershipCard(summary, members, moved, ("advance",), ready=ready)


def every_card_screen(language: str):
    for stage in STAGES:
        for ready in (False, True):
            for history in (False, True):
                card = partnership_card(stage, ready=ready, history=history)
                yield stage, plain(card_screen(card, language, ZONE).text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_sentence_of_a_partnership_card_runs_into_the_next(language):
    for stage, text in every_card_screen(language):
        assert not GLUED.search(text), (stage, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_next_step_and_the_work_done_are_two_lines(language):
    _ = gettext_for(language)
    card = partnership_card("dialogue", ready=True, history=False)
    lines = plain(card_screen(card, language, ZONE).text).splitlines()
    assert lines[-2].startswith(_("Next:")) and lines[-2].endswith(".")
    assert lines[-1] == _("This step's work is done: “Next step →” moves the partnership on.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_checklist_card_runs_two_sentences_together(language):
    for card in load_knowledge_base().cards():
        assert not GLUED.search(plain(card_text(card, language))), card.id


@pytest.mark.parametrize(
    ("language", "members", "role", "expected"),
    [
        ("fr", 1, "member", "1 membre · votre rôle : membre"),
        ("fr", 3, "partner", "3 membres · votre rôle : contact partenaire"),
        ("en", 1, "member", "1 member · your role: member"),
        ("en", 2, "observer", "2 members · your role: observer"),
    ],
)
def test_the_card_tells_the_member_count_apart_from_the_readers_role(
    language, members, role, expected
):
    card = partnership_card("content", ready=False, history=False, role=role, members=members)
    assert expected in plain(card_screen(card, language, ZONE).text).splitlines()


def every_question_screen(language: str):
    for spec in QUESTIONNAIRES:
        questionnaire = load(spec)
        for question in questionnaire.questions:
            shown = QuestionShown(1, questionnaire.title, question, 1, len(questionnaire.questions))
            yield question.id, plain(question_screen(shown, language).text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_question_screen_says_the_same_thing_twice(language):
    for question_id, text in every_question_screen(language):
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) == len(set(lines)), (question_id, text)
        # The 1-to-5 scale is explained once: by the prompt, or by the hint under it.
        scale_lines = [line for line in lines if re.search(r"\b1\b.*\b5\b", line)]
        assert len(scale_lines) <= 1, (question_id, text)


def test_a_rating_whose_prompt_names_its_scale_still_says_how_to_answer():
    texts = dict(every_question_screen("en"))
    assert "(1: hardly any, 5: all)" in texts["actions_done"]
    assert texts["actions_done"].splitlines()[-1].startswith("Tap a score, or type it")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_ended_partnership_stays_at_the_last_of_the_seven_steps(language):
    text = plain(
        card_screen(partnership_card("ended", ready=False, history=True), language, ZONE).text
    )
    assert "8/7" not in text and "7/7" in text


def test_once_the_followup_is_set_the_card_no_longer_sends_back_to_it():
    text = plain(
        card_screen(partnership_card("implementation", ready=True, history=False), "fr", ZONE).text
    )
    assert "/suivi" not in text and "points d’étape" in text
    unset = partnership_card("implementation", ready=False, history=False)
    assert "/suivi" in plain(card_screen(unset, "fr", ZONE).text)
