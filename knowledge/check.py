"""Validation of every knowledge file, reported as a list of readable problems."""

from __future__ import annotations

from pathlib import Path

from knowledge.loader import DATA_DIR, KnowledgeError, parse
from knowledge.models import Method, Questionnaire

QUESTIONNAIRES = ("diagnostic",)


def check(data_dir: Path = DATA_DIR) -> list[str]:
    problems: list[str] = []
    for name in QUESTIONNAIRES:
        problems += _try(Questionnaire, data_dir / f"{name}.yaml")
    problems += _try(Method, data_dir / "method.yaml")
    return problems


def _try(model: type, path: Path) -> list[str]:
    try:
        parse(model, path)
    except KnowledgeError as error:
        return [str(error)]
    return []
