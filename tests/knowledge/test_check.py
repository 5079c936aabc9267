"""`alliance knowledge check`: passes on the real files, names the problem on a broken one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge.check import check
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
