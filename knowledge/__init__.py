"""The faire-alliance method as validated data, loaded once per process."""

from knowledge.loader import load_method, load_questionnaire
from knowledge.models import (
    LANGUAGES,
    PARTNERSHIP_TYPES,
    Method,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    Text,
)

__all__ = [
    "LANGUAGES",
    "PARTNERSHIP_TYPES",
    "Method",
    "Option",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "Text",
    "load_method",
    "load_questionnaire",
]
