"""Texts held to the glossary: the renderings they must not use, the terms a translation drops."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from knowledge.models import Glossary, GlossaryTerm

# What a reader does not read as words of the language: bot commands (/convention stays, as
# the contract fixes it), format fields, markup.
NOT_WORDS = re.compile(r"(?<![\w/])/[a-z_]+|%\(\w+\)[sd]|\{\w+\}|<[^>]+>")


def _normalise(text: str) -> str:
    return NOT_WORDS.sub(" ", text.replace("\u2019", "'"))


@cache
def _pattern(term: str, language: str) -> re.Pattern:
    """The term as a whole-word, case-insensitive pattern, plurals included (in English on
    the last word, in French on each word: "points d'étape", "collectivités territoriales")."""
    words = re.split(r"(\s+|'|\W)", term.replace("\u2019", "'"))
    last = max(i for i, word in enumerate(words) if word.strip() and re.match(r"\w", word))
    pieces = []
    for index, word in enumerate(words):
        if not re.fullmatch(r"\w+", word):
            pieces.append(r"\s+" if word.isspace() else re.escape(word))
        elif language == "en" and index == last and word.endswith("y"):
            pieces.append(re.escape(word[:-1]) + "(?:y|ies)")
        elif (language == "en" and index == last) or (language == "fr" and len(word) > 2):
            pieces.append(re.escape(word) + "(?:s|es|x)?")
        else:
            pieces.append(re.escape(word))
    return re.compile(r"(?<!\w)" + "".join(pieces) + r"(?!\w)", re.IGNORECASE)


def names(text: str, term: str, language: str) -> bool:
    """Whether `text` names `term` (a word or phrase) in `language`."""
    return bool(_pattern(term, language).search(_normalise(text)))


def misused(glossary: Glossary, text: str, language: str) -> list[tuple[GlossaryTerm, str]]:
    """The avoided renderings `text` uses, each with the glossary term it stands for."""
    found = []
    for term in glossary.terms:
        for variant in term.avoid if language == "en" else term.avoid_fr:
            if names(text, variant, language):
                found.append((term, variant))
    return found


def dropped(glossary: Glossary, fr: str, en: str) -> list[GlossaryTerm]:
    """The terms the French of a pair names and its English does not render as the glossary
    says ("mécénat de compétences" told as "skills-based volunteering")."""
    return [
        term
        for term in glossary.terms
        if not term.everyday_word and names(fr, term.fr, "fr") and not names(en, term.en, "en")
    ]


def bilingual_texts(node: object, where: str = "") -> Iterator[tuple[str, str, str]]:
    """Every {fr, en} pair of texts in a YAML tree, with where it is (lists of keywords,
    which are search words rather than text to read, are not pairs)."""
    if isinstance(node, dict):
        if isinstance(node.get("fr"), str) and isinstance(node.get("en"), str):
            yield where, node["fr"], node["en"]
        for key, value in node.items():
            yield from bilingual_texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            label = value.get("id") if isinstance(value, dict) else None
            yield from bilingual_texts(value, f"{where}[{label or index}]")
