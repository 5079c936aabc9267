"""What a card announces, it shows: "ces sept éléments" stands over seven items, not eight.

A number that announces a list ("sept éléments", "4 freins", "Three stages") is read in
every card, overviews included, in both languages. After a colon, the list is what follows
it ("Trois temps : rencontre, cadrage, négociation"); in a title or an intro without one, the
list is the card's points. Points numbered "1.", "2."... are counted by their numbers (a
remark may follow them); otherwise every point counts but a "…" line, which carries on the
one before it. An overview counts the cards it lists, less the summary card that announces
the same number ("Les 7 étapes d'un partenariat réussi" beside the seven steps).
"""

import re

import pytest

from knowledge.loader import load_knowledge_base
from knowledge.models import Card
from knowledge.text import normalise

NUMBER_WORDS = {
    **dict.fromkeys(["deux", "two"], 2),
    **dict.fromkeys(["trois", "three"], 3),
    **dict.fromkeys(["quatre", "four"], 4),
    **dict.fromkeys(["cinq", "five"], 5),
    **dict.fromkeys(["six"], 6),
    **dict.fromkeys(["sept", "seven"], 7),
    **dict.fromkeys(["huit", "eight"], 8),
    **dict.fromkeys(["neuf", "nine"], 9),
    **dict.fromkeys(["dix", "ten"], 10),
    **dict.fromkeys(["onze", "eleven"], 11),
    **dict.fromkeys(["douze", "twelve"], 12),
}
# A number after these words names one thing ("étape 4", "guide 2012"), it counts nothing.
NAMING = {"etape", "etapes", "step", "steps", "an", "year", "perimetre", "scope", "guide", "top"}
# Quantities, not lists.
UNITS = {"mois", "ans", "annees", "jours", "semaines", "heures", "months", "years", "weeks"}
UNITS |= {"days", "hours", "fois", "times"}
# Plural nouns that do not end in s or x.
PLURALS = {"criteria", "people", "data"}
NUMBER = re.compile(r"(?<![\w.,])(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")(?![\w.,%])", re.I)
NUMBERED = re.compile(r"^(\d{1,2})\. ")


def announced(text: str) -> list[tuple[int, int]]:
    """(count, end position) of each number in the text followed by a plural noun."""
    found = []
    for match in NUMBER.finditer(text):
        word = match.group(1).lower()
        count = int(word) if word.isdigit() else NUMBER_WORDS[word]
        before = normalise(text[: match.start()]).split()[-1:]
        if count < 2 or (before and before[0] in NAMING):
            continue
        following = re.match(r"((?:\s+[^\W\d_][\w’'-]*){1,2})", text[match.end() :])
        if following is None:
            continue
        nouns = normalise(following.group(1)).split()
        if any(noun in UNITS for noun in nouns):
            continue
        if any(noun in PLURALS or (len(noun) > 3 and noun[-1] in "sx") for noun in nouns):
            found.append((count, match.end()))
    return found


def inline_items(text: str) -> int:
    """How many items the text after a colon lists: "a ; b", "a, b, c", "a et b", "1. a 2. b"."""
    numbers = [int(n) for n in re.findall(r"(?<![\w.])(\d{1,2})\. ", text)]
    if numbers:
        return max(numbers)
    bare = re.sub(r"\([^)]*\)", "", text).strip(" .")
    if ";" in bare:
        return len([part for part in bare.split(";") if part.strip()])
    if "," in bare:
        return len([part for part in bare.split(",") if part.strip()])
    return len(re.split(r"\s(?:et|and)\s", bare))


def points_count(points: list[str]) -> int:
    numbers = [int(m.group(1)) for m in map(NUMBERED.match, points) if m]
    if numbers:
        return max(numbers)
    return len([point for point in points if not point.startswith("…")])


def mismatches(card: Card, language: str) -> list[str]:
    points = [point.in_(language) for point in card.points]
    listed = points_count(points)
    if card.is_overview:
        announcements = [count for count, _ in announced(card.title.in_(language))]
        listed -= sum(
            1
            for item in card.items
            if set(announcements) & {count for count, _ in announced(item.title.in_(language))}
        )
    headings = [card.title, card.intro]
    lines = [*card.points, *card.our_advice, card.gist]
    wrong = []
    for is_heading, text in [(True, t) for t in headings] + [(False, t) for t in lines]:
        if text is None:
            continue
        line = text.in_(language)
        inline: dict[int, int] = {}
        for count, end in announced(line):
            colon = line.find(":", end)
            if colon != -1:
                inline[colon] = inline.get(colon, 0) + count
            elif is_heading:
                inline[-1] = inline.get(-1, 0) + count
        for colon, count in inline.items():
            shown = listed if colon == -1 else inline_items(line[colon + 1 :])
            if shown != count:
                wrong.append(f"{line!r} announces {count}, shows {shown}")
    return wrong


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_number_announcing_a_list_matches_the_list(language):
    wrong = {
        card.id: problems
        for card in load_knowledge_base().cards()
        if (problems := mismatches(card, language))
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pour planifier, l’accord doit noter ces sept éléments.", [7]),
        ("Les 4 freins à lever", [4]),
        ("Five notions not to mix up, plus two cross-cutting ones.", [5, 2]),
        ("The 2012 guide lists eight criteria", [8]),
        ("Étape 4 : définir le contenu", []),
        ("Step 4 spells out everything", []),
        ("6 à 9 mois en moyenne", []),
        ("One meeting every six months", []),
        ("92 % des maires", []),
        ("Ne pas opposer les deux : les articuler", []),
    ],
)
def test_what_counts_as_announcing_a_list(text, expected):
    assert [count for count, _ in announced(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rencontre, cadrage, négociation", 3),
        ("financiers ; ressources humaines ; autres ressources (matérielles ou relationnelles)", 3),
        ("le don (déduction fiscale ou non, à décider), le prêt, la prise de participation", 3),
        ("un écrit clair et un engagement fort", 2),
        (" 1. mes objectifs ? 2. ses attentes ? 3. quel profil ?", 3),
    ],
)
def test_how_an_inline_list_is_counted(text, expected):
    assert inline_items(text) == expected


def test_the_duration_card_shows_the_seven_items_it_announces():
    card = load_knowledge_base().card("convention_duration")
    assert "sept" in card.intro.fr and "seven" in card.intro.en
    assert mismatches(card, "fr") == mismatches(card, "en") == []
