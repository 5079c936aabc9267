"""`alliance knowledge check`: passes on the real files, names the problem on a broken one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge.check import check, seeds_present
from knowledge.figures import SEEDS_DIR, figures
from knowledge.loader import DATA_DIR


@pytest.fixture
def data_copy(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def edit_card(data_dir: Path, change) -> None:
    path = data_dir / "cards" / "convention.yaml"
    topic = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(topic["cards"][0])
    path.write_text(yaml.safe_dump(topic, allow_unicode=True), encoding="utf-8")


def test_the_real_knowledge_files_are_valid():
    assert check() == []


def test_the_command_passes_on_the_real_files():
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "knowledge", "check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_a_missing_english_text_is_reported(data_copy):
    edit_card(data_copy, lambda card: card["title"].pop("en"))
    problems = check(data_copy)
    assert any("convention.yaml" in p and "title.en" in p for p in problems), problems


def test_an_unknown_seed_is_reported(data_copy):
    edit_card(data_copy, lambda card: card["sources"][0].update(seed="009"))
    assert any("unknown seed '009'" in p for p in check(data_copy))


def test_a_related_card_that_does_not_exist_is_reported(data_copy):
    edit_card(data_copy, lambda card: card.update(related=["no_such_card"]))
    assert any("no_such_card" in p for p in check(data_copy))


def test_a_duplicate_card_id_is_reported(data_copy):
    edit_card(data_copy, lambda card: card.update(id="steps_overview"))
    assert any("steps_overview" in p and "twice" in p for p in check(data_copy))


def test_broken_yaml_is_reported_with_its_file(data_copy):
    (data_copy / "cards" / "risks.yaml").write_text("id: [unclosed", encoding="utf-8")
    assert any(p.startswith("risks.yaml: cannot read") for p in check(data_copy))


def test_the_command_fails_with_a_clear_message(data_copy, monkeypatch):
    edit_card(data_copy, lambda card: card.update(related=["no_such_card"]))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "knowledge", "check", "--data", str(data_copy)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "no_such_card" in result.stderr
    assert "1 problem(s)" in result.stderr


def edit_topic(data_dir: Path, change) -> None:
    path = data_dir / "cards" / "figures.yaml"
    topic = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(topic)
    path.write_text(yaml.safe_dump(topic, allow_unicode=True), encoding="utf-8")


def test_a_percentage_without_its_year_is_reported(data_copy):
    undated = {"fr": "84 % des associations lancent leurs partenariats", "en": "84% start them"}
    edit_topic(data_copy, lambda topic: topic["cards"][0]["points"].append(undated))
    problems = check(data_copy)
    assert any("figures.yaml" in p and "no year" in p and "84 %" in p for p in problems), problems


def test_a_topic_must_declare_the_words_that_name_it(data_copy):
    edit_topic(data_copy, lambda topic: topic["keywords"].update(en=[]))
    assert any("figures.yaml" in p and "keywords naming it" in p for p in check(data_copy))


def test_an_overview_is_built_not_written(data_copy):
    edit_topic(data_copy, lambda topic: topic["cards"][0].update(id="overview_figures"))
    assert any("overviews are built" in p for p in check(data_copy))


# -- figures: each one stated by a seed the entry cites, or marked as ours ----------------

needs_seeds = pytest.mark.skipif(
    not seeds_present(SEEDS_DIR),
    reason=f"figures not checked against the guides: their texts are not in {SEEDS_DIR}",
)


def add_card(data_dir: Path, point: dict, seed: str = "001", **more) -> None:
    """A card of our making in figures.yaml, citing one seed."""
    card = {
        "id": "crafted_card",
        "title": {"fr": "Carte d’essai", "en": "Test card"},
        "points": [point],
        "sources": [{"seed": seed, "section": "Étape 5 – formaliser le partenariat"}],
        **more,
    }
    edit_topic(data_dir, lambda topic: topic["cards"].append(card))


SIX_WEEKS = {
    "fr": "Faire un premier bilan après 6 semaines",
    "en": "Hold a first review after 6 weeks",
}


@needs_seeds
def test_a_figure_no_cited_seed_states_is_reported_in_both_languages(data_copy):
    # 001 states "6" many times, never "6 semaines": the unit is part of the figure.
    add_card(data_copy, SIX_WEEKS)
    problems = check(data_copy)
    assert problems == [
        "figures.yaml: crafted_card.points: figure 6 semaines not in the cited sources "
        "and not marked as ours (fr)",
        "figures.yaml: crafted_card.points: figure 6 weeks not in the cited sources "
        "and not marked as ours (en)",
    ]


@needs_seeds
def test_a_figure_passes_only_when_a_seed_the_entry_cites_states_it(data_copy):
    # The guide of 2023 (001) gives 6 to 9 months to signing; the article 004 does not.
    timing = {"fr": "Compter 6 à 9 mois jusqu’à la signature", "en": "Allow 6-9 months to sign"}
    add_card(data_copy, timing, seed="004")
    assert any("crafted_card" in p and "6 à 9 mois" in p for p in check(data_copy))
    edit_topic(data_copy, lambda topic: topic["cards"][-1]["sources"][0].update(seed="001"))
    assert check(data_copy) == []


@needs_seeds
def test_a_figure_marked_as_ours_where_the_reader_sees_it_passes(data_copy):
    marked = {
        "fr": "Faire un premier bilan après 6 semaines (notre conseil)",
        "en": "Hold a first review after 6 weeks (our advice)",
    }
    add_card(data_copy, marked)
    assert check(data_copy) == []


@needs_seeds
def test_a_mark_in_one_language_does_not_excuse_the_other(data_copy):
    half = {"fr": "Faire un premier bilan après 6 semaines (notre conseil)", "en": SIX_WEEKS["en"]}
    add_card(data_copy, half)
    assert [p[-4:] for p in check(data_copy)] == ["(en)"]


@needs_seeds
def test_a_figure_in_a_cards_own_advice_passes(data_copy):
    point = {"fr": "Faire un premier bilan", "en": "Hold a first review"}
    add_card(data_copy, point, our_advice=[SIX_WEEKS])
    assert check(data_copy) == []


@needs_seeds
def test_a_question_is_held_to_its_own_source(data_copy):
    path = data_copy / "criteria.yaml"
    questionnaire = yaml.safe_load(path.read_text(encoding="utf-8"))
    question = next(q for q in questionnaire["questions"] if q["id"] == "values_alignment")
    question["help"] = {
        "fr": "80 % des partenariats qui échouent manquaient de valeurs communes.",
        "en": "80% of failed partnerships lacked shared values.",
    }
    path.write_text(yaml.safe_dump(questionnaire, allow_unicode=True), encoding="utf-8")
    problems = check(data_copy)
    assert (
        "criteria.yaml: values_alignment.help: figure 80 % not in the cited sources" in problems[0]
    )
    assert len(problems) == 2


@needs_seeds
def test_the_command_fails_on_an_unsourced_figure(data_copy):
    add_card(data_copy, SIX_WEEKS)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "knowledge", "check", "--data", str(data_copy)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "crafted_card.points: figure 6 semaines not in the cited sources" in result.stderr


def test_without_the_seeds_the_command_says_the_figures_went_unchecked(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "knowledge", "check", "--seeds", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"Figures not checked against the guides: their texts are not in {tmp_path}" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("plus de 1 000 partenariats", "over 1,000 partnerships"),
        ("environ 1.000 organisations", "about 1000 organisations"),
        ("entre 6 et 9 mois", "6–9 months"),
        ("à 20/30 ans", "a 20-30 year project"),
        ("2,5 fois plus", "2.5 times more"),
    ],
)
def test_a_figure_is_the_same_whatever_its_spaces_commas_or_language(text, same_as):
    assert [f for f, _ in figures(text)] == [f for f, _ in figures(same_as)]


def test_a_name_starting_with_digits_is_no_figure():
    assert figures("la loi 3DS") == []
    assert [f.unit for f, _ in figures("4h par mois, la 4e question")] == ["hour", "ordinal"]
