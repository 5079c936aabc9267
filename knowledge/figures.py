"""The figures the knowledge texts state, each held to the seeds its entry cites.

A figure is a number written with digits, with its unit when one follows ("6 semaines",
"68 %", "4e"): a text may state it only if a seed the entry cites states it too, or if the
text is ours and says so where the reader sees it ("(notre conseil)", "(our advice)"), or
sits in a field that is ours by definition (a card's `our_advice`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from knowledge.models import LANGUAGES, SEED_FILES, SEED_TITLES, Option, Source, Text, Topic

# Beside the project, not in this repository (as for tests/knowledge/test_no_copy.py).
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# Fields whose texts are ours by definition: shown under "Alliance's advice" or as our choice.
OURS_FIELDS = frozenset({"our_advice", "our_choice"})
# What tells the reader, in the text itself, that it is our advice and not the guide's.
OURS_MARKS = {
    "fr": re.compile(r"notre conseil|conseil (?:d['’])?alliance|notre choix", re.IGNORECASE),
    "en": re.compile(r"our advice|alliance['’]s advice|our choice", re.IGNORECASE),
}

# A number: grouped thousands ("1 000", "1,000", "1.000") or a plain or decimal one ("2,5").
_NUMBER = r"(?<![\w.,])(?:\d{1,3}(?:[ .,]\d{3})+(?!\d)|\d+(?:[.,]\d+)?(?!\d))"
# A range or a pair shares its unit: "6 à 9 mois", "6–9 months", "2 ou 3 mois".
_LINK = r"\s*(?:-|–|—|/|à|to|et|and|ou|or)\s*"
_ORDINAL = r"(?:ème|eme|ère|ere|er|e|st|nd|rd|th)\b"
_UNIT = r"(\s*)(%|\w+)"
FIGURE = re.compile(rf"({_NUMBER}(?:{_LINK}{_NUMBER})*)(?:({_ORDINAL})|{_UNIT})?")
NUMBER = re.compile(_NUMBER)
# Up to this, a whole number with no unit is a count or a list number (see `is_count`).
COUNT_MAX = 12
# Unit words, French and English, to one name: "4 heures" and "4 hours" are the same figure.
UNITS = {
    "%": "%", "pourcent": "%", "percent": "%",
    "h": "hour", "heure": "hour", "heures": "hour", "hour": "hour", "hours": "hour",
    "jour": "day", "jours": "day", "day": "day", "days": "day",
    "semaine": "week", "semaines": "week", "week": "week", "weeks": "week",
    "mois": "month", "month": "month", "months": "month",
    "an": "year", "ans": "year", "année": "year", "années": "year", "year": "year",
    "years": "year",
    "€": "euro", "euro": "euro", "euros": "euro", "eur": "euro",
    "million": "million", "millions": "million",
    "milliard": "billion", "milliards": "billion", "billion": "billion", "billions": "billion",
}  # fmt: skip


@dataclass(frozen=True)
class Figure:
    """A number as a value ("1000", "2.5") and its unit ("month", "%", "ordinal"), if any."""

    value: str
    unit: str | None


def figures(text: str) -> list[tuple[Figure, str]]:
    """Every figure a text states, in order, each with the words that state it ("6 à 9 mois")."""
    found = []
    for match in FIGURE.finditer(_plain(text)):
        numbers, ordinal, space, word = match.groups()
        unit = "ordinal" if ordinal else UNITS.get(word or "")
        if word and not space and unit is None:
            continue  # a name that starts with digits, such as the "3DS" law
        said = match.group(0) if unit else numbers
        found += [(Figure(_value(n), unit), said) for n in NUMBER.findall(numbers)]
    return found


def _plain(text: str) -> str:
    """Lower case, one kind of space, "3^{ème}" as "3ème", "pour cent" as one word."""
    plain = re.sub(r"\^\{(\w+)\}", r"\1", text.casefold())
    plain = re.sub(r"\s+", " ", plain)
    return re.sub(r"\b(pour|per) cent\b", "pourcent", plain)


def _value(number: str) -> str:
    """ "1 000", "1,000" and "1.000" are 1000; "2,5" is 2.5."""
    grouped = re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})+", number)
    if grouped:
        return re.sub(r"\D", "", number)
    return number.replace(",", ".")


@cache
def seed_figures(seeds_dir: Path, seed: str) -> frozenset[Figure]:
    """The figures a seed states, its title's (its year) included."""
    text = (seeds_dir / SEED_FILES[seed]).read_text(encoding="utf-8", errors="ignore")
    return frozenset(figure for figure, _said in figures(text) + figures(SEED_TITLES[seed]))


def is_count(figure: Figure) -> bool:
    """A small whole number with no unit counts or numbers the items of a list ("7 étapes",
    "4 piliers", "1. …", "la 4e question"): the seeds write those in words or simply list the
    items, and any long text holds them in digits somewhere, so they are not held to it here
    (tests/knowledge/test_card_lists.py holds a count to the list it announces)."""
    return (
        figure.unit in (None, "ordinal")
        and figure.value.isdigit()
        and int(figure.value) <= COUNT_MAX
    )


def is_stated(figure: Figure, stated: frozenset[Figure]) -> bool:
    """Stated with the same unit; a bare number is stated by the same number with any unit."""
    if figure in stated:
        return True
    return figure.unit is None and any(other.value == figure.value for other in stated)


def is_marked_ours(text: str, language: str) -> bool:
    """Whether the text tells its reader, in its own language, that it is our advice."""
    return bool(OURS_MARKS[language].search(text))


@dataclass(frozen=True)
class Statement:
    """One text of an entry: where it is, the sources that vouch for it, whether it is ours."""

    entry: str
    text: Text
    sources: tuple[Source, ...]
    ours: bool


def statements(model: BaseModel) -> Iterator[Statement]:
    """Every text of a validated knowledge file, with the sources of its nearest entry."""
    yield from _walk(model, (), "", False)


def _walk(node, sources: tuple[Source, ...], entry: str, ours: bool) -> Iterator[Statement]:
    if isinstance(node, Text):
        yield Statement(entry, node, sources, ours)
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item, sources, entry, ours)
    elif isinstance(node, BaseModel) and not isinstance(node, Source):
        own = _sources_of(node)
        sources = own if own is not None else sources
        # An entry marked `ours: true` (a threshold of ours) is ours as a whole.
        ours = ours or getattr(node, "ours", None) is True
        entry = _name(node, entry)
        for field in type(node).model_fields:
            child = f"{entry}.{field}" if entry else field
            yield from _walk(getattr(node, field), sources, child, ours or field in OURS_FIELDS)


def _sources_of(node: BaseModel) -> tuple[Source, ...] | None:
    """The sources an entry cites itself, or None when it relies on its parent's; a topic
    (its title) stands on its cards' sources."""
    if isinstance(node, Topic):
        return tuple(dict.fromkeys(s for card in node.cards for s in card.sources))
    source = getattr(node, "source", None)
    if isinstance(source, Source):
        return (source,)
    cited = getattr(node, "sources", None)
    if isinstance(cited, tuple) and cited and all(isinstance(s, Source) for s in cited):
        return cited
    return None


def _name(node: BaseModel, path: str) -> str:
    """An entry is named by its id (an option under its question's: "hours.few"), else by
    the fields that lead to it ("parties.why")."""
    own = getattr(node, "id", None)
    if not isinstance(own, str):
        return path
    return f"{path.split('.')[0]}.{own}" if isinstance(node, Option) and path else own


def unsourced(file_name: str, model: BaseModel, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """A problem for each figure no cited seed states, in a text not marked as ours."""
    problems = []
    for statement in statements(model):
        if statement.ours:
            continue
        stated = frozenset().union(*(seed_figures(seeds_dir, s.seed) for s in statement.sources))
        for language in LANGUAGES:
            line = statement.text.in_(language)
            if is_marked_ours(line, language):
                continue
            missing = [
                said
                for figure, said in figures(line)
                if not is_count(figure) and not is_stated(figure, stated)
            ]
            problems += [
                f"{file_name}: {statement.entry}: figure {said} not in the cited sources "
                f"and not marked as ours ({language})"
                for said in dict.fromkeys(missing)
            ]
    return problems
