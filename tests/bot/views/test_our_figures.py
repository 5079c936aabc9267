"""Figures of ours read as ours: the hours minimum, the score out of 100 and the red flag."""

from zoneinfo import ZoneInfo

import pytest

from bot.services.results import CandidatesShown, DiagnosisShown, PartnershipSummary
from bot.views import Presenter
from flows.criteria import candidate_entry, ranked_entries
from flows.diagnostic import diagnose
from knowledge import load_method, load_questionnaire

OURS = {"fr": "notre conseil", "en": "our advice"}


def diagnosis_text(hours: int, language: str) -> str:
    questionnaire, method = load_questionnaire("diagnostic"), load_method()
    answers = {"profile": "association", "territory": "intercommunal", "hours_per_month": hours}
    shown = DiagnosisShown(questionnaire, method, diagnose(questionnaire, method, answers), answers)
    return Presenter(ZoneInfo("Europe/Paris"), invitation_link=str).screen(shown, language).text


@pytest.mark.parametrize(
    ("language", "minimum", "brake"),
    [
        ("fr", "Sous 4 heures par mois", "prévoyez au moins 4 heures par mois"),
        ("en", "Under 4 hours a month", "plan at least 4 hours a month"),
    ],
)
def test_the_hours_minimum_is_stated_as_our_advice(language, minimum, brake):
    text = diagnosis_text(2, language)
    lines = [line for line in text.splitlines() if minimum in line or brake in line]
    assert len(lines) == 2, text
    assert all(OURS[language] in line for line in lines), lines


def test_enough_hours_bring_no_mention_of_the_minimum():
    assert "4 heures" not in diagnosis_text(10, "fr")


def candidates_text(language: str) -> str:
    criteria = load_questionnaire("criteria")
    answers = {
        "candidate_name": "Fragile SA",
        "candidate_profile": "economic",
        **{q: 4 for q in ("ec_trust", "ec_equality", "ec_long_term", "ec_leadership")},
        **{q: 4 for q in ("ec_values", "values_alignment", "value_exchange", "power_balance")},
        "ec_trust": 2,
        "guard_rails": "yes",
    }
    summary = PartnershipSummary(1, "P", "Ours", None, None, None, "partner_choice", 0, "owner")
    ranked = tuple(ranked_entries([candidate_entry(criteria, answers)]))
    shown = CandidatesShown(summary, ranked, criteria)
    return Presenter(ZoneInfo("Europe/Paris"), invitation_link=str).screen(shown, language).text


@pytest.mark.parametrize(
    ("language", "score", "flag", "footnote"),
    [
        ("fr", "/100", "Confiance : 2/5", "Score sur 100 (moyenne de vos notes de 1 à 5) et "
         "signal d’alerte à 2/5 ou moins : notre conseil, pas celui du guide"),
        ("en", "/100", "Trust: 2/5", "Score out of 100 (the mean of your 1-5 answers) and red "
         "flag at 2/5 or below: our advice, not the guide's"),
    ],
)  # fmt: skip
def test_the_score_and_the_red_flag_threshold_are_marked_as_ours(language, score, flag, footnote):
    text = candidates_text(language)
    assert score in text and flag in text
    assert footnote in text, text
