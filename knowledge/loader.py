"""Reads the YAML files of `knowledge/data` into validated models, once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.models import Method, Questionnaire

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
        raise KnowledgeError(f"{path.name}: {error}") from error


@cache
def load_questionnaire(questionnaire_id: str, data_dir: Path = DATA_DIR) -> Questionnaire:
    return parse(Questionnaire, data_dir / f"{questionnaire_id}.yaml")


@cache
def load_method(data_dir: Path = DATA_DIR) -> Method:
    return parse(Method, data_dir / "method.yaml")
