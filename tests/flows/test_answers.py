"""Answer parsing for each kind of question."""

import pytest

from flows.answers import Invalid, parse_answer
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


def test_text_is_trimmed_and_bounded():
    free = question("text", max_length=10)
    assert parse_answer(free, "  ok ") == "ok"
    assert parse_answer(free, "   ").reason == "empty_text"
    assert parse_answer(free, "x" * 11).reason == "text_too_long"


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", "12 heures"])
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
