"""Validation of every knowledge file, reported as a list of readable problems."""

from __future__ import annotations

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

QUESTIONNAIRES = ("diagnostic", "new_partnership", "criteria", "followup", "note")


def check(data_dir: Path = DATA_DIR) -> list[str]:
    """Every problem found: schema, ids, translations, cross-references, sources."""
    problems: list[str] = []
    for name in QUESTIONNAIRES:
        problems += _try(lambda name=name: parse(Questionnaire, data_dir / f"{name}.yaml"))
    problems += _try(lambda: parse(Method, data_dir / "method.yaml"))
    problems += _try(lambda: parse(ConventionChecklist, data_dir / "convention.yaml"))
    problems += _try(lambda: parse(Dialogue, data_dir / "dialogue.yaml"))
    topics: list[Topic] = []
    card_files = sorted((data_dir / "cards").glob("*.yaml"))
    if not card_files:
        problems.append("cards: no card file in cards/")
    for path in card_files:
        problems += _try(lambda path=path: topics.append(parse(Topic, path)))
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


def _try(load) -> list[str]:
    try:
        load()
    except KnowledgeError as error:
        return [str(error)]
    return []
