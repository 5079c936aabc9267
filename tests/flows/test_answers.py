"""Answer parsing for each kind of question."""

from datetime import date
from pathlib import Path

import pytest

from flows.answers import (
    Invalid,
    Overflow,
    language_named,
    navigation,
    parse_answer,
    split_text,
)
from knowledge import load_questionnaire
from knowledge.models import Question
from knowledge.text import normalise

SOURCE = {"seed": "001", "section": "test"}


def question(kind, **extra):
    return Question.model_validate(
        {"id": "q", "kind": kind, "prompt": {"fr": "?", "en": "?"}, "source": SOURCE, **extra}
    )


def test_normalise_drops_accents_case_and_punctuation():
    assert normalise("  Coopération  Économique ! ") == "cooperation economique"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("15/03/2027", "2027-03-15"), ("2027-03-15", "2027-03-15"), ("1.2.2030", "2030-02-01")],
)
def test_dates(raw, expected):
    assert parse_answer(question("date"), raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2027", "demain", "2027/15/01", ""])
def test_bad_dates(raw):
    assert parse_answer(question("date"), raw) == Invalid("not_a_date")


def test_scale_accepts_only_whole_values_in_range():
    scale = question("scale", minimum=1, maximum=5)
    assert parse_answer(scale, " 4 ") == 4
    assert isinstance(parse_answer(scale, "6"), Invalid)
    assert isinstance(parse_answer(scale, "2.5"), Invalid)


def test_text_is_trimmed_and_an_empty_one_refused():
    free = question("text", max_length=10)
    assert parse_answer(free, "  ok ") == "ok"
    assert parse_answer(free, "   ").reason == "empty_text"


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", "douze", "12 chats", "10h 2", ""])
def test_numbers_refuse_what_is_not_a_finite_number(raw):
    assert parse_answer(question("number"), raw).reason == "not_a_number"


def test_a_rating_takes_a_score_and_what_is_typed_after_it_as_a_comment():
    from flows.answers import Invalid, parse_answer
    from knowledge.models import Question

    rating = Question.model_validate(
        {
            "id": "performance",
            "kind": "rating",
            "minimum": 1,
            "maximum": 5,
            "prompt": {"fr": "Résultats ?", "en": "Results?"},
            "source": {"seed": "001", "section": "test"},
        }
    )
    assert parse_answer(rating, "4") == {"score": 4, "comment": None}
    assert parse_answer(rating, "2 – réunions trop rares") == {
        "score": 2,
        "comment": "réunions trop rares",
    }
    assert parse_answer(rating, " 5: parfait ") == {"score": 5, "comment": "parfait"}
    assert isinstance(parse_answer(rating, "7 trop"), Invalid)
    assert isinstance(parse_answer(rating, "bien"), Invalid)


# -- issue 16, defect 8: inputs refused or lost ------------------------------------------------

TODAY = date(2026, 6, 10)


def real(questionnaire: str, question_id: str) -> Question:
    return load_questionnaire(questionnaire).question(question_id)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10h", 10),
        ("10 h", 10),
        ("10 heures", 10),
        ("12 hours", 12),
        ("environ 12 h par mois", 12),
        ("10h30", 10.5),
        ("7,5 h", 7.5),
        ("3 jours", 3),
        ("20 %", 20),
        ("1 500 €", 1500),
        ("200 euros", 200),
    ],
)
def test_a_number_is_read_with_its_unit(raw, expected):
    assert parse_answer(question("number"), raw) == expected


def test_hours_a_month_typed_with_their_unit_are_accepted():
    hours = real("diagnostic", "hours_per_month")
    assert parse_answer(hours, "10h") == 10
    assert parse_answer(hours, "800 h").reason == "out_of_range"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1/9/26", "2026-09-01"),
        ("01/09/2026", "2026-09-01"),
        ("septembre 2026", "2026-09-01"),
        ("Septembre 2026", "2026-09-01"),
        ("1er septembre 2026", "2026-09-01"),
        ("le 15 mars 2027", "2027-03-15"),
        ("15 déc. 2026", "2026-12-15"),
        ("1 août 2026", "2026-08-01"),
        ("September 2026", "2026-09-01"),
        ("September 1, 2026", "2026-09-01"),
        ("1st September 2026", "2026-09-01"),
        ("15/07", "2026-07-15"),
        ("sept 26", "2026-09-26"),
    ],
)
def test_dates_as_people_type_them(raw, expected):
    assert parse_answer(question("date"), raw, today=TODAY) == expected


def test_a_date_without_its_year_takes_the_year_of_today_passed_in():
    assert parse_answer(question("date"), "15/03", today=date(2030, 1, 1)) == "2030-03-15"
    # Without a today, the year cannot be guessed (flows never read the clock).
    assert parse_answer(question("date"), "15/03") == Invalid("not_a_date")


def test_a_date_to_come_refuses_a_past_date_kindly():
    start = real("diagnostic", "start_date")
    end = real("followup", "end_date")
    for future_event in (start, end):
        assert parse_answer(future_event, "1/1/2026", today=TODAY) == Invalid("date_in_past")
        assert parse_answer(future_event, "10/06/2026", today=TODAY) == "2026-06-10"
        assert parse_answer(future_event, "septembre 2026", today=TODAY) == "2026-09-01"
    # "15/03" typed in June for a start to come is next March.
    assert parse_answer(start, "15/03", today=TODAY) == "2027-03-15"
    # The signature may well be past.
    signed = real("followup", "signature_date")
    assert parse_answer(signed, "1/1/2026", today=TODAY) == "2026-01-01"


def test_a_long_note_is_kept_whole_in_notes_that_follow_each_other():
    note = real("note", "text")
    paragraph = "Point {} : la maîtrise d’œuvre relance le bailleur et fixe la visite. " * 6
    text = "\n\n".join(paragraph.format(*[n] * 6).strip() for n in range(7))
    assert len(text) > note.max_length
    kept = parse_answer(note, text)
    assert isinstance(kept, Overflow)
    assert kept.value == text and kept.rest == "" and kept.parts == 2
    parts = split_text(text, note.max_length)
    assert all(len(part) <= note.max_length for part in parts)
    # Nothing lost, cut between paragraphs.
    assert "\n\n".join(parts) == text


def test_a_too_long_answer_keeps_its_beginning_and_gives_the_rest_back():
    referent = real("followup", "referent_ours")
    text = "Mme Dupont, chargée de mission. " * 10
    kept = parse_answer(referent, text)
    assert isinstance(kept, Overflow)
    assert len(kept.value) <= referent.max_length
    assert kept.value.endswith("mission.")
    assert f"{kept.value} {kept.rest}" == text.strip()


@pytest.mark.parametrize(
    ("typed", "move"),
    [
        ("✓ Garder", "keep"),
        ("Garder", "keep"),
        ("garder ✓", "keep"),
        ("Keep", "keep"),
        ("=", "keep"),
        ("⏭ Passer", "skip"),
        ("passer", "skip"),
        ("Skip", "skip"),
        ("← Retour", "back"),
        ("Back", "back"),
        ("Pourquoi ?", "why"),
        ("Mme Garder", None),
        ("Passer le relais à Karim", None),
    ],
)
def test_a_navigation_button_label_typed_is_recognised(typed, move):
    assert navigation(typed) == move


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("English", "en"),
        ("anglais", "en"),
        ("🇬🇧 English", "en"),
        ("en", "en"),
        ("Français", "fr"),
        ("francais", "fr"),
        ("French", "fr"),
        ("fr", "fr"),
        ("Frenchie", None),
    ],
)
def test_a_language_named_in_words(typed, language):
    assert language_named(typed) == language


@pytest.mark.parametrize(
    ("questionnaire", "question_id", "typed", "expected"),
    [
        ("criteria", "candidate_profile", "acteur économique", "economic"),
        ("criteria", "candidate_profile", "acteur economique", "economic"),
        ("criteria", "candidate_profile", "intérêt général", "general_interest"),
        ("followup", "frequency", "semestre", "half_yearly"),
        ("followup", "frequency", "tous les semestres", "half_yearly"),
        ("followup", "frequency", "semestriel", "half_yearly"),
        ("followup", "frequency", "trimestriel", "quarterly"),
        ("followup", "frequency", "six months", "half_yearly"),
        ("diagnostic", "profile", "entreprize", "company"),
        ("diagnostic", "profile", "asociation", "association"),
        ("diagnostic", "profile", "collectivité", "local_authority"),
    ],
)
def test_a_close_label_that_names_one_option_is_accepted(
    questionnaire, question_id, typed, expected
):
    assert parse_answer(real(questionnaire, question_id), typed) == expected


def test_a_close_label_that_fits_several_options_is_refused_naming_them():
    refused = parse_answer(real("followup", "frequency"), "chaque")
    assert refused == Invalid("ambiguous_option", {"choices": ("quarterly", "half_yearly")})
    assert parse_answer(real("followup", "frequency"), "hebdomadaire").reason == "unknown_option"


def test_every_option_of_every_questionnaire_is_found_by_its_own_label():
    for path in sorted(Path("knowledge/data").glob("*.yaml")):
        try:
            questionnaire = load_questionnaire(path.stem)
        except Exception:  # not a questionnaire (the method, the cards...)
            continue
        for asked in questionnaire.questions:
            for option in asked.options:
                for label in (option.label.fr, option.label.en):
                    found = parse_answer(asked, label)
                    assert found in (option.id, [option.id]), (path.stem, asked.id, label)


def test_typed_choices_keep_working_in_pieces():
    several = question(
        "multiple",
        options=[
            {"id": "town", "label": {"fr": "Commune", "en": "Town"}},
            {"id": "region", "label": {"fr": "Région", "en": "Region"}},
            {"id": "dept", "label": {"fr": "Département", "en": "Department"}},
        ],
    )
    assert parse_answer(several, "1 3") == ["town", "dept"]
    assert parse_answer(several, "Région, département") == ["region", "dept"]
    assert parse_answer(several, "region departement") == ["region", "dept"]
