"""The diagnosis result: one Telegram message that says why and cites the guide."""

from itertools import combinations

import pytest

from bot.services.results import DiagnosisShown
from bot.views.questions import diagnosis_screen
from bot.views.screens import plain
from bot.views.splitting import visible_length
from flows.diagnostic import diagnose
from knowledge import load_method, load_questionnaire

OBJECTIVE_QUESTIONS = {
    "company": "objectives_company",
    "association": "objectives_general",
    "academic": "objectives_general",
    "local_authority": "objectives_public",
}


def options(questionnaire, question_id: str) -> list[str]:
    return [option.id for option in questionnaire.question(question_id).options]


def maximal_answers(
    questionnaire, profile: str, objectives: tuple[str, ...], exchange: str = "both"
) -> dict:
    """Everything ticked, every readiness reason and brake raised: the longest result."""
    families = options(questionnaire, "fragility_families")
    return {
        "profile": profile,
        "territory": "intercommunal",
        OBJECTIVE_QUESTIONS[profile]: list(objectives),
        "exchange": exchange,
        "fragility_families": families,
        **{f"fragility_{f}": options(questionnaire, f"fragility_{f}") for f in families},
        "shared_stakes": options(questionnaire, "shared_stakes"),
        "expectations": "x" * 1000,
        "contribution": "y" * 1000,
        "articulation": "not_yet",
        "needs_outside": "partly",
        "bandwidth": "partly",
        "admin_burden": "no",
        "resources": options(questionnaire, "resources"),
        "hours_per_month": 1,
        "partner_knowledge": 1,
        "start_date": None,
    }


def screen_text(answers: dict, language: str) -> str:
    questionnaire, method = load_questionnaire("diagnostic"), load_method()
    diagnosis = diagnose(questionnaire, method, answers)
    shown = DiagnosisShown(questionnaire, method, diagnosis, answers)
    return diagnosis_screen(shown, language).text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_longest_diagnosis_fits_one_telegram_message(language):
    questionnaire = load_questionnaire("diagnostic")
    longest = 0
    for profile, question_id in OBJECTIVE_QUESTIONS.items():
        for pair in combinations(options(questionnaire, question_id), 2):
            answers = maximal_answers(questionnaire, profile, pair)
            longest = max(longest, visible_length(screen_text(answers, language)))
    assert longest <= 4096


def test_a_company_sees_its_objective_the_dimension_and_the_source():
    questionnaire = load_questionnaire("diagnostic")
    answers = maximal_answers(questionnaire, "company", ("performance",), "joint_offer")
    text = plain(screen_text(answers, "fr"))
    assert "Coopération économique" in text
    assert "Gagner en performance économique" in text
    assert "modèle socio-économique" in text
    assert "carré magique des entreprises" in text
    assert "Mécénat" not in text.split("Maturité")[0]


def test_a_local_authority_sees_types_and_roles_each_marked_as_ours():
    questionnaire = load_questionnaire("diagnostic")
    answers = maximal_answers(questionnaire, "local_authority", ("development",), "joint_offer")
    text = plain(screen_text(answers, "en"))
    head = text.split("Readiness")[0]
    types, roles = head.split("Suggested role")
    assert "Economic cooperation" in types
    assert "Develop the local economy" in types
    assert "(our reading*)" in types
    assert "the tie is our reading" in types
    assert "Partner in public–private alliances" in roles
    assert "our advice, not the guide's" in roles
    assert "le territoire, facilitateur des actions partenariales" in roles


def test_an_association_sees_the_gift_that_makes_its_type():
    questionnaire = load_questionnaire("diagnostic")
    answers = maximal_answers(questionnaire, "association", ("funding",), "gift")
    head = plain(screen_text(answers, "fr")).split("Maturité")[0]
    assert "Mécénat" in head
    assert "Diversifier vos financements" in head
    assert "Un soutien sans contrepartie" in head
    assert "Coopération économique" not in head
    assert "notre lecture" not in head


def test_an_academic_actor_reads_that_its_questions_are_our_choice():
    questionnaire = load_questionnaire("diagnostic")
    answers = maximal_answers(questionnaire, "academic", ("innovation",))
    assert "(notre choix)" in plain(screen_text(answers, "fr")).split("Maturité")[0]
    assert "(our choice)" in plain(screen_text(answers, "en")).split("Readiness")[0]
