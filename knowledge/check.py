"""Validation of every knowledge file, reported as a list of readable problems."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ValidationError

from knowledge.figures import SEEDS_DIR, unsourced
from knowledge.loader import DATA_DIR, KnowledgeError, load_synonyms, parse
from knowledge.models import (
    SEED_FILES,
    ConventionChecklist,
    Dialogue,
    Glossary,
    HealthRules,
    KnowledgeBase,
    Method,
    Questionnaire,
    Topic,
)

# The data files that are not questionnaires; every other top-level file is one.
NOT_QUESTIONNAIRES = ("method", "convention", "dialogue", "synonyms", "glossary", "health")
PERCENTAGE = re.compile(r"\d\s?%")
YEAR = re.compile(r"\b(19|20)\d{2}\b")


def check(data_dir: Path = DATA_DIR, seeds_dir: Path | None = SEEDS_DIR) -> list[str]:
    """Every problem found: schema, ids, translations, cross-references, sources, and (when
    `seeds_dir` holds the seeds) every figure stated without a source or an "ours" mark."""
    problems: list[str] = []
    loaded: list[tuple[str, BaseModel]] = []
    for path in sorted(data_dir.glob("*.yaml")):
        if path.stem not in NOT_QUESTIONNAIRES:
            problems += _try(Questionnaire, path, loaded)
    problems += _try(Method, data_dir / "method.yaml", loaded)
    problems += _try(ConventionChecklist, data_dir / "convention.yaml", loaded)
    problems += _try(Dialogue, data_dir / "dialogue.yaml", loaded)
    problems += _try(Glossary, data_dir / "glossary.yaml", loaded)
    problems += _try(HealthRules, data_dir / "health.yaml", loaded)
    topics: list[Topic] = []
    card_files = sorted((data_dir / "cards").glob("*.yaml"))
    if not card_files:
        problems.append("cards: no card file in cards/")
    for path in card_files:
        problems += _topic_problems(path, topics, loaded)
    synonyms: tuple = ()
    try:
        synonyms = load_synonyms(data_dir)
    except KnowledgeError as error:
        problems.append(str(error))
    if topics and not problems:
        try:
            KnowledgeBase(topics=tuple(topics), synonyms=synonyms)
        except ValidationError as error:
            problems += [f"cards: {e['msg']}" for e in error.errors()]
    if seeds_dir is not None and seeds_present(seeds_dir):
        for file_name, model in loaded:
            problems += unsourced(file_name, model, seeds_dir)
    return problems


def _topic_problems(path: Path, topics: list[Topic], loaded: list) -> list[str]:
    """Loads one card file into `topics`, then checks what the schema cannot."""
    try:
        topic = parse(Topic, path)
    except KnowledgeError as error:
        return [str(error)]
    topics.append(topic)
    loaded.append((path.name, topic))
    return _undated_figures(path.name, topic)


def _undated_figures(file_name: str, topic: Topic) -> list[str]:
    """A percentage is only as good as its study: each must say the year it was measured."""
    problems = []
    for card in topic.cards:
        texts = [card.intro, *card.points, *card.our_advice]
        for text in (t for t in texts if t is not None):
            for language in ("fr", "en"):
                line = text.in_(language)
                if PERCENTAGE.search(line) and not YEAR.search(line):
                    problems.append(f"{file_name}: {card.id}: a percentage with no year: {line}")
    return problems


def _try(model: type[BaseModel], path: Path, loaded: list) -> list[str]:
    """Loads one file into `loaded` (with its name), or says why it cannot."""
    try:
        loaded.append((path.name, parse(model, path)))
    except KnowledgeError as error:
        return [str(error)]
    return []


def seeds_present(seeds_dir: Path) -> bool:
    """Whether the seeds' texts are there to hold the figures to (they live beside the
    project, not in it)."""
    return all((seeds_dir / name).is_file() for name in SEED_FILES.values())
