"""Reads the YAML files of `knowledge/data` into validated models, once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.models import (
    ConventionChecklist,
    Dialogue,
    Glossary,
    HealthRules,
    KnowledgeBase,
    Method,
    Questionnaire,
    Topic,
)

DATA_DIR = Path(__file__).with_name("data")


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or invalid; the message says where."""


def read_yaml(path: Path) -> dict:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeError(f"{path.name}: cannot read: {error}") from error
    if not isinstance(content, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping at the top level")
    return content


def parse(model: type, path: Path):
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as error:
        raise KnowledgeError(describe(path.name, error)) from error


def describe(name: str, error: ValidationError) -> str:
    """One line per problem: the file, where in it, what is wrong."""
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "top level"
        lines.append(f"{name}: {where}: {problem['msg']}")
    return "\n".join(lines)


@cache
def load_questionnaire(questionnaire_id: str, data_dir: Path = DATA_DIR) -> Questionnaire:
    return parse(Questionnaire, data_dir / f"{questionnaire_id}.yaml")


@cache
def load_method(data_dir: Path = DATA_DIR) -> Method:
    return parse(Method, data_dir / "method.yaml")


def load_topics(data_dir: Path = DATA_DIR) -> list[Topic]:
    """Every `cards/*.yaml` file as a topic; a broken file raises, naming it."""
    return [parse(Topic, path) for path in sorted((data_dir / "cards").glob("*.yaml"))]


def load_synonyms(data_dir: Path = DATA_DIR) -> tuple[tuple[str, ...], ...]:
    path = data_dir / "synonyms.yaml"
    groups = read_yaml(path).get("groups") if path.exists() else []
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise KnowledgeError(f"{path.name}: `groups` must be a list of lists of words")
    return tuple(tuple(str(word) for word in group) for group in groups)


@cache
def load_knowledge_base(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    topics = load_topics(data_dir)
    try:
        return KnowledgeBase(topics=tuple(topics), synonyms=load_synonyms(data_dir))
    except ValidationError as error:
        raise KnowledgeError(f"cards: {error}") from error


@cache
def load_convention_checklist(data_dir: Path = DATA_DIR) -> ConventionChecklist:
    return parse(ConventionChecklist, data_dir / "convention.yaml")


@cache
def load_dialogue(data_dir: Path = DATA_DIR) -> Dialogue:
    return parse(Dialogue, data_dir / "dialogue.yaml")


@cache
def load_glossary(data_dir: Path = DATA_DIR) -> Glossary:
    return parse(Glossary, data_dir / "glossary.yaml")


@cache
def load_health_rules(data_dir: Path = DATA_DIR) -> HealthRules:
    """The thresholds and signals of a partnership's health (health.yaml)."""
    return parse(HealthRules, data_dir / "health.yaml")
