"""Validation of every knowledge file, reported as a list of readable problems."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from knowledge.loader import DATA_DIR, KnowledgeError, load_synonyms, parse
from knowledge.models import (
    ConventionChecklist,
    Dialogue,
    KnowledgeBase,
    Method,
    Questionnaire,
    Topic,
)

# The data files that are not questionnaires; every other top-level file is one.
NOT_QUESTIONNAIRES = ("method", "convention", "dialogue", "synonyms")
PERCENTAGE = re.compile(r"\d\s?%")
YEAR = re.compile(r"\b(19|20)\d{2}\b")


def check(data_dir: Path = DATA_DIR) -> list[str]:
    """Every problem found: schema, ids, translations, cross-references, sources."""
    problems: list[str] = []
    for path in sorted(data_dir.glob("*.yaml")):
        if path.stem not in NOT_QUESTIONNAIRES:
            problems += _try(lambda path=path: parse(Questionnaire, path))
    problems += _try(lambda: parse(Method, data_dir / "method.yaml"))
    problems += _try(lambda: parse(ConventionChecklist, data_dir / "convention.yaml"))
    problems += _try(lambda: parse(Dialogue, data_dir / "dialogue.yaml"))
    topics: list[Topic] = []
    card_files = sorted((data_dir / "cards").glob("*.yaml"))
    if not card_files:
        problems.append("cards: no card file in cards/")
    for path in card_files:
        problems += _topic_problems(path, topics)
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
    return problems


def _topic_problems(path: Path, topics: list[Topic]) -> list[str]:
    """Loads one card file into `topics`, then checks what the schema cannot."""
    try:
        topic = parse(Topic, path)
    except KnowledgeError as error:
        return [str(error)]
    topics.append(topic)
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


def _try(load) -> list[str]:
    try:
        load()
    except KnowledgeError as error:
        return [str(error)]
    return []
